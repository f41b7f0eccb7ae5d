"""`redis-rules` command line: one argparse sub-command per verb, each in redis_rules/commands/.

Exit codes everywhere: 0 ok/clean, 1 findings or conflicts, 2 usage or input error.
A user mistake never shows a traceback: commands raise UserError, printed as one line.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from . import __version__
from .errors import UserError

# verb -> module in redis_rules.commands exposing register(subparsers)
VERBS = ("new", "update", "lint", "audit", "rules", "check", "hook")


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in our one-line style with exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="redis-rules",
        description="Project-specific Redis rules, modules and checks for AI-assisted codebases.",
    )
    parser.add_argument("--version", action="version", version=f"redis-rules {__version__}")
    sub = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)
    for verb in VERBS:
        module = importlib.import_module(f"redis_rules.commands.{verb}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"redis-rules: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("redis-rules: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
