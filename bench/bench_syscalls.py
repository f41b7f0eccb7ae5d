"""System calls per call of the generated modules against raw redis-py commands, counted with strace.

A count, not a timing: it does not move with the machine's load, and on a host where system calls are
dear (a sandboxed kernel: this one measured 95-160 us per loopback round trip, mostly system calls) it
says more about the limiters' ratios to raw INCR than ops/s do. Starts its own server, renders a project
(`redis-rules new --defaults`, redis-py, self-hosted, as bench_modules.py does), then runs each case in a
child process under `strace -f -c` twice (N and 6N calls) and divides the difference by 5N, so the
import and the first connect drop out.

Usage: python bench/bench_syscalls.py [-n 1000] [--server-bin PATH]
Needs: strace on PATH.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from bench_modules import render  # noqa: E402

from redis_rules import servers  # noqa: E402

# Each case is the body of a loop run N times, with `client`, `rate_limit` and `cache` imported.
CASES = {
    "raw INCR (redis-py, the project's client)": 'r.incr("bench:syscalls:incr")',
    "ours sliding_window": 'rate_limit.check_rate_limit("bench", "ip", "s", limit=10**9, window=60)',
    "ours token_bucket": (
        'rate_limit.check_rate_limit("bench", "ip", "t", limit=10**9, window=60, algorithm="token_bucket")'
    ),
    "ours fixed_window": (
        'rate_limit.check_rate_limit("bench", "ip", "f", limit=10**9, window=60, algorithm="fixed_window")'
    ),
    "raw GET (redis-py, the project's client)": 'r.get("bench:syscalls:get")',
    "ours cache.get_or_set hit": 'cache.get_or_set("bench:syscalls:cache", 300, lambda: {"v": 1})',
}

LOOP = """
import sys
sys.path.insert(0, {project!r})
from {package} import cache, client, rate_limit
r = client.get_client()
r.set("bench:syscalls:get", "v", ex=300)
for _ in range(int(sys.argv[1])):
    {body}
"""


def syscalls(script: Path, calls: int, env: dict[str, str], out: Path) -> dict[str, int]:
    """strace -f -c of ``python script calls``: {system call: count, "total": all}."""
    subprocess.run(
        ["strace", "-f", "-c", "-o", str(out), sys.executable, str(script), str(calls)],
        check=True, env=env, capture_output=True,
    )  # fmt: skip
    counts: dict[str, int] = {}
    for line in out.read_text().splitlines():
        parts = line.split()
        if parts and parts[-1] == "total":
            counts["total"] = int(parts[3] if len(parts) >= 5 else parts[2])
        elif len(parts) >= 5 and parts[3].isdigit() and parts[-1].isidentifier():
            counts[parts[-1]] = int(parts[3])
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=1000, help="calls of the shorter run (the longer one makes 6n)")
    parser.add_argument("--server-bin", default=None, help="server binary (default: as servers.py finds)")
    args = parser.parse_args()
    if shutil.which("strace") is None:
        print("bench_syscalls: needs strace on PATH (apt-get install strace)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="rr-syscalls-") as tmp:
        work = Path(tmp)
        project = work / "proj"
        render(project)
        package = next(p for p in project.rglob("rate_limit.py")).parent.relative_to(project)
        with servers.running_server(binary=args.server_bin) as server:
            env = dict(os.environ, REDIS_URL=server.url, APP_ENV="dev")
            print(f"bench_syscalls: {server.flavour} on 127.0.0.1, system calls per call (strace -f -c, "
                  f"{5 * args.n} calls: {6 * args.n} minus {args.n})\n")  # fmt: skip
            print("| case | per call | of which |\n|---|---:|---|")
            for name, body in CASES.items():
                script = work / "loop.py"
                script.write_text(
                    textwrap.dedent(LOOP).format(project=str(project), package=".".join(package.parts), body=body)
                )
                short = syscalls(script, args.n, env, work / "short.txt")
                long = syscalls(script, 6 * args.n, env, work / "long.txt")
                per = {k: (long.get(k, 0) - short.get(k, 0)) / (5 * args.n) for k in set(short) | set(long)}
                parts = ", ".join(f"{k} {v:.1f}" for k, v in sorted(per.items()) if k != "total" and v >= 0.05)
                print(f"| {name} | {per['total']:.1f} | {parts} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
