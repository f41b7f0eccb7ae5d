"""The keyspace walk: SCAN on every primary, TYPE + PTTL (+ MEMORY USAGE) per batch.

One round trip per batch: the TYPE/PTTL commands for the keys of one SCAN reply go out
in one write together with the next SCAN, so the server answers both at once. A second
round trip is made only when the batch holds streams (XLEN is always checked) or when
``--sizes`` asks for element counts. Only read commands are ever sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import UserError, one_line
from .connect import Node, Target
from .wire import (
    DeadlineExceeded,
    ProtocolError,
    ReplyError,
    WireClosed,
    pack,
    pack_per_key,
    prefix,
    reply_text,
)

# one record per live key: (key, type, pttl_ms, memory_bytes|None, size|None)
Record = tuple[bytes, str, int, int | None, int | None]

SIZE_COMMANDS = {
    "string": b"STRLEN",
    "hash": b"HLEN",
    "set": b"SCARD",
    "zset": b"ZCARD",
    "list": b"LLEN",
    "stream": b"XLEN",
}
SIZE_PREFIX = {t: prefix(c) for t, c in SIZE_COMMANDS.items()}
TYPE_PREFIX = prefix(b"TYPE")
PTTL_PREFIX = prefix(b"PTTL")
MEMORY_PREFIX = prefix(b"MEMORY", b"USAGE")


@dataclass
class ScanOptions:
    match: str | None = None
    type: str | None = None
    count: int = 1000
    rate: float | None = None  # keys per second
    sample: int | None = None  # stop after this many keys
    memory: bool = False
    sizes: bool = False


@dataclass
class ScanStats:
    seen: int = 0  # keys returned by SCAN and examined (including expired ones)
    expired: int = 0  # gone between SCAN and TYPE/PTTL
    dbsize: int | None = None  # sum of DBSIZE over the walked nodes, None when unknown
    notes: list[str] = field(default_factory=list)
    memory_available: bool = True
    complete: bool = True  # False when stopped early by --sample


class TokenBucket:
    """Keeps the average at ``rate`` keys/s with a small burst (a tenth of a second)."""

    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = float(rate)
        self.capacity = float(burst if burst is not None else max(1.0, rate / 10))
        self.tokens = self.capacity
        self.clock, self.sleep = clock, sleep
        self.last = clock()

    def acquire(self, n: int) -> None:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
        self.last = now
        self.tokens -= n
        if self.tokens < 0:
            self.sleep(-self.tokens / self.rate)


def _scan_args(cursor: bytes, opts: ScanOptions, count: int) -> bytes:
    args = [b"SCAN", cursor]
    if opts.match:
        args += [b"MATCH", opts.match.encode("utf-8", "surrogateescape")]
    args += [b"COUNT", b"%d" % count]
    if opts.type:
        args += [b"TYPE", opts.type.encode()]
    return pack(args)


class Scanner:
    def __init__(
        self,
        target: Target,
        opts: ScanOptions,
        sink: Callable[[list[Record]], None],
        progress: Callable[[int, int | None], None] | None = None,
    ) -> None:
        self.target = target
        self.opts = opts
        self.sink = sink
        self.progress = progress
        self.stats = ScanStats()
        deadline = target.deadline
        sleep = deadline.sleep if deadline is not None else time.sleep
        self.bucket = TokenBucket(opts.rate, sleep=sleep) if opts.rate else None
        self.count = opts.count
        if opts.rate:  # keep batches small enough that the rate is smooth
            self.count = max(1, min(opts.count, int(opts.rate / 10) or 1))
        self._memory = opts.memory
        self._sizes_denied: set[str] = set()

    # ---- helpers ---------------------------------------------------------------
    def _note(self, text: str) -> None:
        if text not in self.stats.notes:
            self.stats.notes.append(text)

    def _fatal(self, node: Node, what: str, err: object) -> UserError:
        msg = one_line(err, 200)
        if msg.startswith("NOPERM") or "no permissions" in msg:
            return UserError(f"audit: the user may not run {what} on {node.label}: {msg}")
        return UserError(f"audit: {what} failed on {node.label}: {msg}")

    def _dbsizes(self) -> list[int | None]:
        sizes: list[int | None] = []
        for node in self.target.nodes:
            try:
                size = node.wire.command("DBSIZE")
            except ReplyError as exc:
                self._note(f"DBSIZE not permitted ({reply_text(exc)}): no progress total or extrapolation")
                sizes.append(None)
                continue
            if not isinstance(size, int) or size < 0:
                raise ProtocolError(f"malformed DBSIZE reply from {node.label}")
            sizes.append(size)
        known = [s for s in sizes if s is not None]
        self.stats.dbsize = sum(known) if len(known) == len(sizes) else None
        return sizes

    # ---- the walk --------------------------------------------------------------
    def run(self) -> ScanStats:
        try:
            sizes = self._dbsizes()
            quotas: list[int | None] = [None] * len(sizes)
            if self.opts.sample is not None:
                quotas = self._split_quota(self.opts.sample, sizes)
            for node, quota in zip(self.target.nodes, quotas, strict=True):
                self._walk(node, quota)
        except DeadlineExceeded as exc:
            raise UserError(
                f"audit: {exc} before the scan finished ({self.stats.seen:,} keys examined); "
                "raise --timeout, or use --sample N"
            ) from None
        except ProtocolError as exc:
            raise UserError(f"audit: {one_line(exc, 200)}; stopped the scan") from None
        except WireClosed as exc:
            raise UserError(f"audit: {exc} during the scan") from None
        return self.stats

    @staticmethod
    def _split_quota(sample: int, sizes: list[int | None]) -> list[int | None]:
        """Share --sample across primaries in proportion to their DBSIZE."""
        if len(sizes) == 1 or any(s is None for s in sizes) or not sum(sizes):  # type: ignore[arg-type]
            # unknown sizes: every node gets an equal share
            share = -(-sample // len(sizes))
            return [share] * len(sizes)
        total = sum(sizes)  # type: ignore[arg-type]
        quotas = [sample * s // total for s in sizes]  # type: ignore[operator]
        for i in sorted(range(len(sizes)), key=lambda i: -sizes[i])[: sample - sum(quotas)]:  # type: ignore
            quotas[i] += 1
        return quotas  # type: ignore[return-value]

    def _walk(self, node: Node, quota: int | None) -> None:
        wire = node.wire
        per_key = [TYPE_PREFIX, PTTL_PREFIX] + ([MEMORY_PREFIX] if self._memory else [])
        wire.send(_scan_args(b"0", self.opts, self.count))
        reply = wire.read_scan()
        if isinstance(reply, ReplyError):
            raise self._fatal(node, "SCAN", reply)
        left = quota
        while True:
            cursor, keys = reply
            if left is not None:
                if len(keys) >= left:
                    if len(keys) > left or cursor != b"0":
                        self.stats.complete = False
                    keys = keys[:left]
                    cursor = b"0"
                left -= len(keys)
            if self.bucket and keys:
                self.bucket.acquire(len(keys))
            more = cursor != b"0"
            payload = pack_per_key(per_key, keys)
            if more:
                payload += _scan_args(cursor, self.opts, self.count)
            if payload:
                wire.send(payload)
            lines = wire.read_lines(len(keys) * len(per_key))
            if more:
                reply = wire.read_scan()
                if isinstance(reply, ReplyError):
                    raise self._fatal(node, "SCAN", reply)
            if keys:
                records = self._records(node, keys, lines, len(per_key))
                if records:
                    self._second_stage(node, records)
                    self.sink(records)
                self.stats.seen += len(keys)
                if self.progress:
                    self.progress(self.stats.seen, self.stats.dbsize)
            if not more:
                return
            if self._memory is False and len(per_key) == 3:
                per_key = per_key[:2]

    def _records(self, node: Node, keys: list[bytes], lines: list[bytes], width: int) -> list[Record]:
        types = lines[0::width]
        pttls = lines[1::width]
        ttl_values = []
        for p in pttls:
            if p[:1] == b"-":
                raise self._fatal(node, "PTTL", p[1:].decode("utf-8", "replace"))
            ttl_values.append(_integer(p, node, "PTTL"))
        if width == 3:
            mems: list[int | None] = []
            for m in lines[2::3]:
                if m[:1] == b":":
                    mems.append(_integer(m, node, "MEMORY USAGE"))
                elif m[:1] == b"-":
                    self._memory = False
                    self.stats.memory_available = False
                    self._note(
                        f"MEMORY USAGE not available ({reply_text(m[1:].decode('utf-8', 'replace'))}): "
                        "memory not reported"
                    )
                    mems = [None] * len(keys)
                    break
                else:  # $-1: the key is gone
                    mems.append(None)
        else:
            mems = [None] * len(keys)
        out: list[Record] = []
        expired = 0
        for key, t, ttl, mem in zip(keys, types, ttl_values, mems, strict=True):
            if t[:1] == b"-":
                raise self._fatal(node, "TYPE", t[1:].decode("utf-8", "replace"))
            if t[:1] != b"+" or not t[1:].isascii() or not t[1:].isalpha() or len(t) > 33:
                raise ProtocolError(f"malformed TYPE reply from {node.label}: {t[:40]!r}")
            typ = t[1:].decode("ascii")
            if typ == "none" or ttl == -2:
                expired += 1
                continue
            out.append((key, typ, ttl, mem, None))
        self.stats.expired += expired
        return out

    def _second_stage(self, node: Node, records: list[Record]) -> None:
        """Element counts: XLEN for streams always, every type's size with --sizes."""
        wanted = [
            i
            for i, r in enumerate(records)
            if r[1] in SIZE_PREFIX and r[1] not in self._sizes_denied and (self.opts.sizes or r[1] == "stream")
        ]
        if not wanted:
            return
        parts = []
        for i in wanted:
            key, typ = records[i][0], records[i][1]
            parts.append(SIZE_PREFIX[typ] + b"$%d\r\n%s\r\n" % (len(key), key))
        node.wire.send(b"".join(parts))
        lines = node.wire.read_lines(len(wanted))
        for i, line in zip(wanted, lines, strict=True):
            if line[:1] == b":":
                key, typ, ttl, mem, _ = records[i]
                records[i] = (key, typ, ttl, mem, _integer(line, node, SIZE_COMMANDS[typ].decode()))
            elif line[:1] == b"-":
                msg = line[1:].decode("utf-8", "replace")
                if not msg.startswith("WRONGTYPE"):  # WRONGTYPE: the key changed type meanwhile
                    typ = records[i][1]
                    self._sizes_denied.add(typ)
                    self._note(
                        f"{SIZE_COMMANDS[typ].decode()} not available ({reply_text(msg)}): no sizes for {typ} keys"
                    )


def _integer(line: bytes, node: Node, what: str) -> int:
    """A `:123` reply line as an int; ProtocolError for anything else (a broken or hostile server)."""
    digits = line[2:] if line[1:2] == b"-" else line[1:]
    if line[:1] != b":" or not digits or len(digits) > 19 or not digits.isdigit():
        raise ProtocolError(f"malformed {what} reply from {node.label}: {line[:40]!r}")
    return int(line[1:])
