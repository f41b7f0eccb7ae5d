"""A project rendered by the previous release (v0.1.0, the single-tree layout) upgrades to this
template (one tree per language, the client seam) with `redis-rules update --upgrade` and with stock
`copier update`: exit 0, no conflicts, the team's edits to generated modules kept, and the upgraded
project passes its generated tests."""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.conftest import PREVIOUS_RELEASE, archive_of, make_template_repo, stock_copier
from tests.test_update import answers, assert_generated_tests_pass, commit_all, git

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("own_cache")]

CACHE = "my_service/db/redis/cache.py"
KEYS = "my_service/db/redis/keys.py"
TEAM_CACHE = '\n\ndef team_warm_up() -> None:\n    """Added by the team: warm the hot keys at startup."""\n'
TEAM_KEYS = (
    "\n\ndef team_report_key(day: str) -> str:\n"
    '    """Added by the team."""\n'
    '    return build("reports", "daily", day)\n'
)
TEAM_MODULE = '"""The team\'s own module next to the generated ones."""\n\nREPORT_DAYS = 7\n'


@pytest.fixture(scope="module")
def release_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A template git repo: v0.1.0 = the previous release's files, v0.2.0 = this checkout's."""
    current = make_template_repo(tmp_path_factory.mktemp("current") / "redis-rules", "unused")
    repo = tmp_path_factory.mktemp("release") / "redis-rules"
    repo.mkdir()
    archive = archive_of(PREVIOUS_RELEASE)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(repo, filter="tar")
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, "v0.1.0")
    git(repo, "tag", "v0.1.0")
    # v0.2.0: replace the tree with this checkout's files (the .git of `current` is left behind)
    for path in repo.iterdir():
        if path.name != ".git":
            subprocess.run(["rm", "-rf", str(path)], check=True)
    for path in current.iterdir():
        if path.name != ".git":
            subprocess.run(["cp", "-a", str(path), str(repo)], check=True)
    commit_all(repo, "v0.2.0")
    git(repo, "tag", "v0.2.0")
    return repo


def old_project(dest: Path, template: Path) -> Path:
    """Rendered by the previous release with stock copier, committed, then edited by the team."""
    proc = stock_copier("copy", "--defaults", "--vcs-ref", "v0.1.0", str(template), str(dest))
    assert proc.returncode == 0, proc.stderr
    assert not (dest / "my_service/db/redis/_driver.py").exists()  # the old layout
    git(dest, "init", "-q", "-b", "main")
    commit_all(dest, "rendered by redis-rules v0.1.0")
    with (dest / CACHE).open("a") as fh:
        fh.write(TEAM_CACHE + "    invalidate(keys.user_profile_key(0))\n")
    with (dest / KEYS).open("a") as fh:
        fh.write(TEAM_KEYS)
    (dest / "my_service/db/redis/reports.py").write_text(TEAM_MODULE)
    commit_all(dest, "team edits")
    return dest


def assert_upgraded(project: Path) -> None:
    assert answers(project)["_commit"] == "v0.2.0"
    assert answers(project)["language"] == "python"
    assert (project / "my_service/db/redis/_driver.py").is_file()
    cache, keys = (project / CACHE).read_text(), (project / KEYS).read_text()
    assert "from ._driver import UNAVAILABLE" in cache and "def team_warm_up() -> None:" in cache
    assert "def team_report_key(day: str) -> str:" in keys and "def limit_definition(" in keys
    assert (project / "my_service/db/redis/reports.py").read_text() == TEAM_MODULE
    leftovers = subprocess.run(["git", "grep", "-l", "-E", "^(<<<<<<<|>>>>>>>) "], cwd=project, capture_output=True)
    assert leftovers.stdout == b"", leftovers.stdout
    assert not list(project.rglob("*.rej"))


def test_redis_rules_update_upgrade_moves_a_v010_project_to_the_new_layout(
    tmp_path: Path, release_repo: Path, run_cli
) -> None:
    project = old_project(tmp_path / "svc", release_repo)
    code, out, err = run_cli("update", str(project), "--upgrade")
    assert code == 0, out + err
    assert "v0.1.0 -> v0.2.0" in out
    assert_upgraded(project)
    commit_all(project, "upgrade to v0.2.0")
    lint = subprocess.run(
        [sys.executable, "-m", "redis_rules", "lint", "."], cwd=project, capture_output=True, text=True
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert_generated_tests_pass(project)


def test_stock_copier_update_moves_a_v010_project_to_the_new_layout(tmp_path: Path, release_repo: Path) -> None:
    project = old_project(tmp_path / "svc", release_repo)
    proc = stock_copier("update", "--defaults", "--vcs-ref", "v0.2.0", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert_upgraded(project)
