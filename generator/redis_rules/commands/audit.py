"""`redis-rules audit`: read-only check of a live keyspace against the project policy."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from ..audit.audit import AuditOptions, Progress, run_audit
from ..audit.checks import CHECKS, DEFAULT_FAIL_ON, parse_big, parse_fail_on
from ..audit.connect import DEFAULT_TIMEOUT, resolve_url
from ..audit.report import render_json, render_text
from ..audit.scanner import ScanOptions
from ..audit.wire import STALL_TIMEOUT
from ..errors import UserError
from ..policy import find_policy, load_policy
from .argtypes import non_negative_int, positive_int

TYPES = ("string", "hash", "list", "set", "zset", "stream")


MAX_SECONDS = 7 * 24 * 3600.0  # --timeout: a week is already no limit
MAX_RATE = 1e9  # --rate: keys per second


def _bounded_float(text: str, high: float) -> float:
    """A finite number in (0, high]: `nan`, `inf`, `-1`, `0` and `1e999` are usage errors (exit 2)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {value:g}")
    if value > high:
        raise argparse.ArgumentTypeError(f"must be at most {high:g}, got {value:g}")
    return value


def _seconds(text: str) -> float:
    return _bounded_float(text, MAX_SECONDS)


def _positive_float(text: str) -> float:
    return _bounded_float(text, MAX_RATE)


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "audit",
        help="read-only check of a live keyspace (SCAN, never KEYS)",
        description=(
            "Walk the keyspace with SCAN (every primary of a cluster), pipelining TYPE and PTTL, and "
            "report keys without TTL, off-format names, keys of other environments, TTLs over the "
            "policy maximum, big keys and long streams. Only read commands are sent; values are "
            "never printed. Exit 0 clean, 1 when a --fail-on check found keys, 2 on usage or "
            "connection errors."
        ),
    )
    p.add_argument(
        "--url",
        help="server URL (default: the env var named by the policy's redis_url_env, "
        "else REDIS_URL); redis://, rediss:// or unix://",
    )
    p.add_argument(
        "--policy",
        type=Path,
        help="policy file (default: .redis-rules.yml of the project in the current directory, else built-in defaults)",
    )
    p.add_argument("--env", help="environment this server serves; keys of other environments are reported as wrong-env")
    g = p.add_argument_group("scan")
    g.add_argument("--match", help="only keys matching this glob (SCAN MATCH)")
    g.add_argument("--type", choices=TYPES, help="only keys of this type (SCAN TYPE)")
    g.add_argument(
        "--sample", type=positive_int, metavar="N", help="stop after N keys and extrapolate totals with DBSIZE"
    )
    g.add_argument("--count", type=positive_int, default=1000, help="SCAN COUNT hint (default 1000)")
    g.add_argument(
        "--rate",
        type=_positive_float,
        metavar="KEYS_PER_S",
        help="at most this many keys per second (gentle on busy servers)",
    )
    g.add_argument("--memory", action="store_true", help="measure MEMORY USAGE per key (default sampling)")
    g.add_argument("--sizes", action="store_true", help="measure STRLEN/HLEN/SCARD/ZCARD/LLEN/XLEN per key")
    g.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"deadline for the whole run: connecting, scanning, every read (default {DEFAULT_TIMEOUT:g}); "
        f"a server silent for {STALL_TIMEOUT:g}s (or the time left) counts as gone",
    )
    r = p.add_argument_group("report")
    r.add_argument(
        "--big",
        metavar="bytes=SIZE,elements=N",
        help="big-key thresholds (default from the policy's audit section: bytes=1MB,elements=10000)",
    )
    r.add_argument("--top", type=non_negative_int, default=10, help="how many big keys to list (default 10)")
    r.add_argument("--examples", type=non_negative_int, default=5, help="example keys per violation (default 5)")
    r.add_argument(
        "--fail-on",
        default=",".join(DEFAULT_FAIL_ON),
        metavar="CHECKS",
        help=f"checks that make the exit code 1: comma list of {', '.join(CHECKS)}, "
        f"or all, none (default {','.join(DEFAULT_FAIL_ON)})",
    )
    r.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    r.add_argument(
        "--progress",
        choices=("auto", "always", "never"),
        default="auto",
        help="progress bar on stderr (auto: only when stderr is a terminal)",
    )
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    policy = load_policy(args.policy) if getattr(args, "policy", None) else find_policy(Path.cwd())
    env = getattr(args, "env", None)
    if env is not None and env not in policy.environments:
        raise UserError(
            f"audit: --env {env!r} is not one of the policy's environments ({', '.join(policy.environments)})"
        )
    fail_on = parse_fail_on(getattr(args, "fail_on", ",".join(DEFAULT_FAIL_ON)))
    big_bytes, big_elements = parse_big(getattr(args, "big", None), policy)
    url = resolve_url(getattr(args, "url", None), policy)
    scan = ScanOptions(
        match=getattr(args, "match", None),
        type=getattr(args, "type", None),
        count=getattr(args, "count", 1000),
        rate=getattr(args, "rate", None),
        sample=getattr(args, "sample", None),
        memory=getattr(args, "memory", False),
        sizes=getattr(args, "sizes", False),
    )
    opts = AuditOptions(
        url=url,
        policy=policy,
        env=env,
        scan=scan,
        big_bytes=big_bytes,
        big_elements=big_elements,
        top=getattr(args, "top", 10),
        examples=getattr(args, "examples", 5),
        fail_on=fail_on,
        timeout=getattr(args, "timeout", DEFAULT_TIMEOUT),
    )
    mode = getattr(args, "progress", "auto")
    show = mode == "always" or (mode == "auto" and sys.stderr.isatty())
    progress = Progress(sys.stderr) if show else None
    try:
        report, agg = run_audit(opts, progress)
    finally:
        if progress:
            progress.done()
    if getattr(args, "format", "text") == "json":
        sys.stdout.write(render_json(report) + "\n")
    else:
        sys.stdout.write(render_text(report, agg))
    return 1 if report["failed"] else 0
