"""`redis-rules` command line: one argparse sub-command per verb, each in redis_rules/commands/.

Exit codes everywhere: 0 ok/clean, 1 findings or conflicts, 2 usage or input error, 3 unexpected
internal error. A user mistake is one line (UserError), never a traceback; an unexpected exception is
one line saying where its traceback was written (crash.py), or the traceback itself with `--debug`.
SIGTERM unwinds like Ctrl-C, so staging folders and temporary clones are removed (exit 143).
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import importlib
import os
import signal
import sys
import threading
import traceback
from collections.abc import Iterator, Sequence
from types import FrameType

from . import __version__
from .crash import report_crash
from .errors import Terminated, UserError, one_line
from .redact import forget_secrets, scrub

# verb -> module in redis_rules.commands exposing register(subparsers)
VERBS = ("new", "update", "lint", "audit", "rules")
DEBUG_ENV = "REDIS_RULES_DEBUG"


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in our one-line style with exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {one_line(message)}\n")


def _add_debug(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "--debug",
        action="store_true",
        default=default,
        help=f"print the full traceback of an internal error (also: {DEBUG_ENV}=1)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="redis-rules",
        description="Project-specific Redis rules, modules and checks for AI-assisted codebases. "
        "Exit codes: 0 ok, 1 findings or conflicts, 2 usage or input error, 3 internal error.",
    )
    parser.add_argument("--version", action="version", version=f"redis-rules {__version__}")
    _add_debug(parser, False)
    sub = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)
    for verb in VERBS:
        module = importlib.import_module(f"redis_rules.commands.{verb}")
        module.register(sub)
    for verb_parser in sub.choices.values():  # `redis-rules VERB --debug` too, without overriding the global flag
        if not any("--debug" in action.option_strings for action in verb_parser._actions):
            _add_debug(verb_parser, argparse.SUPPRESS)
    return parser


def _display_errors(exc: UnicodeError) -> tuple[str, int]:
    """Encode-error handler for stdout/stderr: undecodable bytes of a file name (surrogate escapes) as
    `\\xNN`, anything else the stream cannot encode as a backslash escape."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = []
    for ch in exc.object[exc.start : exc.end]:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:
            out.append(f"\\x{code - 0xDC00:02x}")
        else:
            out.append(ch.encode("ascii", "backslashreplace").decode("ascii"))
    return "".join(out), exc.end


codecs.register_error("redis-rules-display", _display_errors)


def _robust_streams() -> None:
    """A file name that is not UTF-8 (or a character the terminal cannot show) never crashes a print."""
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
            with contextlib.suppress(ValueError, OSError, AttributeError):
                stream.reconfigure(errors="redis-rules-display")


@contextlib.contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    """While a verb runs, SIGTERM raises Terminated in the main thread (finally blocks run)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _error(text: str) -> None:
    print(f"redis-rules: {text}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    _robust_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    debug = bool(getattr(args, "debug", False)) or os.environ.get(DEBUG_ENV, "") not in ("", "0")
    args.debug = debug
    verb = str(getattr(args, "verb", "") or "")
    try:
        with _sigterm_unwinds():
            return int(args.func(args) or 0)
    except UserError as exc:
        _error(f"error: {one_line(scrub(str(exc)))}")
        return exc.exit_code
    except KeyboardInterrupt:
        _error("interrupted; nothing half-written was left behind")
        return 130
    except Terminated:
        _error("terminated; nothing half-written was left behind")
        return 143
    except BrokenPipeError:
        # the reader went away (`| head`): stop quietly, like other command-line tools
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - no flush error at interpreter exit
        return 141
    except Exception as exc:  # noqa: BLE001 - anything else is our bug: exit 3, never 1
        if debug:
            sys.stderr.write(scrub("".join(traceback.format_exception(exc))))
        _error(report_crash(exc, verb))
        return 3
    finally:
        forget_secrets()


if __name__ == "__main__":
    sys.exit(main())
