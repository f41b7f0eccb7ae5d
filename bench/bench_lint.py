"""Benchmark `redis-rules lint` on real code that uses Redis heavily (and semgrep, if it installs).

    python bench/bench_lint.py                       # temp dir, removed afterwards
    python bench/bench_lint.py --work-dir /tmp/rrb   # keep downloads/semgrep between runs
    python bench/bench_lint.py --no-semgrep

Downloads pinned sdists with `pip download --no-deps --no-binary :all:` at run time (never
committed), extracts them, lints every *.py and reports lines/s. For context it also times a
bare `ast.parse` of the same files: the floor any ast-based Python linter pays. If semgrep can be
pip-installed into a throwaway venv (time-bounded; optional), it runs equivalent pattern rules on
the same files with `--metrics=off` and the table shows its lines/s and the ratio.
"""

from __future__ import annotations

import argparse
import ast
import collections
import gc
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from redis_rules.lint.engine import iter_python_files, lint_paths, read_source  # noqa: E402
from redis_rules.policy import Policy  # noqa: E402

PACKAGES = [
    "redis==5.0.8",
    "rq==1.16.2",
    "limits==3.13.0",
    "django-redis==5.4.0",
    "walrus==0.9.4",
    "celery==5.4.0",
]

SEMGREP_RULES = textwrap.dedent(
    """\
    rules:
      - id: keys-command
        languages: [python]
        severity: ERROR
        message: KEYS
        pattern: $R.keys(...)
      - id: flush-command
        languages: [python]
        severity: ERROR
        message: FLUSH
        pattern-either:
          - pattern: $R.flushall(...)
          - pattern: $R.flushdb(...)
      - id: unbounded-read
        languages: [python]
        severity: WARNING
        message: unbounded read
        pattern-either:
          - pattern: $R.hgetall(...)
          - pattern: $R.smembers(...)
          - pattern: $R.lrange($K, 0, -1)
          - pattern: $R.zrange($K, 0, -1, ...)
      - id: xadd-unbounded
        languages: [python]
        severity: ERROR
        message: XADD without maxlen
        patterns:
          - pattern: $R.xadd(...)
          - pattern-not: $R.xadd(..., maxlen=$M, ...)
          - pattern-not: $R.xadd(..., minid=$M, ...)
      - id: set-without-ttl
        languages: [python]
        severity: ERROR
        message: SET without TTL
        patterns:
          - pattern: $R.set($K, $V, ...)
          - pattern-not: $R.set(..., ex=$T, ...)
          - pattern-not: $R.set(..., px=$T, ...)
          - pattern-not: $R.set(..., keepttl=$T, ...)
    """
)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def download(work: Path, packages: list[str], timeout: int) -> Path:
    sdists = work / "sdists"
    sdists.mkdir(parents=True, exist_ok=True)
    missing = [p for p in packages if not list(sdists.glob(p.split("==")[0].replace("-", "[-_]") + "-*"))]
    if missing:
        log(f"downloading {', '.join(missing)} ...")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--no-binary",
                ":all:",
                "-d",
                str(sdists),
            ]
            + missing,
            check=True,
            timeout=timeout,
        )
    src = work / "src"
    if not src.is_dir():
        src.mkdir()
        for archive in sorted(sdists.iterdir()):
            if archive.name.endswith((".tar.gz", ".tgz")):
                with tarfile.open(archive) as tar:
                    tar.extractall(src, filter="data")
    return src


def count_lines(files: list[Path]) -> int:
    return sum(read_source(f).count("\n") for f in files)


def best_of(repeat: int, fn) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def find_semgrep(work: Path, timeout: int) -> Path | None:
    on_path = shutil.which("semgrep")
    if on_path:
        return Path(on_path)
    venv = work / "semgrep-venv"
    exe = venv / "bin" / "semgrep"
    if exe.exists():
        return exe
    log("installing semgrep into a throwaway venv (optional; bounded) ...")
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
        subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "semgrep"],
            check=True,
            timeout=timeout,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        log(f"semgrep not available: {exc}")
        return None
    return exe if exe.exists() else None


def run_semgrep(exe: Path, rules: Path, target: Path, empty: Path, timeout: int) -> tuple[float, float, int] | None:
    """(seconds on target, seconds on an empty folder = startup, findings)."""
    env = {**os.environ, "SEMGREP_SEND_METRICS": "off", "SEMGREP_ENABLE_VERSION_CHECK": "0"}
    base = [
        str(exe),
        "scan",
        "--metrics=off",
        "--disable-version-check",
        "--config",
        str(rules),
        "--jobs",
        "1",
    ]
    base += ["--json", "--quiet", "--timeout", "0", "--no-git-ignore", "--max-target-bytes", "0"]
    try:
        start = time.perf_counter()
        subprocess.run(base + [str(empty)], capture_output=True, env=env, timeout=timeout, check=False)
        startup = time.perf_counter() - start
        start = time.perf_counter()
        proc = subprocess.run(base + [str(target)], capture_output=True, env=env, timeout=timeout, check=False)
        elapsed = time.perf_counter() - start
    except subprocess.TimeoutExpired:
        log("semgrep timed out")
        return None
    import json

    try:
        results = json.loads(proc.stdout)["results"]
    except (ValueError, KeyError):
        log(f"semgrep failed (exit {proc.returncode}): {proc.stderr.decode(errors='replace')[-500:]}")
        return None
    return elapsed, startup, len(results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work-dir", type=Path, help="reuse this folder for downloads and semgrep (kept)")
    parser.add_argument("--no-semgrep", action="store_true")
    parser.add_argument("--semgrep-timeout", type=int, default=600, help="seconds for installing / running semgrep")
    parser.add_argument("--repeat", type=int, default=5, help="best of N (the machine may be shared)")
    parser.add_argument("--jobs", type=int, default=1, help="lint processes (default 1, like semgrep --jobs 1)")
    parser.add_argument("--packages", nargs="*", default=PACKAGES)
    args = parser.parse_args()

    work = args.work_dir or Path(tempfile.mkdtemp(prefix="redis-rules-bench-"))
    try:
        src = download(work, args.packages, timeout=900)
        policy = Policy()
        files = list(iter_python_files([src], policy))
        lines = count_lines(files)
        sources = [read_source(f) for f in files]
        log(f"{len(files)} files, {lines} lines; timing (best of {args.repeat}) ...")

        def parse_all() -> None:
            # trees not kept, GC paused as lint_paths does: this times the parser alone
            gc.disable()
            try:
                for source in sources:
                    ast.parse(source)
            finally:
                gc.enable()

        parse_s = best_of(args.repeat, parse_all)
        found: list = []

        def lint() -> None:
            found[:] = lint_paths([src], policy, jobs=args.jobs)

        lint_s = best_of(args.repeat, lint)
        by_code = collections.Counter(f.code for f in found)

        rows = [
            ("ast.parse only (floor)", parse_s, lines / parse_s, "-"),
            (f"redis-rules lint (jobs={args.jobs})", lint_s, lines / lint_s, str(len(found))),
        ]
        semgrep_note = "skipped (--no-semgrep)"
        if not args.no_semgrep:
            exe = find_semgrep(work, args.semgrep_timeout)
            if exe is None:
                semgrep_note = "not installable here"
            else:
                rules = work / "semgrep-rules.yml"
                rules.write_text(SEMGREP_RULES)
                empty = work / "empty"
                empty.mkdir(exist_ok=True)
                result = run_semgrep(exe, rules, src, empty, args.semgrep_timeout)
                if result is None:
                    semgrep_note = "failed (see above)"
                else:
                    elapsed, startup, count = result
                    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True).stdout.strip()
                    semgrep_note = f"semgrep {version}, 5 pattern rules, --jobs 1, startup {startup:.1f}s"
                    rows.append(("semgrep (wall, incl. startup)", elapsed, lines / elapsed, str(count)))
                    scan = max(elapsed - startup, 1e-9)
                    rows.append(("semgrep (minus startup)", scan, lines / scan, str(count)))

        print(f"\ncorpus: {', '.join(args.packages)}")
        load = os.getloadavg()[0]
        print(f"{len(files)} files, {lines} lines; python {sys.version.split()[0]}, load avg {load:.2f}")
        print(f"\n{'tool':34} {'seconds':>8} {'lines/s':>10} {'findings':>9}")
        for name, secs, rate, count in rows:
            print(f"{name:34} {secs:8.2f} {rate:10,.0f} {count:>9}")
        lint_rate = lines / lint_s
        for name, _secs, rate, _count in rows[2:]:
            print(f"ratio redis-rules / {name}: {lint_rate / rate:.1f}x")
        print(f"redis-rules at {100 * parse_s / lint_s:.0f}% of the bare ast.parse rate")
        print(f"semgrep: {semgrep_note}")
        print("findings by code: " + ", ".join(f"{c} {n}" for c, n in sorted(by_code.items())))
    finally:
        if args.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
