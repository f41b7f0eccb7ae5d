"""Benchmark `redis-rules update` next to plain `copier update` on the same project, in one run.

Builds a tagged git repo of this checkout's template (as the tests do), renders one
project from it with `redis-rules new --template REPO`, commits it, then times, as
separate processes and alternating, `--rounds` times each (the project is reset to its
commit after every run, so both always start from the same state):

  ours    redis-rules update --set default_ttl=1800
  copier  copier update --defaults -d default_ttl=1800 --vcs-ref :current:

ours does more: preflight checks, answer validation (one extra local clone of the
template to read its copier.yml) and the conflict scan after the merge.

Usage: python bench/bench_update.py [--rounds 3] [--modules "[cache, rate_limit]"]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_copier_parity import make_template_repo  # noqa: E402

GIT_ID = ["-c", "user.name=bench", "-c", "user.email=bench@localhost", "-c", "commit.gpgsign=false"]


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *GIT_ID, *args], cwd=cwd, check=True, capture_output=True)


def timed(cmd: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout}{proc.stderr}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--modules", default=None, help="modules answer, e.g. '[cache]' (default: all)")
    args = parser.parse_args()
    redis_rules = shutil.which("redis-rules") or ""
    ours_cmd = [redis_rules] if redis_rules else [sys.executable, "-m", "redis_rules"]
    copier_cmd = [sys.executable, "-m", "copier"]

    with tempfile.TemporaryDirectory(prefix="bench-update-") as tmp:
        work = Path(tmp)
        os.environ["REDIS_RULES_CACHE_DIR"] = str(work / "cache")
        template = make_template_repo(work / "tpl" / "redis-rules", "v1.0.0")
        project = work / "project"
        new = [*ours_cmd, "new", str(project), "--defaults", "--template", str(template)]
        if args.modules:
            new += ["--data", f"modules={args.modules}"]
        timed(new, cwd=work)
        git("init", "-q", "-b", "main", cwd=project)
        git("add", "-A", cwd=project)
        git("commit", "-qm", "rendered", cwd=project)
        files = sum(1 for p in project.rglob("*") if p.is_file() and ".git" not in p.parts)

        runs: dict[str, list[float]] = {"ours": [], "copier": []}
        commands = {
            "ours": [*ours_cmd, "update", "--set", "default_ttl=1800"],
            "copier": [*copier_cmd, "update", "--defaults", "-d", "default_ttl=1800", "--vcs-ref", ":current:"],
        }
        for _ in range(args.rounds):
            for name, cmd in commands.items():
                runs[name].append(timed(cmd, cwd=project))
                changed = "DEFAULT_TTL: Final = 1800" in (project / "my_service/db/redis/keys.py").read_text()
                if not changed:
                    raise SystemExit(f"{name}: the update did not change DEFAULT_TTL")
                git("reset", "-q", "--hard", cwd=project)
                git("clean", "-qfd", cwd=project)

    print(f"project: {files} files (modules: {args.modules or 'all'}), {args.rounds} rounds, alternating")
    for name, label in (
        ("ours", "redis-rules update --set default_ttl=1800"),
        ("copier", "copier update --defaults -d default_ttl=1800 --vcs-ref :current:"),
    ):
        times = runs[name]
        print(f"  {label:<66} median {statistics.median(times):5.2f}s  (min {min(times):.2f}s, max {max(times):.2f}s)")
    ratio = statistics.median(runs["ours"]) / statistics.median(runs["copier"])
    print(f"  ratio ours/copier: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
