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
import tempfile
import threading
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from .commands.argtypes import path_arg
from .crash import RUN_TEMP_PREFIX, report_crash
from .errors import Terminated, UserError, one_line
from .redact import forget_secrets, scrub
from .scratch import remove_tree

# verb -> module in redis_rules.commands exposing register(subparsers)
VERBS = ("new", "update", "lint", "audit", "rules", "check", "hook")
DEBUG_ENV = "REDIS_RULES_DEBUG"


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in our one-line style with exit code 2, and takes options only
    by their full names: an abbreviation in a script (``--def``) would change meaning when an option is added."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        # "redis-rules: error:" for every error, as UserError prints it (a verb's parser's prog is "redis-rules new")
        # scrubbed: an unrecognized argument may be a URL with its password (`audit redis://:pw@h` without --url)
        self.exit(2, f"{self.prog.split()[0]}: error: {one_line(scrub(message))}\n")


def _add_debug(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "--debug",
        action="store_true",
        default=default,
        help=f"print the full traceback of an internal error (also: {DEBUG_ENV}=1)",
    )


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
        description="Project-specific Redis rules, modules and checks for AI-assisted codebases. "
        "Exit codes: 0 ok, 1 findings or conflicts, 2 usage or input error, 3 internal error.",
    )
    parser.add_argument("--version", action=_Version)
    _add_debug(parser, False)
    sub = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)
    for verb in verbs:
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


_terminated = threading.Event()  # SIGTERM arrived during this run (whatever exception then surfaced)
_interrupted = threading.Event()  # SIGINT arrived during this run (its KeyboardInterrupt may have been swallowed)


def _children() -> list[int]:
    """Process ids of our direct children (git, run by copier or by us); Linux /proc, else none."""
    pids: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.scandir(f"/proc/{os.getpid()}/task"):
            with open(f"{task.path}/children", encoding="ascii") as handle:
                pids += [int(pid) for pid in handle.read().split()]
    return pids


@contextlib.contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    """While a verb runs, SIGTERM stops our child processes and raises Terminated in the main thread,
    so `finally` blocks and context managers remove staging folders and temporary clones. SIGINT is noted
    (see on_sigint) and still raises KeyboardInterrupt."""
    _terminated.clear()
    _interrupted.clear()
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        if _terminated.is_set():
            return  # already unwinding: a second SIGTERM must not interrupt the clean-up
        _terminated.set()
        for pid in _children():
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGTERM)
        raise Terminated()

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        # Python's own handler, remembered: a KeyboardInterrupt raised inside a finalizer (__del__) or a
        # library's catch-all is dropped, and the run would end with exit 0 and nothing said
        _interrupted.set()
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    previous_int = signal.getsignal(signal.SIGINT)
    if previous_int is signal.default_int_handler:
        signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        if previous_int is signal.default_int_handler:
            signal.signal(signal.SIGINT, previous_int)


@contextlib.contextmanager
def _private_tmp() -> Iterator[None]:
    """Every temporary file of the run (ours, copier's clones, git's) under one new folder, removed at the end.

    Clean-up code that races with a child process still writing (SIGTERM) can fail to remove a folder;
    whatever is left is removed here once the children are gone.
    """
    previous_dir, previous_env = tempfile.tempdir, {k: os.environ.get(k) for k in ("TMPDIR", "TEMP", "TMP")}
    try:
        root = tempfile.mkdtemp(prefix=RUN_TEMP_PREFIX)
    except OSError:  # no writable temp folder: copier will say so in its own words
        yield
        return
    tempfile.tempdir = root
    os.environ.update(TMPDIR=root, TEMP=root, TMP=root)
    try:
        yield
    finally:
        tempfile.tempdir = previous_dir
        for key, value in previous_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        remove_tree(Path(root))  # a child killed by our SIGTERM handler may need a moment to exit


def _error(text: str) -> None:
    print(f"redis-rules: {text}", file=sys.stderr)


def _verbs_for(argv: Sequence[str]) -> Sequence[str]:
    """Only the named verb's module when the command line starts with a verb (`redis-rules lint x.py` does not
    import copier for `new`); every verb otherwise (top-level help, errors listing the verbs)."""
    return (argv[0],) if argv and argv[0] in VERBS else VERBS


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """parse_args, except that a verb taking paths (`lint`) also takes them after its options
    (`lint a.py --no-cache b.py`, as ruff does; argparse stops filling `nargs="*"` at the first option)."""
    args, extra = parser.parse_known_args(argv)
    if extra and getattr(args, "intermixed_paths", False) and not any(e.startswith("-") and e != "-" for e in extra):
        try:
            args.paths = [*(args.paths or []), *(path_arg(e) for e in extra)]
        except argparse.ArgumentTypeError as exc:
            parser.error(f"argument PATH: {exc}")
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command line; the exit code (0, 1 findings or conflicts, 2 bad input, 3 our bug, 130/143 signals)."""
    try:
        return _main(argv)
    except KeyboardInterrupt:  # while the verb's modules were imported or the line parsed: nothing ran yet
        _error("interrupted; nothing half-written was left behind")
        return 130


def _main(argv: Sequence[str] | None) -> int:
    _robust_streams()
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_verbs_for(argv))
    args = _parse(parser, argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    debug = bool(getattr(args, "debug", False)) or os.environ.get(DEBUG_ENV, "") not in ("", "0")
    args.debug = debug
    verb = str(getattr(args, "verb", "") or "")
    try:
        with _private_tmp(), _sigterm_unwinds():
            code = int(args.func(args) or 0)
        if _interrupted.is_set():  # the interrupt was swallowed after the command had done its work
            _error(f"interrupted; `redis-rules {verb}` had already finished, and what it wrote stands")
            return 130
        return code
    except KeyboardInterrupt:
        _error("interrupted; nothing half-written was left behind")
        return 130
    except Terminated:
        _error("terminated; nothing half-written was left behind")
        return 143
    except UserError as exc:
        if _terminated.is_set():  # a clean-up error that surfaced while SIGTERM unwound the run
            _error("terminated; nothing half-written was left behind")
            return 143
        _error(f"error: {one_line(scrub(str(exc)))}")
        return exc.exit_code
    except BrokenPipeError:
        # the reader went away (`| head`): stop quietly, like other command-line tools
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - no flush error at interpreter exit
        return 141
    except Exception as exc:  # noqa: BLE001 - anything else is our bug: exit 3, never 1
        if _terminated.is_set():
            _error("terminated; nothing half-written was left behind")
            return 143
        if debug:
            sys.stderr.write(scrub("".join(traceback.format_exception(exc))))
        _error(report_crash(exc, verb))
        return 3
    finally:
        forget_secrets()


if __name__ == "__main__":
    sys.exit(main())
