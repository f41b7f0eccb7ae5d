"""Rendering from a git checkout of redis-rules (an editable install): Copier snapshots the checkout's working
tree with `git add -A`, so a git repository inside it that git does not ignore (a project rendered into the
checkout and `git init`-ed, as after the README's first command) would become a submodule Copier cannot check
out. `new` and `check` refuse that with one line; the README's `demo/` is ignored by the checkout's .gitignore."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from redis_rules import template_source
from tests.conftest import ROOT, git, make_template_repo, stock_copier

RunCli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of this checkout as a git repo, installed as the template `new` and `check` render from."""
    root = make_template_repo(tmp_path / "checkout")
    monkeypatch.setattr(template_source, "bundled_template_root", lambda: root)
    return root


def nest_repository(parent: Path, name: str) -> Path:
    nested = parent / name
    nested.mkdir()
    git(nested, "init", "-q", "-b", "main")
    (nested / "app.py").write_text("print('mine')\n")
    git(nested, "-c", "user.name=t", "-c", "user.email=t@t", "add", "-A")
    git(nested, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "mine")
    return nested


def test_copier_itself_fails_on_a_nested_repository(checkout: Path, tmp_path: Path) -> None:
    """The premise: stock Copier, rendering the working tree, fails in `git submodule update`."""
    nest_repository(checkout, "service")
    proc = stock_copier("copy", "--defaults", "--vcs-ref", "HEAD", str(checkout), str(tmp_path / "out"))
    assert proc.returncode != 0
    assert "submodule" in proc.stderr


def test_new_refuses_a_nested_repository_with_one_line(checkout: Path, tmp_path: Path, run_cli: RunCli) -> None:
    nest_repository(checkout, "service")
    dest = tmp_path / "svc"
    code, out, err = run_cli("new", str(dest), "--defaults")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert "'service' inside it is a git repository" in err and ".gitignore" in err
    assert not dest.exists()


def test_check_refuses_a_nested_repository_with_one_line(checkout: Path, tmp_path: Path, run_cli: RunCli) -> None:
    project = tmp_path / "svc"
    assert run_cli("new", str(project), "--defaults")[0] == 0
    git(project, "init", "-q", "-b", "main")
    git(project, "-c", "user.name=t", "-c", "user.email=t@t", "add", "-A")
    git(project, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "rendered")
    nest_repository(checkout, "scratch")
    code, _, err = run_cli("check", str(project))
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "'scratch' inside it is a git repository" in err


def test_an_ignored_nested_repository_is_fine(checkout: Path, tmp_path: Path, run_cli: RunCli) -> None:
    nest_repository(checkout, "demo")  # the README's first command renders demo/ here
    assert "/demo/" in (ROOT / ".gitignore").read_text().splitlines()
    code, _, err = run_cli("new", str(tmp_path / "svc"), "--defaults")
    assert code == 0, err
