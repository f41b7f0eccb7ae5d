"""Benchmark linting ONE file of a large real project: with the warm project index cache vs a plain run.

    python bench/bench_lint_index.py                       # temp dir, removed afterwards
    python bench/bench_lint_index.py --work-dir /tmp/rrbi  # keep the download between runs

Downloads the pinned celery sdist (85k lines of Python; it has a pyproject.toml, so it is one project)
with `pip download --no-deps --no-binary :all:`, then times `lint_paths([one file])`:

- plain: `cache=False` (what every run costs without the cache: the whole project is parsed for facts);
- warm:  `cache=True` after one priming run (only the linted file is parsed; other facts come from
  `.redis-rules-cache/`, validated by each file's mtime and size);
- cold:  `cache=True` with the cache removed first (the priming run: plain + writing the cache).

Each is the median of --runs in this process. For the whole picture it also times the command line
(`python -m redis_rules lint FILE`, a fresh interpreter each time) warm and with `--no-cache`, next to the
bare interpreter start + `import redis_rules.cli` measured alongside: the part no cache can remove.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "generator"))

from redis_rules.lint.engine import iter_source_files, lint_paths, read_source  # noqa: E402
from redis_rules.lint.index import CACHE_DIR  # noqa: E402
from redis_rules.policy import find_policy  # noqa: E402

PACKAGE = "celery==5.4.0"
TARGET = "celery/backends/redis.py"  # imports Redis clients and project modules


def fetch(work: Path) -> Path:
    archives = work / "archives"
    archives.mkdir(parents=True, exist_ok=True)
    if not list(archives.glob("celery-*.tar.gz")):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--no-deps",
                "--no-binary",
                ":all:",
                PACKAGE,
                "-d",
                archives,
            ],
            check=True,
        )
    (archive,) = archives.glob("celery-*.tar.gz")
    dest = work / "src"
    if not dest.exists():
        with tarfile.open(archive) as tar:
            tar.extractall(dest, filter="data")
    (project,) = [p for p in dest.iterdir() if p.is_dir()]
    return project


def median_seconds(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cli_seconds(project: Path, args: list[str], runs: int) -> float:
    def once() -> None:
        subprocess.run([sys.executable, *args], cwd=project, capture_output=True, check=False)

    return median_seconds(once, runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work-dir", type=Path, help="keep downloads here (default: a temp dir)")
    parser.add_argument("--runs", type=int, default=15, help="runs per measurement (median)")
    args = parser.parse_args()
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="rr-bench-index-"))
    try:
        project = fetch(work)
        target = project / TARGET
        policy = find_policy(project)
        files = list(iter_source_files([project], policy))
        lines = sum(read_source(f).count("\n") for f in files)

        def plain() -> None:
            lint_paths([target], policy, cache=False)

        def warm() -> None:
            lint_paths([target], policy, cache=True)

        def cold() -> None:
            shutil.rmtree(project / CACHE_DIR, ignore_errors=True)
            lint_paths([target], policy, cache=True)

        t_plain = median_seconds(plain, args.runs)
        t_cold = median_seconds(cold, max(3, args.runs // 3))
        warm()
        t_warm = median_seconds(warm, args.runs)
        findings = lint_paths([target], policy, cache=True)
        env_cli = ["-m", "redis_rules", "lint", TARGET, "--exit-zero"]
        t_start = cli_seconds(project, ["-c", "import redis_rules.cli as c; c.build_parser()"], 5)
        t_cli_plain = cli_seconds(project, [*env_cli, "--no-cache"], 5)
        t_cli_warm = cli_seconds(project, env_cli, 5)
        print(
            f"project: {PACKAGE} sdist, {len(files)} files, {lines:,} lines; "
            f"linted: {TARGET} ({len(findings)} findings)"
        )
        print(f"{'measurement':<52} {'median':>10}")
        print(f"{'lint_paths([file]) plain (cache=False)':<52} {t_plain * 1000:>8.1f} ms")
        print(f"{'lint_paths([file]) cold (cache written)':<52} {t_cold * 1000:>8.1f} ms")
        print(f"{'lint_paths([file]) warm cache':<52} {t_warm * 1000:>8.1f} ms")
        print(f"{'  warm vs plain':<52} {t_plain / t_warm:>9.1f}x")
        print(f"{'CLI: interpreter + import redis_rules.cli (peer)':<52} {t_start * 1000:>8.1f} ms")
        print(f"{'CLI: redis-rules lint FILE --no-cache':<52} {t_cli_plain * 1000:>8.1f} ms")
        print(f"{'CLI: redis-rules lint FILE (warm cache)':<52} {t_cli_warm * 1000:>8.1f} ms")
    finally:
        if args.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
