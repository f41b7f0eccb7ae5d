"""Errors a user can cause. The CLI prints them as one line and exits 2 (or 1).

Exit codes everywhere: 0 ok, 1 findings or conflicts (FindingsError), 2 usage or input error
(UserError), 3 unexpected internal error (any other exception; see crash.py).
"""

from __future__ import annotations

MAX_MESSAGE = 600  # characters of one error line; longer ones are cut with an ellipsis


class UserError(Exception):
    """Bad input: printed as `redis-rules: error: <message>`, exit code 2."""

    exit_code = 2


class FindingsError(UserError):
    """Work was done but found problems (conflicts, violations): exit code 1."""

    exit_code = 1


class Terminated(BaseException):
    """SIGTERM arrived: raised in the main thread so `finally` blocks remove staging folders and clones.

    A BaseException (like KeyboardInterrupt), so `except Exception` clean-up code cannot swallow it.
    """


def one_line(text: object, limit: int = MAX_MESSAGE) -> str:
    """`text` as a single line: runs of whitespace (newlines included) become one space, control characters
    are shown escaped (`\\x1b`: a name quoted from input never drives the terminal), cut at `limit`."""
    line = " ".join(str(text).split())
    if not line.isascii() or not line.isprintable():
        line = "".join(f"\\x{ord(c):02x}" if ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 else c for c in line)
    return line if len(line) <= limit else line[: limit - 1] + "…"
