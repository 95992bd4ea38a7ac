"""`python -m trip show`: placeholder until its owner fills it in."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    sub.add_parser("show", help="(not yet available)")
