"""The Streamlit dashboard's panels and session handling.

``streamlit_app.py`` only lays the panels out; each module here draws one part
of the page and calls ``trip.*`` for the work. Per-user data lives in
``st.session_state`` and the URL, never in module globals.
"""
