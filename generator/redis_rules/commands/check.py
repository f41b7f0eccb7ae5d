"""`redis-rules check [DEST]` (being written)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("check", help="CI/pre-commit gate")
    p.set_defaults(func=lambda args: 0)
