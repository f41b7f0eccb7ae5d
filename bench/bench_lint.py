"""Benchmark `redis-rules lint` on the labelled corpora of real Redis packages: recall, trap rate, lines/s.

    python bench/bench_lint.py                       # temp work dir, removed afterwards
    python bench/bench_lint.py --work-dir /tmp/rrb   # keep archives, extracted sources and semgrep
    python bench/bench_lint.py --corpus typescript --no-semgrep

The corpora are bench/corpus/python.yml (pinned PyPI sdists) and bench/corpus/typescript.yml (pinned npm
tarballs): each row is a location judged by hand, TRUE (a real violation) or TRAP (a look-alike that is
fine). The archives are fetched at run time with the ordinary clients (`pip download --no-deps
--no-binary NAME`, `npm pack`), cached in the work dir and refused unless their sha256 matches.

For each corpus the findings come from `redis-rules lint --format json` run as a subprocess over the
extracted packages (the code path users run). A TRUE row is found when a finding with its rule id is on
its line of its file; a TRAP row is flagged when one is. Printed per corpus and per rule: recall, trap
rate, missed TRUE rows and flagged TRAP rows, findings on unlabelled lines.

Speed: lines/s over every file the linter reads (the files `lint_paths` walks: .py, and .ts/.tsx/.mts/.cts/
.js/.jsx/.mjs/.cjs outside dist/, build/, node_modules/ ...), timed in-process (best of --repeat; a cold
run: no facts cache). The peer, measured in the same run on the same files already in memory, is a bare
parse with the parser the linter uses for each file: `ast.parse` for Python, tree-sitter's TypeScript/TSX
grammar for TypeScript and JavaScript; the ratio lint/parse says what the checks cost on top of parsing.
semgrep, if it pip-installs into a throwaway venv, runs equivalent pattern rules on the Python corpus for
a second peer figure.
"""

from __future__ import annotations

import argparse
import ast
import gc
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from corpus import CORPORA, Corpus, Package, Row, load  # noqa: E402

from redis_rules.lint.engine import iter_source_files, lint_paths, read_source  # noqa: E402
from redis_rules.lint.model import CHECKS  # noqa: E402
from redis_rules.lint.sources import SourceError  # noqa: E402
from redis_rules.lint.typescript import parse as ts_parse  # noqa: E402
from redis_rules.policy import Policy  # noqa: E402

# a project marker in the folder holding a corpus's packages: the linter's project root is that folder
# wherever --work-dir is (without it a marker above the work dir, such as a .git, would become the root)
MARKERS = {"python": "pyproject.toml", "typescript": "package.json"}
TS_SUFFIXES = (".ts", ".tsx", ".mts", ".cts")

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


# ---------------------------------------------------------------- archives
def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(pkg: Package, archives: Path, timeout: int) -> Path:
    """The package's archive in `archives`, downloaded if missing; raises SystemExit on a sha256 mismatch."""
    archives.mkdir(parents=True, exist_ok=True)
    target = archives / pkg.archive
    if not (target.exists() and sha256_of(target) == pkg.sha256):
        log(f"fetching {pkg.spec} ...")
        with tempfile.TemporaryDirectory(dir=archives) as tmp:
            if pkg.fetch == "pip":
                cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
                cmd += ["--no-binary", pkg.name, "-d", tmp, pkg.spec]
            else:
                cmd = ["npm", "pack", "--silent", "--pack-destination", tmp, pkg.spec]
            subprocess.run(cmd, check=True, timeout=timeout, stdout=subprocess.DEVNULL)
            got = Path(tmp) / pkg.archive
            if not got.exists():
                raise SystemExit(f"{pkg.spec}: expected {pkg.archive}, got {sorted(os.listdir(tmp))}")
            got.replace(target)
    actual = sha256_of(target)
    if actual != pkg.sha256:
        raise SystemExit(f"{pkg.archive}: sha256 {actual} does not match the corpus ({pkg.sha256}); refusing it")
    return target


def extract(archive: Path, dest: Path) -> Path:
    """Unpack once into dest (tar's data filter: no absolute paths, links out or device files)."""
    if not dest.is_dir():
        tmp = dest.with_name(dest.name + ".partial")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        tmp.replace(dest)
    return dest


# ---------------------------------------------------------------- linting
def lint_cli(paths: Sequence[Path], cwd: Path) -> list[dict[str, object]]:
    """Findings of `redis-rules lint --format json PATHS` run in cwd (exit 0 or 1 expected)."""
    proc = subprocess.run(
        [sys.executable, "-m", "redis_rules", "lint", "--format", "json", *[os.path.relpath(p, cwd) for p in paths]],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode not in (0, 1):
        raise SystemExit(f"redis-rules lint exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
    findings: list[dict[str, object]] = json.loads(proc.stdout or "[]")
    return findings


@dataclass
class Sources:
    """The files a lint run reads, in memory, split by the parser the linter uses for them."""

    python: list[tuple[Path, str]] = field(default_factory=list)
    script: list[tuple[Path, str]] = field(default_factory=list)  # TypeScript and JavaScript (tree-sitter)

    @staticmethod
    def of(dirs: Sequence[Path], policy: Policy) -> Sources:
        found = Sources()
        for file in iter_source_files(dirs, policy):
            try:
                text = read_source(file)
            except SourceError:  # skipped by the linter too (reported as E902)
                continue
            (found.python if file.name.endswith(".py") else found.script).append((file, text))
        return found

    @staticmethod
    def lines(part: list[tuple[Path, str]]) -> int:
        return sum(text.count("\n") for _, text in part)

    def parse_all(self) -> None:
        """Parse every file once and drop the trees: the floor any parser-based linter pays."""
        gc.disable()  # trees not kept, GC paused as lint_paths does: this times the parsers alone
        try:
            for _, text in self.python:
                try:
                    ast.parse(text)
                except (SyntaxError, ValueError):
                    pass  # the linter reports these as E999 after the same attempt
            for file, text in self.script:
                ts_parse(text.encode("utf-8", "surrogatepass"), str(file))
        finally:
            gc.enable()


def best_of_each(repeat: int, fns: Sequence[Callable[[], object]]) -> list[float]:
    """The best wall time of each function over `repeat` rounds, the functions interleaved in each round."""
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


# ---------------------------------------------------------------- scoring
@dataclass
class Score:
    true: int = 0
    found: int = 0
    trap: int = 0
    flagged: int = 0
    missed_rows: list[Row] = field(default_factory=list)
    flagged_rows: list[Row] = field(default_factory=list)

    def add(self, row: Row, hit: bool) -> None:
        if row.verdict == "TRUE":
            self.true += 1
            self.found += hit
            if not hit:
                self.missed_rows.append(row)
        else:
            self.trap += 1
            self.flagged += hit
            if hit:
                self.flagged_rows.append(row)

    @property
    def recall(self) -> float:
        return self.found / self.true if self.true else 0.0

    @property
    def trap_rate(self) -> float:
        return self.flagged / self.trap if self.trap else 0.0


def score(corpus: Corpus, findings: list[dict[str, object]]) -> tuple[dict[str, Score], Score, int]:
    """(per-rule scores, total, findings on lines no row labels with that rule). Finding paths are
    '<package>/<path inside the archive>' because the CLI runs in the folder holding the packages."""
    reported = {(str(f["path"]), int(str(f["line"])), str(f["code"])) for f in findings}
    labelled = set()
    per_rule: dict[str, Score] = {}
    total = Score()
    for row in corpus.rows:
        key = (f"{row.package}/{row.path}", row.line, row.rule)
        labelled.add(key)
        hit = key in reported
        per_rule.setdefault(row.rule, Score()).add(row, hit)
        total.add(row, hit)
    unlabelled = sum(1 for k in reported if k not in labelled and k[2] in CHECKS.values())
    return per_rule, total, unlabelled


def check_code(corpus: Corpus, src: Path) -> list[str]:
    """Rows whose file or line no longer matches the stored `code` (a mislabelled or moved line)."""
    stale = []
    for row in corpus.rows:
        file = src / row.package / row.path
        try:
            text = read_source(file).splitlines()[row.line - 1].strip()
        except (OSError, IndexError):
            stale.append(f"{row.package}/{row.path}:{row.line}: no such line")
            continue
        if not text.startswith(row.code[:60]):
            stale.append(f"{row.package}/{row.path}:{row.line}: is {text[:60]!r}, corpus says {row.code[:60]!r}")
    return stale


# ---------------------------------------------------------------- semgrep (optional peer)
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
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "semgrep"], check=True, timeout=timeout
        )
    except (subprocess.SubprocessError, OSError) as exc:
        log(f"semgrep not available: {exc}")
        return None
    return exe if exe.exists() else None


def run_semgrep(exe: Path, rules: Path, target: Path, empty: Path, timeout: int) -> tuple[float, float, int] | None:
    """(seconds on target, seconds on an empty folder = startup, findings)."""
    env = {**os.environ, "SEMGREP_SEND_METRICS": "off", "SEMGREP_ENABLE_VERSION_CHECK": "0"}
    base = [str(exe), "scan", "--metrics=off", "--disable-version-check", "--config", str(rules), "--jobs", "1"]
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
    try:
        results = json.loads(proc.stdout)["results"]
    except (ValueError, KeyError):
        log(f"semgrep failed (exit {proc.returncode}): {proc.stderr.decode(errors='replace')[-500:]}")
        return None
    return elapsed, startup, len(results)


# ---------------------------------------------------------------- report
def pct(x: float) -> str:
    return f"{100 * x:5.1f}%"


def print_scores(title: str, per_rule: dict[str, Score], total: Score) -> None:
    print(f"\n{title}")
    print(f"{'rule':8} {'TRUE':>5} {'found':>6} {'recall':>7} {'TRAP':>5} {'flagged':>8} {'trap rate':>9}")
    for rule in sorted(per_rule):
        s = per_rule[rule]
        print(f"{rule:8} {s.true:5} {s.found:6} {pct(s.recall):>7} {s.trap:5} {s.flagged:8} {pct(s.trap_rate):>9}")
    t = total
    print(f"{'all':8} {t.true:5} {t.found:6} {pct(t.recall):>7} {t.trap:5} {t.flagged:8} {pct(t.trap_rate):>9}")


def print_rows(heading: str, rows: list[Row]) -> None:
    print(f"\n{heading} ({len(rows)}):")
    for r in rows:
        print(f"  {r.rule} {r.package}/{r.path}:{r.line}  {r.reason}")
    if not rows:
        print("  none")


def bench_corpus(name: str, work: Path, args: argparse.Namespace) -> None:
    corpus = load(CORPORA[name])
    src = work / "src" / name
    for pkg in corpus.packages:
        extract(fetch(pkg, work / "archives", timeout=900), src / pkg.name)
    stale = check_code(corpus, src)
    for line in stale:
        log(f"warning: corpus row out of date: {line}")
    dirs = [src / p.name for p in corpus.packages]
    policy = Policy()
    print(
        f"\n=== {name} corpus: {len(corpus.packages)} packages, {corpus.count('TRUE')} TRUE / "
        f"{corpus.count('TRAP')} TRAP rows ==="
    )
    print("packages: " + ", ".join(f"{p.name} {p.version}" for p in corpus.packages))

    (src / MARKERS[name]).touch()
    findings = lint_cli(dirs, src)
    sources = Sources.of(dirs, policy)
    py_lines, script_lines = Sources.lines(sources.python), Sources.lines(sources.script)
    lines = py_lines + script_lines
    # interleaved, best of N each: load on a shared machine hits both the same way
    parse_s, lint_s = best_of_each(
        args.repeat, [sources.parse_all, lambda: lint_paths(dirs, policy, jobs=args.jobs, cache=False)]
    )
    files = len(sources.python) + len(sources.script)
    ts = [(f, t) for f, t in sources.script if f.name.endswith(TS_SUFFIXES)]
    print(
        f"{files} files read by the linter, {lines:,} lines: {len(sources.python)} Python ({py_lines:,} lines), "
        f"{len(ts)} TypeScript ({Sources.lines(ts):,} lines), {len(sources.script) - len(ts)} JavaScript "
        f"({script_lines - Sources.lines(ts):,} lines)"
    )
    print(f"python {sys.version.split()[0]}, load avg {os.getloadavg()[0]:.2f}, best of {args.repeat}")
    peer = {
        "python": "ast.parse" if not sources.script else "ast.parse + tree-sitter parse",
        "typescript": "tree-sitter parse" if not sources.python else "tree-sitter parse + ast.parse",
    }[name]
    print(f"\n{'tool':44} {'seconds':>8} {'lines/s':>10}")
    print(f"{f'{peer} only (peer, floor)':44} {parse_s:8.2f} {lines / parse_s:10,.0f}")
    print(f"{f'redis-rules lint (jobs={args.jobs}, no cache)':44} {lint_s:8.2f} {lines / lint_s:10,.0f}")
    print(f"ratio redis-rules / {peer}: {parse_s / lint_s:.2f}x")
    if name == "python" and not args.no_semgrep:
        semgrep_peer(work, src, py_lines, lines / lint_s, args)

    per_rule, total, unlabelled = score(corpus, findings)
    print_scores("by rule", per_rule, total)
    if name == "typescript":
        ts_rows = Corpus(corpus.language, corpus.packages, tuple(r for r in corpus.rows if r.typescript))
        _, ts_total, _ = score(ts_rows, findings)
        print(f"rows in .ts files only: recall {pct(ts_total.recall)}, trap rate {pct(ts_total.trap_rate)}")
    print(f"findings of lint rules on unlabelled lines: {unlabelled}")
    print_rows("missed TRUE rows", total.missed_rows)
    print_rows("flagged TRAP rows", total.flagged_rows)


def semgrep_peer(work: Path, src: Path, lines: int, lint_rate: float, args: argparse.Namespace) -> None:
    """semgrep's rate on the `lines` of Python it scans, against redis-rules' `lint_rate` (lines/s)."""
    exe = find_semgrep(work, args.semgrep_timeout)
    if exe is None:
        print("semgrep: not installable here")
        return
    rules = work / "semgrep-rules.yml"
    rules.write_text(SEMGREP_RULES)
    empty = work / "empty"
    empty.mkdir(exist_ok=True)
    result = run_semgrep(exe, rules, src, empty, args.semgrep_timeout)
    if result is None:
        print("semgrep: failed (see above)")
        return
    elapsed, startup, count = result
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True).stdout.strip()
    scan = max(elapsed - startup, 1e-9)
    print(f"{'semgrep (wall, incl. startup)':44} {elapsed:8.2f} {lines / elapsed:10,.0f}   {count} findings")
    print(f"{'semgrep (minus startup)':44} {scan:8.2f} {lines / scan:10,.0f}")
    print(
        f"semgrep {version}, 5 pattern rules, --jobs 1, startup {startup:.1f}s; "
        f"redis-rules / semgrep (minus startup): {lint_rate / (lines / scan):.1f}x"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--work-dir", type=Path, help="reuse this folder for archives, sources and semgrep (kept)")
    parser.add_argument("--corpus", choices=["all", *sorted(CORPORA)], default="all")
    parser.add_argument("--no-semgrep", action="store_true")
    parser.add_argument("--semgrep-timeout", type=int, default=600, help="seconds for installing / running semgrep")
    parser.add_argument("--repeat", type=int, default=5, help="best of N (the machine may be shared)")
    parser.add_argument("--jobs", type=int, default=1, help="lint processes (default 1, like semgrep --jobs 1)")
    args = parser.parse_args()

    work = args.work_dir or Path(tempfile.mkdtemp(prefix="redis-rules-bench-"))
    try:
        for name in sorted(CORPORA) if args.corpus == "all" else [args.corpus]:
            bench_corpus(name, work, args)
    finally:
        if args.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
