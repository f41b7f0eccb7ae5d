"""`redis-rules lint [PATHS...]`: check Python and TypeScript/JavaScript code against the Redis rules."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from ..crash import write_traceback
from ..errors import UserError
from ..lint.engine import LintCrash, lint_bytes, lint_paths
from ..lint.model import Finding, check_selectors
from ..lint.policy_cache import find_lint_policy, load_lint_policy
from ..lint.report import format_json, format_sarif, format_text
from ..lint.sources import MAX_BYTES
from .argtypes import int_between, path_arg

MAX_JOBS = 64  # processes; more only adds start-up cost on any machine this runs on
HELP = "check Python and TypeScript code against the Redis rules (exit 1 when there are findings)"


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "lint",
        help=HELP,
        description=(
            "Statically check Python and TypeScript files for Redis anti-patterns (KEYS, writes without TTL, "
            "non-atomic INCR+EXPIRE, per-call clients, ...). Exit 0 clean, 1 findings, 2 usage error, "
            "3 internal error. Suppress one line with `# redis-rules: ignore[RR003]` (`//` in TypeScript)."
        ),
    )
    parser.add_argument(
        "paths", nargs="*", type=path_arg, metavar="PATH", help="files or folders (default: .); '-' reads stdin"
    )
    parser.set_defaults(intermixed_paths=True)  # paths also after options (cli._parse)
    parser.add_argument(
        "--select", metavar="CODES", help="only these rule ids / prefixes / check names (comma-separated)"
    )
    parser.add_argument("--ignore", metavar="CODES", help="skip these rule ids / prefixes / check names")
    parser.add_argument(
        "--policy", metavar="PATH", type=Path, help="policy file (default: .redis-rules.yml found upward)"
    )
    parser.add_argument("--format", choices=("text", "json", "sarif"), default="text", help="output format")
    parser.add_argument(
        "--jobs",
        "-j",
        type=int_between(1, MAX_JOBS),
        default=1,
        metavar="N",
        help=f"lint in N processes, 1 to {MAX_JOBS} (default 1)",
    )
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="do not read or write the project index cache (.redis-rules-cache/ or the user cache folder)",
    )
    parser.add_argument(
        "--stdin-filename", metavar="PATH", help="the path of the code read from stdin (for policy globs)"
    )
    parser.set_defaults(func=run)


def _codes(value: str | None, option: str) -> list[str] | None:
    if value is None:
        return None
    codes = [c for c in value.split(",") if c.strip()]
    if not codes:  # `--select ''` would silently run every check
        raise UserError(f"lint: {option} needs at least one rule id (RR007), prefix (RR0) or check name")
    return check_selectors(codes, f"lint: {option}")


def run(args: argparse.Namespace) -> int:
    """The verb: exit 0 clean, 1 findings, 2 usage error (UserError), 3 internal error (one line; the
    traceback goes to a file, or to stderr with --debug). Findings of the files that were checked are
    still printed when another file crashed the checker."""
    try:
        return _run(args)
    except UserError:
        raise
    except LintCrash as crash:
        _output(crash.findings, args.format)
        where = write_traceback("\n".join(text for _, text in crash.crashes), "lint")
        print(
            f"redis-rules: internal error in lint while checking {crash.crashes[0][0]}"
            f"{f' (and {len(crash.crashes) - 1} more files)' if len(crash.crashes) > 1 else ''}; "
            f"traceback written to {where}",
            file=sys.stderr,
        )
        return 3
    except Exception as exc:  # noqa: BLE001 - an unexpected error is exit 3 and one line, never exit 1
        if getattr(args, "debug", False):
            raise
        where = write_traceback(traceback.format_exc(), "lint")
        print(
            f"redis-rules: internal error in lint ({type(exc).__name__}); traceback written to {where}", file=sys.stderr
        )
        return 3


def _run(args: argparse.Namespace) -> int:
    select = _codes(args.select, "--select")
    ignore = _codes(args.ignore, "--ignore")
    paths = list(args.paths or [])
    stdin = "-" in paths
    if stdin and len(paths) > 1:
        raise UserError("lint: '-' (stdin) cannot be combined with other paths")
    if args.stdin_filename is not None and not stdin:
        raise UserError("lint: --stdin-filename names the code read from stdin: give '-' as the path")
    if args.stdin_filename == "":
        raise UserError("lint: --stdin-filename must be a path such as app/cache.py (its suffix picks the language)")
    if args.policy is not None:
        if not args.policy.is_file():
            what = "is not a regular file" if args.policy.exists() else "not found"
            raise UserError(f"lint: policy file {what}: {args.policy}")
        policy = load_lint_policy(args.policy)
    elif stdin:
        policy = find_lint_policy(Path(args.stdin_filename) if args.stdin_filename else Path.cwd())
    else:
        for p in paths:
            try:
                os.lstat(p)  # a dangling link is linted and reported (E902), as iter_source_files does
            except (FileNotFoundError, NotADirectoryError):
                raise UserError(f"lint: no such file or directory: {p}") from None
            except OSError as exc:  # e.g. inside a folder this user may not look into
                raise UserError(f"lint: cannot access {p}: {exc.strerror or exc}") from None
        policy = find_lint_policy(Path(paths[0]) if paths else Path.cwd())
    if stdin:
        name = args.stdin_filename or "<stdin>"
        # bytes, bounded: decoded like a file (a binary or huge stdin is one E902 finding, not a crash or a hang)
        raw = getattr(sys.stdin, "buffer", None)
        data = raw.read(MAX_BYTES + 1) if raw is not None else sys.stdin.read().encode("utf-8", "surrogateescape")
        findings = lint_bytes(data, name, policy, select, ignore)
    else:
        findings = lint_paths(
            [Path(p) for p in paths] or [Path(".")],
            policy,
            select,
            ignore,
            jobs=args.jobs,
            cache=not args.no_cache,
        )
    _output(findings, args.format)
    return 0 if args.exit_zero or not findings else 1


def _output(findings: Sequence[Finding], fmt: str) -> None:
    if fmt == "json":
        sys.stdout.write(format_json(findings))
    elif fmt == "sarif":
        sys.stdout.write(format_sarif(findings))
    else:
        out, summary = format_text(findings)
        sys.stdout.write(out)
        sys.stdout.flush()
        print(summary, file=sys.stderr if findings else sys.stdout)
