"""User text inside Streamlit's markdown: shown as typed, never as markup.

Streamlit renders ``st.title``, ``st.caption``, ``st.markdown``, ``st.write``,
``st.warning`` and widget help as markdown (raw HTML is dropped, but links,
images and autolinks are not), so a trip title such as
``![x](https://tracker.example/p.png)`` would make every visitor's browser load
an image from a stranger's server. Every character markdown might read is
backslash-escaped; the text looks exactly as typed.
"""

from __future__ import annotations

__all__ = ["escape_markdown", "escape_links"]

# ASCII punctuation CommonMark lets a backslash escape, which covers links,
# images, emphasis, code, headings, lists, tables, HTML, Streamlit's :color[]
# directives and $math$; ":", "/" and "@" also stop GFM's bare autolinks
# (https://…, www.…, name@host).
_SPECIAL = frozenset("\\`*_{}[]()#+-.!|<>~$:&\"'=/@")


def escape_markdown(text: str) -> str:
    """``text`` with every markdown-significant character escaped."""
    return "".join("\\" + c if c in _SPECIAL else c for c in text)


def escape_links(text: str) -> str:
    """``text`` with only the characters that make links, images and tags escaped.

    For messages that are mostly ours but repeat a user's value (an error naming
    a bad cell, a file name): ``[``, ``]``, ``<``, ``>`` and ``\\`` stop
    ``![x](https://…)``, ``[x](…)`` and ``<https://…>``; ``:`` and ``@`` stop
    GFM's bare autolinks (``https://…``, ``name@host``) and Streamlit's
    ``:color[…]`` directives. The rest of the message keeps its plain look
    (``end_date`` stays ``end_date`` in the source).
    """
    return "".join("\\" + c if c in _LINK_CHARS else c for c in text)


_LINK_CHARS = frozenset("\\[]<>:@")
