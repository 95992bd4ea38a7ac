"""The public API is exactly what ``trip.__all__`` says, and every name resolves."""

from __future__ import annotations

import trip


def test_all_names_resolve():
    for name in trip.__all__:
        assert hasattr(trip, name), name


def test_all_lists_every_public_name():
    public = {n for n in vars(trip) if not n.startswith("_")}
    submodules = {n for n, v in vars(trip).items() if type(v).__name__ == "module"}
    assert public - submodules - {"annotations"} <= set(trip.__all__)
