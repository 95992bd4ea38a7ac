"""`python -m trip geocode`: placeholder until its owner fills it in."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    sub.add_parser("geocode", help="(not yet available)")
