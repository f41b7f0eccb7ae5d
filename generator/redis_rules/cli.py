"""`redis-rules` command line: one argparse sub-command per verb, each in redis_rules/commands/.

Exit codes everywhere: 0 ok/clean, 1 findings or conflicts, 2 usage or input error.
A user mistake never shows a traceback: commands raise UserError, printed as one line.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from .errors import UserError

# verb -> module in redis_rules.commands exposing register(subparsers)
VERBS = ("new", "update", "lint", "audit", "rules", "check", "hook")


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in our one-line style with exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


class _Version(argparse.Action):
    """`--version`: the installed version, looked up only when asked (importlib.metadata is slow to import)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kw: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kw: object) -> None:
        from . import __version__

        print(f"redis-rules {__version__}")  # stdout, as argparse's version action
        parser.exit(0)


def build_parser(verbs: Sequence[str] = VERBS) -> argparse.ArgumentParser:
    """The parser with the sub-commands of `verbs` (each verb module is imported to register itself)."""
    parser = _Parser(
        prog="redis-rules",
        description="Project-specific Redis rules, modules and checks for AI-assisted codebases.",
    )
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)
    for verb in verbs:
        module = importlib.import_module(f"redis_rules.commands.{verb}")
        module.register(sub)
    return parser


def _verbs_for(argv: Sequence[str]) -> Sequence[str]:
    """Only the named verb's module when the command line starts with a verb (`redis-rules lint x.py` does not
    import copier for `new`); every verb otherwise (top-level help, errors listing the verbs)."""
    return (argv[0],) if argv and argv[0] in VERBS else VERBS


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_verbs_for(argv))
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
