"""Wiring: connect, scan, aggregate, build the report."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..policy import Policy
from .checks import DEFAULT_FAIL_ON
from .connect import DEFAULT_TIMEOUT, connect
from .report import Aggregator, Thresholds, build
from .scanner import Scanner, ScanOptions
from .wire import Deadline


@dataclass
class AuditOptions:
    url: str
    policy: Policy = field(default_factory=Policy)
    env: str | None = None
    scan: ScanOptions = field(default_factory=ScanOptions)
    big_bytes: int | None = None
    big_elements: int | None = None
    top: int = 10
    examples: int = 5
    fail_on: frozenset[str] = frozenset(DEFAULT_FAIL_ON)
    timeout: float = DEFAULT_TIMEOUT


def run_audit(
    opts: AuditOptions, progress: Callable[[int, int | None], None] | None = None
) -> tuple[dict[str, Any], Aggregator]:
    """Run the audit; returns the JSON-ready report and the aggregator (for text rendering)."""
    policy = opts.policy
    th = Thresholds(
        big_bytes=opts.big_bytes if opts.big_bytes is not None else policy.audit.big_key_bytes,
        big_elements=opts.big_elements if opts.big_elements is not None else policy.audit.big_key_elements,
        stream_maxlen=policy.audit.stream_maxlen,
        max_ttl_ms=policy.max_ttl * 1000,
    )
    agg = Aggregator(
        policy, opts.env, th, top=opts.top, examples=opts.examples, memory=opts.scan.memory, sizes=opts.scan.sizes
    )
    # one deadline for the whole run: connecting, every read and write, --rate sleeps
    deadline = Deadline(opts.timeout)
    try:
        target = connect(opts.url, deadline)
        try:
            start = time.perf_counter()
            scanner = Scanner(target, opts.scan, agg.add, progress)
            stats = scanner.run()
            duration = time.perf_counter() - start
        finally:
            target.close()
    finally:
        deadline.cancel()  # stops its watchdog thread, also when connecting failed
    notes = target.notes + stats.notes
    if opts.env and not agg.fmt.has_env:
        notes.append(f"--env given but the key format {policy.key_format} has no {{env}}: wrong-env not checked")
    if not stats.complete and (opts.scan.match or opts.scan.type):
        notes.append("--sample with --match/--type: totals not extrapolated (DBSIZE counts every key)")
    elif not stats.complete and stats.dbsize is None:
        notes.append("--sample without DBSIZE: totals not extrapolated")
    if not (opts.scan.memory or opts.scan.sizes):
        notes.append("big-key checked for streams only: add --memory or --sizes to measure other keys")
    stats.notes = notes
    server = {
        "url": target.url,
        "version": target.version,
        "flavour": target.flavour,
        "mode": target.mode,
        "nodes": len(target.nodes),
    }
    options = {
        "env": opts.env,
        "match": opts.scan.match,
        "type": opts.scan.type,
        "count": opts.scan.count,
        "rate": opts.scan.rate,
        "sample": opts.scan.sample,
        "memory": opts.scan.memory,
        "sizes": opts.scan.sizes,
        "big_bytes": th.big_bytes,
        "big_elements": th.big_elements,
        "stream_maxlen": th.stream_maxlen,
        "max_ttl_s": policy.max_ttl,
        "key_format": policy.key_format,
        "fail_on": sorted(opts.fail_on),
    }
    report = build(agg, server=server, stats=stats, duration=duration, fail_on=opts.fail_on, options=options)
    return report, agg


class Progress:
    """A one-line progress bar on stderr (only used when stderr is a TTY)."""

    def __init__(self, stream=sys.stderr, interval: float = 0.1) -> None:
        self.stream = stream
        self.interval = interval
        self.last = 0.0
        self.start = time.monotonic()
        self.shown = False

    def __call__(self, seen: int, total: int | None) -> None:
        now = time.monotonic()
        if now - self.last < self.interval:
            return
        self.last = now
        rate = seen / (now - self.start) if now > self.start else 0
        if total:
            frac = min(1.0, seen / total)
            bar = "#" * int(frac * 30)
            text = f"\rscanning [{bar:<30}] {seen:,}/{total:,} keys ({frac:.0%}) {rate:,.0f} keys/s "
        else:
            text = f"\rscanning {seen:,} keys {rate:,.0f} keys/s "
        self.stream.write(text)
        self.stream.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
