"""Shared fixtures: the template root, rendering helpers and real server binaries."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from redis_rules import cli
from redis_rules.servers import server_binaries

# counts the hostile inputs of tests/hostile per verb and prints them at the end of the session
pytest_plugins = ["tests.hostile.counting"]

ROOT = Path(__file__).resolve().parents[1]
BINARIES = server_binaries()

# Tests commit to throwaway git repos; give them an identity without touching global config.
for _var, _value in (
    ("GIT_AUTHOR_NAME", "redis-rules tests"),
    ("GIT_AUTHOR_EMAIL", "tests@redis-rules.invalid"),
    ("GIT_COMMITTER_NAME", "redis-rules tests"),
    ("GIT_COMMITTER_EMAIL", "tests@redis-rules.invalid"),
):
    os.environ.setdefault(_var, _value)

# The environment as the session started. An in-process `redis-rules` run points TMPDIR at a private folder
# it removes when done; suites started meanwhile from other threads (the matrices run them ahead) must not
# inherit it, so every background subprocess gets this copy.
BASE_ENV: dict[str, str] = dict(os.environ)


def git(repo: Path, *args: str) -> str:
    """`git ARGS` in `repo` (the identity comes from the GIT_* variables above); its stdout. Raises on failure."""
    return subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout


# The commit main was at when v0.1.0 (the first landing) was released. By hash, not tag: CI clones
# may come without tags.
PREVIOUS_RELEASE = "44d5c870793c53b38ee90d065b49af70c0297578"


def make_template_repo(dest: Path, tag: str = "v0.1.0") -> Path:
    """A git repo holding this checkout's files (committed or not, minus ignored ones), tagged."""
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    dest.mkdir(parents=True)
    for rel in filter(None, listed):
        src = ROOT / rel
        if not src.exists() and not src.is_symlink():
            continue  # deleted in the work tree
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            target.symlink_to(src.readlink())
        else:
            shutil.copy2(src, target)
    git(dest, "init", "-q", "-b", "main")
    git(dest, "-c", "user.name=t", "-c", "user.email=t@t", "add", "-A")
    git(dest, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "template")
    git(dest, "tag", tag)
    return dest


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """redis-rules' template cache in this test's tmp_path, never the user's ~/.cache. Opt in per file:
    ``pytestmark = pytest.mark.usefixtures("own_cache")``."""
    monkeypatch.setenv("REDIS_RULES_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout's files as a template git repo tagged v1.0.0, one per test module."""
    return make_template_repo(tmp_path_factory.mktemp("tpl") / "redis-rules", "v1.0.0")


def archive_of(commit: str) -> bytes:
    """`git archive COMMIT` of this checkout (a tar); fails the test when the clone lacks that history."""
    found = subprocess.run(["git", "cat-file", "-e", f"{commit}^{{commit}}"], cwd=ROOT, capture_output=True)
    if found.returncode != 0:
        pytest.fail(f"this test needs the repository history (a full clone): commit {commit} is missing")
    return subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout


def stock_copier(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Stock Copier's own CLI, `copier ARGS` in a subprocess (as a team runs it, none of our code in between)."""
    return subprocess.run([sys.executable, "-m", "copier", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def subprocess_env(*drop: str, **extra: str) -> dict[str, str]:
    """BASE_ENV without the variables in `drop`, plus `extra`."""
    env = {k: v for k, v in BASE_ENV.items() if k not in drop}
    env.update(extra)
    return env


MATRIX_FILES = ("test_matrix.py", "test_matrix_ts.py")


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """The matrices' size tests first: they open the matrices' pools, whose generated suites (mostly waiting
    on deadlines and expiries) then run in the background while the rest of the session runs. The matrices'
    other tests last: they wait for those suites, so every other test runs while the suites do (in file
    order the foreground reached them halfway and waited ~10 minutes for the suites)."""
    first = [item for item in items if item.name == "test_matrix_size"]
    matrix = [item for item in items if item.path.name in MATRIX_FILES and item.name != "test_matrix_size"]
    rest = [item for item in items if item.path.name not in MATRIX_FILES and item.name != "test_matrix_size"]
    items[:] = first + rest + matrix


def pytest_report_header(config: pytest.Config) -> str:
    found = ", ".join(f"{k}={v}" for k, v in BINARIES.items()) or "none"
    return f"redis-rules: server binaries: {found}"


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run `redis-rules ARGS` in-process; returns (exit code, stdout, stderr)."""

    def _run(*argv: str) -> tuple[int, str, str]:
        try:
            code = cli.main(list(argv))
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def render(dest: Path, **data: object) -> Path:
    """Render the template with these answers (defaults for the rest) into dest."""
    argv = ["new", str(dest), "--defaults"]
    for key, value in data.items():
        argv += ["--data", f"{key}={value}"]
    code = cli.main(argv)
    assert code == 0, f"render failed for {data}"
    return dest


def run_generated_tests(
    project: Path, binary: str, *extra: str, timeout: int = 600
) -> subprocess.CompletedProcess[str]:
    """Run the generated project's tests in a subprocess against a server it starts from `binary`."""
    env = subprocess_env("REDIS_URL", "APP_ENV", "PYTEST_ADDOPTS", REDIS_SERVER_BIN=binary)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "tests/redis", *extra],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
