"""A terminal progress bar for the one-time index build (the dashboard uses a spinner)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from .build import Progress

__all__ = ["terminal_progress"]


def terminal_progress(stream: TextIO | None = None, *, width: int = 30) -> Progress | None:
    """A ``progress(done, total, stage)`` callback drawing a bar on a terminal.

    Returns ``None`` when ``stream`` (default stderr) is not a terminal, so logs and
    pipes stay clean.
    """
    out = stream if stream is not None else sys.stderr
    if not getattr(out, "isatty", lambda: False)():
        return None
    started = time.monotonic()

    def draw(done: int, total: int, stage: str) -> None:
        filled = int(width * done / max(total, 1))
        bar = "#" * filled + "." * (width - filled)
        out.write(f"\rbuilding the offline gazetteer [{bar}] {done}/{total} "
                  f"{stage:<34.34} {time.monotonic() - started:4.0f} s")
        if done >= total:
            out.write("\n")
        out.flush()

    return draw
