"""Benchmark `redis-rules audit` against the usual ways of looking at TTLs.

Starts its own server (generator/redis_rules/servers.py), seeds N small keys with DEBUG POPULATE
(names follow the default key format, a fraction gets a TTL), then measures in one run:

  ours      redis-rules audit (SCAN + pipelined TYPE and PTTL, all checks and the report)
  bare      a bare Python loop: SCAN + a redis-py pipeline of TTL per batch (the practical ceiling)
  bigkeys   redis-cli --bigkeys over the whole keyspace
  xargs     redis-cli --scan | xargs -L1 redis-cli ttl, on a subset, scaled to keys/s

Usage: python bench/bench_audit.py [--keys 1000000] [--subset 10000] [--binary valkey|redis]
Targets: ours >= 0.7x bare, ours >= 100x xargs.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import redis  # noqa: E402

from redis_rules.audit.audit import AuditOptions, run_audit  # noqa: E402
from redis_rules.audit.scanner import ScanOptions  # noqa: E402
from redis_rules.policy import Policy  # noqa: E402
from redis_rules.servers import running_server, server_binaries  # noqa: E402

PREFIX = "shop:prod:cart:item"


def seed(client: redis.Redis, n: int, ttl_every: int) -> None:
    client.execute_command("DEBUG", "POPULATE", n, PREFIX, 16)
    pipe = client.pipeline(transaction=False)
    for i in range(0, n, ttl_every):
        pipe.expire(f"{PREFIX}:{i}", 3600)
        if len(pipe) >= 10_000:
            pipe.execute()
    pipe.execute()


def bench_ours(url: str) -> tuple[int, float]:
    opts = AuditOptions(url=url, policy=Policy(app="shop"), env="prod", scan=ScanOptions(count=1000))
    start = time.perf_counter()
    report, _ = run_audit(opts)
    return report["scanned"], time.perf_counter() - start


def bench_bare(url: str) -> tuple[int, float]:
    start = time.perf_counter()
    client = redis.Redis.from_url(url)
    n, cursor = 0, 0
    while True:
        cursor, keys = client.scan(cursor, count=1000)
        pipe = client.pipeline(transaction=False)
        for k in keys:
            pipe.ttl(k)
        pipe.execute()
        n += len(keys)
        if cursor == 0:
            break
    client.close()
    return n, time.perf_counter() - start


def bench_bigkeys(cli: str, port: int) -> tuple[int | None, float]:
    start = time.perf_counter()
    out = subprocess.run([cli, "-p", str(port), "--bigkeys"], capture_output=True, text=True, check=True).stdout
    elapsed = time.perf_counter() - start
    scanned = None
    for line in out.splitlines():  # "Sampled 1000000 keys in the keyspace!"
        if line.startswith("Sampled ") and "keys" in line:
            scanned = int(line.split()[1])
    return scanned, elapsed


def bench_xargs(cli: str, port: int, subset: int) -> tuple[int, float]:
    cmd = f"{cli} -p {port} --scan | head -n {subset} | xargs -L1 {cli} -p {port} ttl > /dev/null"
    start = time.perf_counter()
    subprocess.run(["bash", "-o", "pipefail", "-c", cmd], check=False)
    return subset, time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keys", type=int, default=1_000_000, help="keys to seed (default 1,000,000)")
    ap.add_argument("--subset", type=int, default=10_000, help="keys for the xargs pipeline (default 10,000)")
    ap.add_argument("--ttl-every", type=int, default=3, help="every Nth key gets a TTL (default 3)")
    ap.add_argument("--binary", help="server label from server_binaries() (default: the first)")
    args = ap.parse_args()

    binaries = server_binaries()
    if not binaries:
        print("no server binary found", file=sys.stderr)
        return 2
    label = args.binary or next(iter(binaries))
    cli = shutil.which("redis-cli") or shutil.which("valkey-cli")
    with running_server(binaries[label], extra_args=("--enable-debug-command", "yes")) as server:
        client = redis.Redis.from_url(server.url)
        t0 = time.perf_counter()
        seed(client, args.keys, args.ttl_every)
        print(
            f"server: {label} ({server.flavour}) on port {server.port}; seeded {client.dbsize():,} keys "
            f"in {time.perf_counter() - t0:.1f} s"
        )
        client.close()

        rows: list[tuple[str, int | None, float, str]] = []
        n, t = bench_ours(server.url)
        rows.append(("ours: redis-rules audit (TYPE+PTTL, checks, report)", n, t, "full"))
        n, t = bench_bare(server.url)
        rows.append(("bare loop: SCAN + redis-py pipelined TTL", n, t, "full"))
        if cli:
            n2, t = bench_bigkeys(cli, server.port)
            rows.append(("redis-cli --bigkeys", n2 or args.keys, t, "full"))
            n, t = bench_xargs(cli, server.port, min(args.subset, args.keys))
            rows.append(("redis-cli --scan | xargs -L1 redis-cli ttl", n, t, f"subset of {n:,}, scaled"))
        else:
            print("redis-cli not found: skipping the redis-cli rows", file=sys.stderr)

    ours_rate = rows[0][1] / rows[0][2]
    print()
    print(f"{'method':<54} {'keys':>10} {'seconds':>8} {'keys/s':>11} {'ours is':>9}  note")
    for name, n, t, note in rows:
        rate = (n or 0) / t
        ratio = f"{ours_rate / rate:.2f}x" if rate else "-"
        print(f"{name:<54} {n or 0:>10,} {t:>8.2f} {rate:>11,.0f} {ratio:>9}  {note}")
    bare_rate = rows[1][1] / rows[1][2]
    print()
    ok = True
    print(
        f"target ours >= 0.7x bare loop: {ours_rate / bare_rate:.2f}x "
        f"{'ok' if ours_rate >= 0.7 * bare_rate else 'MISSED'}"
    )
    ok &= ours_rate >= 0.7 * bare_rate
    if cli:
        xargs_rate = rows[3][1] / rows[3][2]
        print(
            f"target ours >= 100x xargs: {ours_rate / xargs_rate:.0f}x "
            f"{'ok' if ours_rate >= 100 * xargs_rate else 'MISSED'}"
        )
        ok &= ours_rate >= 100 * xargs_rate
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
