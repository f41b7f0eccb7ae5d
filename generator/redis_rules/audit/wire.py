"""A minimal RESP2 reader/writer on top of a connected redis-py connection.

redis-py opens the connection (URL parsing, TLS, AUTH, SELECT, timeouts); the audit's
hot loop then talks to the socket directly. Without hiredis, redis-py's pure-Python
pipeline parser costs more than the server does, and every command the audit pipelines
(TYPE, PTTL, MEMORY USAGE, STRLEN/HLEN/SCARD/ZCARD/LLEN/XLEN) answers with a single
RESP line, so a batch of N replies is N lines: one ``split`` instead of N parser calls.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ..errors import one_line

STALL_TIMEOUT = 5.0  # seconds without a byte from the server before it counts as gone
MAX_LINE = 64 * 1024  # a status, error, integer or length line
MAX_BULK = 16 * 1024 * 1024  # one bulk string (a key name, INFO); replies the audit reads are far smaller
MAX_ARRAY = 1_000_000  # elements of one array reply
MAX_DEPTH = 8  # nested arrays (CLUSTER SLOTS needs 3)


class ReplyError(Exception):
    """An error reply (``-ERR ...``) from the server; ``str()`` is the message without '-'."""


def reply_text(err: object, limit: int = 160) -> str:
    """A server's error reply for a note or message: one line, control characters escaped, whole when it fits
    in ``limit`` (every real one does: `NOPERM User x has no permissions to run the 'memory|usage' command`), else
    cut at a word boundary with an ellipsis, never inside a word such as the command's name."""
    text = one_line(err, 64 * 1024)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


class WireClosed(Exception):
    """The server closed the connection or did not answer in time."""


class DeadlineExceeded(WireClosed):
    """The audit's overall deadline (--timeout) passed."""


class ProtocolError(WireClosed):
    """The reply was not valid RESP, or larger than the audit ever needs."""


class Deadline:
    """One deadline for a whole audit run (connect, every read and write, rate-limit sleeps).

    Each socket operation waits at most ``min(stall, remaining)`` seconds, so a dead server is noticed
    after ``stall`` seconds and a server that trickles a byte now and then still cannot outlast the
    deadline. A watchdog thread also shuts down every registered socket when the deadline passes, which
    ends a read blocked inside redis-py's handshake too.
    """

    def __init__(self, seconds: float, stall: float = STALL_TIMEOUT, clock: Callable[[], float] = time.monotonic):
        self.seconds = seconds
        self.stall = stall
        self.clock = clock
        self.end = clock() + seconds
        self._on_expiry: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, seconds), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return self.end - self.clock()

    def expired(self) -> bool:
        return self.remaining() <= 0

    def op_timeout(self) -> float:
        """Seconds the next socket operation may wait; DeadlineExceeded when none are left."""
        left = self.remaining()
        if left <= 0:
            raise DeadlineExceeded(f"gave up after {self.seconds:g}s (--timeout)")
        return min(self.stall, left)

    def sleep(self, seconds: float) -> None:
        """Sleep (for --rate), but never past the deadline."""
        left = self.remaining()
        if seconds >= left:
            time.sleep(max(0.0, left))
            raise DeadlineExceeded(f"gave up after {self.seconds:g}s (--timeout)")
        time.sleep(seconds)

    def on_expiry(self, action: Callable[[], None]) -> None:
        """Run ``action`` (e.g. shut a socket down) when the deadline passes, from the watchdog thread."""
        with self._lock:
            self._on_expiry.append(action)

    def watch(self, sock: socket.socket) -> None:
        def shut() -> None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

        self.on_expiry(shut)

    def _expire(self) -> None:
        with self._lock:
            actions = list(self._on_expiry)
        for action in actions:
            with contextlib.suppress(Exception):
                action()

    def cancel(self) -> None:
        self._timer.cancel()


def pack(args: Sequence[bytes]) -> bytes:
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        out.append(b"$%d\r\n" % len(a))
        out.append(a)
        out.append(b"\r\n")
    return b"".join(out)


def pack_per_key(names: Sequence[bytes], keys: Iterable[bytes]) -> bytes:
    """For every key, one command per entry of ``names`` (each a full command prefix
    packed up to the key, e.g. ``b"*2\\r\\n$4\\r\\nTYPE\\r\\n"``)."""
    width = len(names)
    # one %-format per key: prefixes contain no '%' (command names only)
    template = b"".join(n + b"$%d\r\n%s\r\n" for n in names)
    return b"".join([template % ((len(k), k) * width) for k in keys])


def prefix(*words: bytes, extra_after_key: int = 0) -> bytes:
    """The packed start of a command whose last argument is the key."""
    head = b"*%d\r\n" % (len(words) + 1 + extra_after_key)
    return head + b"".join(b"$%d\r\n%s\r\n" % (len(w), w) for w in words)


class Wire:
    """Buffered RESP2 conversation over one socket."""

    def __init__(self, sock: socket.socket, *, label: str, deadline: Deadline | None = None) -> None:
        self.sock = sock
        self.label = label  # redacted host:port, for messages
        self.deadline = deadline
        self.buf = b""
        self.pos = 0
        if deadline is not None:
            deadline.watch(sock)

    def _arm(self) -> None:
        if self.deadline is not None:
            self.sock.settimeout(self.deadline.op_timeout())

    def _lost(self, what: str, exc: BaseException | None = None) -> WireClosed:
        if self.deadline is not None and self.deadline.expired():
            return DeadlineExceeded(f"gave up after {self.deadline.seconds:g}s (--timeout) {what} {self.label}")
        if isinstance(exc, TimeoutError):
            return WireClosed(f"timed out {what} {self.label}")
        if isinstance(exc, OSError):
            return WireClosed(f"connection to {self.label} lost: {exc.strerror or exc}")
        return WireClosed(f"connection closed by {self.label}")

    # ---- sending -------------------------------------------------------------
    def send(self, data: bytes) -> None:
        try:
            self._arm()
            self.sock.sendall(data)
        except OSError as exc:
            raise self._lost("writing to", exc) from None

    def command(self, *args: bytes | str | int) -> Any:
        """Send one command and read its reply (raises ReplyError for error replies)."""
        self.send(pack([a if isinstance(a, bytes) else str(a).encode() for a in args]))
        reply = self.read_reply()
        if isinstance(reply, ReplyError):
            raise reply
        return reply

    # ---- receiving -----------------------------------------------------------
    def _fill(self) -> None:
        try:
            self._arm()
            chunk = self.sock.recv(262144)
        except OSError as exc:
            raise self._lost("waiting for", exc) from None
        if not chunk:
            raise self._lost("waiting for")
        if self.pos:
            self.buf = self.buf[self.pos :] + chunk
            self.pos = 0
        else:
            self.buf += chunk

    def _bad(self, what: str, data: bytes = b"") -> ProtocolError:
        shown = f": {data[:40]!r}" if data else ""
        return ProtocolError(f"malformed reply from {self.label} ({what}){shown}")

    def _line(self) -> bytes:
        while True:
            end = self.buf.find(b"\r\n", self.pos)
            if end >= 0:
                line = self.buf[self.pos : end]
                self.pos = end + 2
                return line
            if len(self.buf) - self.pos > MAX_LINE:
                raise self._bad(f"a line over {MAX_LINE // 1024} KiB without CRLF")
            self._fill()

    def _exact(self, n: int) -> bytes:
        while len(self.buf) - self.pos < n + 2:
            self._fill()
        data = self.buf[self.pos : self.pos + n]
        if self.buf[self.pos + n : self.pos + n + 2] != b"\r\n":
            raise self._bad("a bulk string not followed by CRLF")
        self.pos += n + 2
        return data

    def _int(self, text: bytes, what: str, low: int = -(2**63), high: int = 2**63 - 1) -> int:
        """A RESP integer (ASCII digits, optional '-'), within [low, high]; ProtocolError otherwise."""
        digits = text[1:] if text[:1] == b"-" else text
        if not digits or len(digits) > 19 or not digits.isdigit():
            raise self._bad(f"{what} is not an integer", text)
        value = int(text)
        if not low <= value <= high:
            raise self._bad(f"{what} {value} is out of range")
        return value

    def read_reply(self, depth: int = 0) -> Any:
        """One reply; an error reply is returned (not raised) as a ReplyError.

        Raises ProtocolError for anything that is not RESP2 or exceeds MAX_LINE, MAX_BULK, MAX_ARRAY
        or MAX_DEPTH, so a hostile or broken server costs bounded memory and one line of error.
        """
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest
        if kind == b":":
            return self._int(rest, "an integer reply")
        if kind == b"$":
            n = self._int(rest, "a bulk length", -1, MAX_BULK)
            return None if n < 0 else self._exact(n)
        if kind == b"*":
            n = self._int(rest, "an array length", -1, MAX_ARRAY)
            if n > 0 and depth >= MAX_DEPTH:
                raise self._bad(f"arrays nested more than {MAX_DEPTH} deep")
            return None if n < 0 else [self.read_reply(depth + 1) for _ in range(n)]
        if kind == b"-":
            return ReplyError(rest.decode("utf-8", "replace"))
        raise self._bad("unknown reply type", line)

    def read_scan(self) -> tuple[bytes, list[bytes]] | ReplyError:
        """A SCAN reply ``[cursor, [key, ...]]``, parsed in one loop (the hot path)."""
        head = self._line()
        if head[:1] == b"-":
            return ReplyError(head[1:].decode("utf-8", "replace"))
        if head != b"*2":
            raise self._bad("SCAN did not answer [cursor, keys]", head)
        cursor = self.read_reply(1)
        if not isinstance(cursor, bytes) or not cursor.isdigit():
            raise self._bad("SCAN cursor is not a number", cursor if isinstance(cursor, bytes) else b"")
        count_line = self._line()
        if count_line[:1] != b"*":
            raise self._bad("SCAN keys are not an array", count_line)
        n = self._int(count_line[1:], "the SCAN key count", 0, MAX_ARRAY)
        keys: list[bytes] = []
        append = keys.append
        buf, pos = self.buf, self.pos
        while n:
            end = buf.find(b"\r\n", pos)
            if end >= 0:
                if buf[pos : pos + 1] != b"$":
                    raise self._bad("a SCAN key is not a bulk string", buf[pos:end])
                size = self._int(buf[pos + 1 : end], "a key length", 0, MAX_BULK)
                start = end + 2
                stop = start + size
                if stop + 2 <= len(buf):
                    if buf[stop : stop + 2] != b"\r\n":
                        raise self._bad("a SCAN key not followed by CRLF")
                    append(buf[start:stop])
                    pos = stop + 2
                    n -= 1
                    continue
            elif len(buf) - pos > MAX_LINE:
                raise self._bad(f"a line over {MAX_LINE // 1024} KiB without CRLF")
            self.pos = pos
            self._fill()
            buf, pos = self.buf, self.pos
        self.buf, self.pos = buf, pos
        return cursor, keys

    def read_lines(self, n: int) -> list[bytes]:
        """The next ``n`` single-line replies, raw (``+string``, ``:12``, ``$-1``, ``-ERR ...``)."""
        if n == 0:
            return []
        limit = max(MAX_LINE, n * 1024)  # these replies are a few bytes each: `+string`, `:-1`, `-NOPERM ...`
        while True:
            # count line ends in the unread part; cheap compared with parsing
            if self.buf.count(b"\r\n", self.pos) >= n:
                parts = self.buf[self.pos :].split(b"\r\n", n)
                self.buf = parts.pop()
                self.pos = 0
                return parts
            if len(self.buf) - self.pos > limit:
                raise self._bad(f"{n} one-line replies took over {limit // 1024} KiB")
            self._fill()
