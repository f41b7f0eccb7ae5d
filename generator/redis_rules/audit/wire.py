"""A minimal RESP2 reader/writer on top of a connected redis-py connection.

redis-py opens the connection (URL parsing, TLS, AUTH, SELECT, timeouts); the audit's
hot loop then talks to the socket directly. Without hiredis, redis-py's pure-Python
pipeline parser costs more than the server does, and every command the audit pipelines
(TYPE, PTTL, MEMORY USAGE, STRLEN/HLEN/SCARD/ZCARD/LLEN/XLEN) answers with a single
RESP line, so a batch of N replies is N lines: one ``split`` instead of N parser calls.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable, Sequence
from typing import Any


class ReplyError(Exception):
    """An error reply (``-ERR ...``) from the server; ``str()`` is the message without '-'."""


class WireClosed(Exception):
    """The server closed the connection or did not answer in time."""


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

    def __init__(self, sock: socket.socket, *, label: str) -> None:
        self.sock = sock
        self.label = label  # redacted host:port, for messages
        self.buf = b""
        self.pos = 0

    # ---- sending -------------------------------------------------------------
    def send(self, data: bytes) -> None:
        try:
            self.sock.sendall(data)
        except TimeoutError as exc:
            raise WireClosed(f"timed out writing to {self.label}") from exc
        except OSError as exc:
            raise WireClosed(f"connection to {self.label} lost: {exc.strerror or exc}") from exc

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
            chunk = self.sock.recv(262144)
        except TimeoutError as exc:
            raise WireClosed(f"timed out waiting for {self.label}") from exc
        except OSError as exc:
            raise WireClosed(f"connection to {self.label} lost: {exc.strerror or exc}") from exc
        if not chunk:
            raise WireClosed(f"connection closed by {self.label}")
        if self.pos:
            self.buf = self.buf[self.pos :] + chunk
            self.pos = 0
        else:
            self.buf += chunk

    def _line(self) -> bytes:
        while True:
            end = self.buf.find(b"\r\n", self.pos)
            if end >= 0:
                line = self.buf[self.pos : end]
                self.pos = end + 2
                return line
            self._fill()

    def _exact(self, n: int) -> bytes:
        while len(self.buf) - self.pos < n + 2:
            self._fill()
        data = self.buf[self.pos : self.pos + n]
        self.pos += n + 2
        return data

    def read_reply(self) -> Any:
        """One reply; an error reply is returned (not raised) as a ReplyError."""
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read_reply() for _ in range(n)]
        if kind == b"-":
            return ReplyError(rest.decode("utf-8", "replace"))
        raise WireClosed(f"unexpected reply from {self.label}: {line[:40]!r}")

    def read_scan(self) -> tuple[bytes, list[bytes]] | ReplyError:
        """A SCAN reply ``[cursor, [key, ...]]``, parsed in one loop (the hot path)."""
        head = self._line()
        if head[:1] == b"-":
            return ReplyError(head[1:].decode("utf-8", "replace"))
        if head != b"*2":
            raise WireClosed(f"unexpected SCAN reply from {self.label}: {head[:40]!r}")
        cursor = self.read_reply()
        count_line = self._line()
        if count_line[:1] != b"*":
            raise WireClosed(f"unexpected SCAN reply from {self.label}: {count_line[:40]!r}")
        n = int(count_line[1:])
        keys: list[bytes] = []
        append = keys.append
        buf, pos = self.buf, self.pos
        while n:
            end = buf.find(b"\r\n", pos)
            if end >= 0:
                size = int(buf[pos + 1 : end])
                start = end + 2
                stop = start + size
                if stop + 2 <= len(buf):
                    append(buf[start:stop])
                    pos = stop + 2
                    n -= 1
                    continue
            self.pos = pos
            self._fill()
            buf, pos = self.buf, self.pos
        self.buf, self.pos = buf, pos
        return cursor, keys

    def read_lines(self, n: int) -> list[bytes]:
        """The next ``n`` single-line replies, raw (``+string``, ``:12``, ``$-1``, ``-ERR ...``)."""
        if n == 0:
            return []
        while True:
            # count line ends in the unread part; cheap compared with parsing
            if self.buf.count(b"\r\n", self.pos) >= n:
                parts = self.buf[self.pos :].split(b"\r\n", n)
                self.buf = parts.pop()
                self.pos = 0
                return parts
            self._fill()
