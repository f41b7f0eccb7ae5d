"""Benchmark linting ONE file of a large real project: with the warm project index cache vs a plain run,
and the command line's start-up.

    python bench/bench_lint_index.py                       # temp dir, removed afterwards
    python bench/bench_lint_index.py --work-dir /tmp/rrbi  # keep the download between runs
    python bench/bench_lint_index.py --baseline /path/to/older/checkout   # its CLI timed alongside

Downloads the pinned celery sdist (85k lines of Python; it has a pyproject.toml, so it is one project)
with `pip download --no-deps --no-binary :all:`, then times `lint_paths([one file])`:

- plain: `cache=False` (what every run costs without the cache: the whole project is parsed for facts);
- warm:  `cache=True` after one priming run (only the linted file is parsed; other facts come from
  `.redis-rules-cache/`, validated by each file's mtime and size);
- cold:  `cache=True` with the cache removed first (the priming run: plain + writing the cache).

Each is the median of --runs in this process. For the whole picture it also times the command line (a fresh
interpreter each time, wall and CPU time of the child): `python -m redis_rules lint FILE` warm and with
`--no-cache`, and `redis-rules lint app.py` on a one-file project without and with a policy file (the
Claude hook's case; the policy is schema-checked), next to the
floor no code of ours can lower, `python -c pass`, measured in the same rounds. With --baseline, the same
command lines of another checkout (its `generator/` first on PYTHONPATH) are timed in the same rounds.
"""

from __future__ import annotations

import argparse
import os
import resource
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


def cli_times(runs: int, commands: dict[str, tuple[list[str], Path, dict[str, str]]]) -> dict[str, tuple[float, float]]:
    """label -> (median wall seconds, median CPU seconds of the child) for each command line (python arguments,
    working folder, environment), the commands interleaved in every round (load hits all alike)."""
    walls: dict[str, list[float]] = {k: [] for k in commands}
    cpus: dict[str, list[float]] = {k: [] for k in commands}
    for _ in range(runs):
        for label, (args, cwd, env) in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, check=False)
            walls[label].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus[label].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return {k: (statistics.median(walls[k]), statistics.median(cpus[k])) for k in commands}


ONE_FILE = (
    "import os\n\nimport redis\n\nr = redis.Redis.from_url(os.environ['REDIS_URL'])\n\n\n"
    "def get(key):\n    return r.get(key)\n"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work-dir", type=Path, help="keep downloads here (default: a temp dir)")
    parser.add_argument("--runs", type=int, default=15, help="runs per in-process measurement (median)")
    parser.add_argument("--cli-runs", type=int, default=7, help="rounds of the command-line measurements (median)")
    parser.add_argument("--baseline", type=Path, help="another checkout whose command line is timed alongside")
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
        small = work / "one-file"
        small.mkdir(exist_ok=True)
        (small / "pyproject.toml").write_text("[project]\nname = 'one'\n")
        (small / "app.py").write_text(ONE_FILE)
        with_policy = work / "one-file-with-policy"
        with_policy.mkdir(exist_ok=True)
        (with_policy / "app.py").write_text(ONE_FILE)
        (with_policy / ".redis-rules.yml").write_text('lint:\n  exclude: ["vendor/"]\n')
        env = dict(os.environ)
        lint_cli = ["-m", "redis_rules", "lint"]
        celery = [*lint_cli, TARGET, "--exit-zero"]
        commands: dict[str, tuple[list[str], Path, dict[str, str]]] = {
            "python -c pass (floor)": (["-c", "pass"], project, env),
            "redis-rules lint app.py (one-file project)": ([*lint_cli, "app.py"], small, env),
            "redis-rules lint app.py (with a .redis-rules.yml)": ([*lint_cli, "app.py"], with_policy, env),
            "redis-rules lint FILE --no-cache (celery)": ([*celery, "--no-cache"], project, env),
            "redis-rules lint FILE (celery, warm cache)": (celery, project, env),
        }
        if args.baseline is not None:
            old = {**env, "PYTHONPATH": str(args.baseline.resolve() / "generator")}
            commands["baseline: redis-rules lint app.py"] = ([*lint_cli, "app.py"], small, old)
            commands["baseline: redis-rules lint FILE (warm cache)"] = (celery, project, old)
        subprocess.run([sys.executable, *lint_cli, "app.py"], cwd=small, capture_output=True, check=False)  # prime
        times = cli_times(args.cli_runs, commands)
        print(
            f"project: {PACKAGE} sdist, {len(files)} files, {lines:,} lines; "
            f"linted: {TARGET} ({len(findings)} findings); load average {os.getloadavg()[0]:.1f}"
        )
        print(f"{'measurement (in-process, median)':<52} {'wall':>10}")
        print(f"{'lint_paths([file]) plain (cache=False)':<52} {t_plain * 1000:>8.1f} ms")
        print(f"{'lint_paths([file]) cold (cache written)':<52} {t_cold * 1000:>8.1f} ms")
        print(f"{'lint_paths([file]) warm cache':<52} {t_warm * 1000:>8.1f} ms")
        print(f"{'  warm vs plain':<52} {t_plain / t_warm:>9.1f}x")
        print(f"\n{'command line (fresh interpreter, median)':<52} {'wall':>10} {'cpu':>10}")
        floor = times["python -c pass (floor)"]
        for label, (wall, cpu) in times.items():
            extra = "" if label.startswith("python") else f"   (+{(wall - floor[0]) * 1000:.0f} ms over the floor)"
            print(f"{label:<52} {wall * 1000:>8.1f} ms {cpu * 1000:>7.1f} ms{extra}")
    finally:
        if args.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
