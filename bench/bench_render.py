"""Render time: `redis-rules new --defaults` next to plain `copier copy --defaults`, same template, one run.

Both run as CLI subprocesses (interpreter start included) from the same tagged git copy
of this checkout, N times each, alternating; prints median and min and the ratio.
Usage: python bench/bench_render.py [--runs 7]
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.test_copier_parity import make_template_repo  # noqa: E402


def timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rr-bench-render-"))
    try:
        repo = make_template_repo(work / "template")
        ours: list[float] = []
        stock: list[float] = []
        for i in range(args.runs):
            ours.append(
                timed(
                    [
                        sys.executable,
                        "-m",
                        "redis_rules",
                        "new",
                        str(work / f"ours{i}"),
                        "--defaults",
                        "--template",
                        str(repo),
                    ]
                )
            )
            stock.append(
                timed(
                    [
                        sys.executable,
                        "-m",
                        "copier",
                        "copy",
                        "--defaults",
                        "--quiet",
                        str(repo),
                        str(work / f"stock{i}"),
                    ]
                )
            )
        print(
            f"render benchmark, {date.today()}, {platform.platform()}, {platform.processor() or 'cpu'}, "
            f"python {platform.python_version()}, runs={args.runs}"
        )
        print(f"{'command':44} {'median s':>9} {'min s':>7}")
        for name, samples in (("redis-rules new --defaults", ours), ("copier copy --defaults (stock)", stock)):
            print(f"{name:44} {statistics.median(samples):9.3f} {min(samples):7.3f}")
        print(f"ratio redis-rules/copier (median): {statistics.median(ours) / statistics.median(stock):.2f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
