"""Generated modules against their floors and against the `limits` library, one run, one server.

Starts its own server (generator/redis_rules/servers.py), renders a project with
`redis-rules new --defaults` (redis-py, self-hosted) into a temp dir, imports its modules
and measures, on a single connection with sequential calls, N iterations each:

- rate limiting: our sliding_window / token_bucket / fixed_window checks against a raw
  INCR loop (the floor) and against `limits` (RedisStorage + MovingWindowRateLimiter,
  SlidingWindowCounterRateLimiter, FixedWindowRateLimiter) on the same server; two kinds
  of reference rows say what bounds each limiter: a bare EVALSHA of a script that only
  reads TIME (what any server-clock script costs), and a bare EVALSHA of each of our
  scripts with the arguments check_rate_limit sends, through redis-py's execute_command
  (the server's share plus redis-py's per-command layer; "ours" sends the same EVALSHA
  through the generated driver's own pooled-connection path, `_driver._call`, so the gap
  is what the module and the deadline cost minus what that path saves);
- cache hit: cache.get_or_set against a raw GET of the same key;
- lock: locks.acquire_lock + release_lock against redis-py's Lock (acquire + release).

Each case runs N iterations per round, --rounds times, in sweeps: one sweep runs every case
for --chunk calls (default 250, about 30 ms each), one after the other. A ratio is taken
between two cases of the same sweep, so both saw the same machine (these shared machines
switch between fast and slow phases that last seconds: the best chunk of each case, the
method before, could pair a fast-phase floor with a slow-phase case); the table gives the
median over the sweeps of each ratio, with its interquartile range, and each case's
median ops/s. Targets: every limiter >= 0.8x raw INCR and >= 1.0x its `limits`
equivalent; cache hit >= 0.9x raw GET.

Usage: python bench/bench_modules.py [-n 20000] [--rounds 3] [--chunk 250] [--server-bin PATH]
Needs: pip install limits
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from redis_rules import servers  # noqa: E402

BIG = 10**9  # limit high enough that every check is admitted (the write path, the slow one)


def render(dest: Path, client: str = "redis-py") -> None:
    """``redis-rules new DEST --defaults`` of this checkout (self-hosted) for ``client``."""
    cmd = [
        sys.executable, "-m", "redis_rules", "new", str(dest), "--defaults",
        "--data", f"client={client}", "--data", "flavour=self-hosted",
    ]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)


def ops_per_second(fn: Callable[[], object], n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        fn()
    return n / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=20_000, help="iterations per case and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--chunk", type=int, default=250, help="calls of each case per sweep")
    parser.add_argument(
        "--server-bin", default=None, help="server binary (default: as generator/redis_rules/servers.py finds)"
    )
    args = parser.parse_args()

    try:
        import limits
        from limits import RateLimitItemPerMinute
        from limits.storage import RedisStorage
        from limits.strategies import (
            FixedWindowRateLimiter,
            MovingWindowRateLimiter,
            SlidingWindowCounterRateLimiter,
        )
    except ImportError:
        print("this benchmark needs the limits library: pip install limits", file=sys.stderr)
        return 2
    import redis

    work = Path(tempfile.mkdtemp(prefix="rr-bench-modules-"))
    try:
        render(work / "proj")
        sys.path.insert(0, str(work / "proj"))
        with servers.running_server(binary=args.server_bin) as server:
            os.environ["REDIS_URL"] = server.url
            os.environ["APP_ENV"] = "test"
            pkg = "my_service.db.redis"
            client = importlib.import_module(f"{pkg}.client")
            keys = importlib.import_module(f"{pkg}.keys")
            rate_limit = importlib.import_module(f"{pkg}.rate_limit")
            missing: list[str] = []
            optional: dict[str, Any] = {}
            for name in ("cache", "locks"):
                try:
                    optional[name] = importlib.import_module(f"{pkg}.{name}")
                except ImportError as exc:
                    missing.append(f"{name}.py ({exc})")

            r = client.get_client()
            info = r.info("server")
            if info.get("valkey_version"):
                version = f"valkey {info['valkey_version']}"
            else:
                version = f"redis {info['redis_version']}"
            storage = RedisStorage(server.url)
            per_minute = RateLimitItemPerMinute(BIG)
            moving = MovingWindowRateLimiter(storage)
            counter = SlidingWindowCounterRateLimiter(storage)
            fixed = FixedWindowRateLimiter(storage)
            incr_key = keys.build("bench", "incr", "floor")
            time_only = r.script_load("local now = redis.call('TIME') return 1")
            driver = importlib.import_module(f"{pkg}._driver")

            def bare(algorithm: str) -> Callable[[], object]:
                """EVALSHA of our script with the arguments check_rate_limit sends, straight through redis-py."""
                bucket = keys.rate_limit_bucket_keys("bench", "user", f"bare-{algorithm}", algorithm, limit=BIG)
                sha = r.script_load(rate_limit._LUA[algorithm])
                fixed = [str(BIG), str(keys.window_ms(keys.DEFAULT_RATE_WINDOW)), "1"]
                if algorithm == "sliding_window":  # the one script that takes a request id
                    return lambda: r.evalsha(sha, len(bucket), *bucket, *fixed, driver.request_id())
                return lambda: r.evalsha(sha, len(bucket), *bucket, *fixed)

            cases: dict[str, Callable[[], object]] = {
                "raw INCR (floor)": lambda: r.incr(incr_key),
                "ours sliding_window": lambda: rate_limit.check_rate_limit("bench", "user", "sw", limit=BIG),
                "ours token_bucket": lambda: rate_limit.check_rate_limit(
                    "bench", "user", "tb", limit=BIG, algorithm="token_bucket"
                ),
                "ours fixed_window": lambda: rate_limit.check_rate_limit(
                    "bench", "user", "fw", limit=BIG, algorithm="fixed_window"
                ),
                "bare EVALSHA, TIME only": lambda: r.evalsha(time_only, 1, incr_key),
                "bare EVALSHA sliding_window script": bare("sliding_window"),
                "bare EVALSHA token_bucket script": bare("token_bucket"),
                "bare EVALSHA fixed_window script": bare("fixed_window"),
                "limits moving window": lambda: moving.hit(per_minute, "bench", "mw"),
                "limits sliding window counter": lambda: counter.hit(per_minute, "bench", "swc"),
                "limits fixed window": lambda: fixed.hit(per_minute, "bench", "fw"),
            }
            cache = optional.get("cache")
            if cache is not None:
                cache_key = keys.cache_key("bench", 1, "hit")
                cache.get_or_set(cache_key, 600, lambda: {"id": 1, "name": "bench", "tags": ["a", "b"]})
                cases["raw GET (floor)"] = lambda: r.get(cache_key)
                cases["ours cache.get_or_set hit"] = lambda: cache.get_or_set(cache_key, 600, lambda: None)
            locks = optional.get("locks")
            plain = redis.Redis.from_url(server.url, decode_responses=True)
            lock_key = keys.lock_key("bench-redis-py")
            if locks is not None:

                def ours_lock() -> None:
                    token = locks.acquire_lock("bench", 30)
                    assert token is not None
                    assert locks.release_lock("bench", token)

                cases["ours lock acquire+release"] = ours_lock

            def redis_py_lock() -> None:
                lock = plain.lock(lock_key, timeout=30)
                assert lock.acquire(blocking=False)
                lock.release()

            cases["redis-py Lock acquire+release"] = redis_py_lock

            for fn in cases.values():  # warm up: connect, load scripts
                for _ in range(200):
                    fn()
            # sweeps: every case for one chunk, back to back; ratios are taken within a sweep
            sweeps: list[dict[str, float]] = []
            chunk = max(1, min(args.n, args.chunk))
            for _ in range(args.rounds):
                for _ in range(max(1, args.n // chunk)):
                    sweeps.append({name: ops_per_second(fn, chunk) for name, fn in cases.items()})
            plain.close()
            storage_version = getattr(limits, "__version__", "?")
            r.delete(incr_key)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"bench_modules — {now}")
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        f"server: {version}; redis-py {redis.__version__}; limits {storage_version}"
    )
    print(
        f"single connection, sequential calls, {args.n} iterations x {args.rounds} rounds, {len(sweeps)} sweeps of "
        f"{chunk} calls per case; median over the sweeps (ratios within a sweep), [interquartile range]"
    )
    if missing:
        print("not measured (module not in the template yet): " + "; ".join(missing))
    print()
    floor_of = {
        "bare EVALSHA, TIME only": ("raw INCR (floor)", None),
        "bare EVALSHA sliding_window script": ("raw INCR (floor)", None),
        "bare EVALSHA token_bucket script": ("raw INCR (floor)", None),
        "bare EVALSHA fixed_window script": ("raw INCR (floor)", None),
        "ours sliding_window": ("raw INCR (floor)", "limits moving window"),
        "ours token_bucket": ("raw INCR (floor)", "limits sliding window counter"),
        "ours fixed_window": ("raw INCR (floor)", "limits fixed window"),
        "ours cache.get_or_set hit": ("raw GET (floor)", None),
        "ours lock acquire+release": (None, "redis-py Lock acquire+release"),
    }
    targets = {"raw INCR (floor)": 0.8, "raw GET (floor)": 0.9}
    print("| case | ops/s | vs floor | vs equivalent |")
    print("|---|---:|---:|---:|")
    failed = []
    for name in cases:
        rate = statistics.median(sweep[name] for sweep in sweeps)
        floor, equivalent = floor_of.get(name, (None, None))
        cells = []
        for ref, target in ((floor, targets.get(floor or "")), (equivalent, 1.0 if equivalent else None)):
            if ref is None or ref not in cases:
                cells.append("")
                continue
            ratios = [sweep[name] / sweep[ref] for sweep in sweeps]
            ratio = statistics.median(ratios)
            q1, _, q3 = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else (ratio, ratio, ratio)
            verdict = ""
            if target is not None and name.startswith("ours") and "lock" not in name:
                ok = ratio >= target
                verdict = f" (>= {target}: {'ok' if ok else 'MISSED'})"
                if not ok:
                    failed.append(f"{name} vs {ref}: {ratio:.2f}x < {target}x")
            cells.append(f"{ratio:.2f}x [{q1:.2f}-{q3:.2f}] {ref.split(' (')[0]}{verdict}")
        print(f"| {name} | {rate:,.0f} | {cells[0]} | {cells[1]} |")
    print()
    print("targets " + ("all met" if not failed else "missed: " + "; ".join(failed)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
