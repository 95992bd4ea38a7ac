"""``python -m trip``: subcommands that parse arguments, call the engine and print.

Each subcommand lives in its own module with a ``register(subparsers)`` function
that adds its parser and sets ``func(args) -> int``. Errors from the engine are
printed as one clear line on stderr with exit status 2; never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from typing import Any, Sequence

from ..errors import TripError

__all__ = ["main", "build_parser", "print_json"]

#: Subcommand modules, in the order ``--help`` lists them.
COMMAND_MODULES = ("geocode", "show", "export", "extract")


def print_json(obj: Any) -> None:
    """Print ``obj`` as JSON (UTF-8, not ASCII-escaped) on stdout."""
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m trip",
        description="Dated trip maps: geocode stops offline, draw and export routes, "
                    "extract itineraries from news articles.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f".{name}", __name__).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except TripError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
