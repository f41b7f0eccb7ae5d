"""A hand-edited `.copier-answers.yml` that a validator refuses: `check` and `update` name the file and say
what is wrong (trial: `default_ttl: -5` read `default_ttl: must be an integer ... (got -5)`, no file named)."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from redis_rules import cli
from tests.conftest import git

pytestmark = pytest.mark.usefixtures("own_cache")
RunCli = Callable[..., tuple[int, str, str]]
RANGE = "default_ttl: out of range: must be from 1 to 2592000 seconds (30 days) (got -5)"


def _project(dest: Path, template: Path) -> Path:
    with contextlib.redirect_stdout(io.StringIO()):
        assert cli.main(["new", str(dest), "--defaults", "--template", str(template), "--data", "modules=[cache]"]) == 0
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(dest, "commit", "-qm", "rendered by redis-rules")
    return dest


def _hand_edit(project: Path, line: str) -> None:
    path = project / ".copier-answers.yml"
    name = line.split(":")[0]
    text = "".join(f"{line}\n" if old.startswith(f"{name}:") else old for old in path.read_text().splitlines(True))
    assert f"\n{line}\n" in text
    path.write_text(text)
    git(project, "commit", "-qam", "hand edit")


def _refused(code: int, err: str) -> str:
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("redis-rules: error: "), err
    return err


@pytest.mark.parametrize("verb", ["check", "update"])
def test_a_hand_edited_answer_out_of_range_names_the_answers_file(
    tmp_path: Path, template: Path, run_cli: RunCli, verb: str
) -> None:
    project = _project(tmp_path / "svc", template)
    _hand_edit(project, "default_ttl: -5")
    err = _refused(*run_cli(verb, str(project))[::2])
    assert RANGE in err and ".copier-answers.yml" in err, err
    assert "integer" not in err, err  # -5 is one; the range is the problem

    _hand_edit(project, "ttl_jitter_pct: 75")
    _hand_edit(project, "default_ttl: 3600")
    err = _refused(*run_cli(verb, str(project))[::2])
    assert "ttl_jitter_pct: out of range: must be from 0 to 50 (got 75) (in .copier-answers.yml)" in err, err


def test_update_names_the_file_only_for_recorded_answers_not_for_set(
    tmp_path: Path, template: Path, run_cli: RunCli
) -> None:
    project = _project(tmp_path / "svc", template)
    err = _refused(*run_cli("update", str(project), "--set", "default_ttl=-5")[::2])
    assert RANGE in err and ".copier-answers.yml" not in err, err  # typed now, not read from the file
    _hand_edit(project, "default_ttl: -5")
    err = _refused(*run_cli("update", str(project), "--set", "ttl_jitter_pct=5")[::2])
    assert f"{RANGE} (in .copier-answers.yml)" in err, err
    # Copier replays the recorded answers before applying --set: the file is named, not a bare validator message
    err = _refused(*run_cli("update", str(project), "--set", "default_ttl=900")[::2])
    assert f"{RANGE} (in .copier-answers.yml)" in err, err


def _drop(project: Path, name: str) -> None:
    path = project / ".copier-answers.yml"
    path.write_text("".join(line for line in path.read_text().splitlines(True) if not line.startswith(f"{name}:")))
    git(project, "commit", "-qam", f"{name} deleted by hand")


def test_a_deleted_answer_is_refused_not_filled_with_its_default(
    tmp_path: Path, template: Path, run_cli: RunCli
) -> None:
    """Trial 18: `client: valkey-py` deleted from the answers file, and `update` exited 0 having rewritten the rule
    files for redis-py (the default) while client.py kept importing valkey. Copier records every answer it asks, so
    a missing one is a hand edit: check and update refuse it naming the answer, unless --set gives it anew."""
    project = _project(tmp_path / "svc", template)
    _drop(project, "client")
    for argv in (["check", str(project)], ["update", str(project), "--set", "default_ttl=900"]):
        err = _refused(*run_cli(*argv)[::2])
        assert "'client' is missing" in err and "--set client=VALUE" in err, err
    assert git(project, "status", "--porcelain") == ""  # nothing written
    code, out, err = run_cli("update", str(project), "--set", "client=valkey-py")
    assert code == 0, out + err
    assert "client: valkey-py" in (project / ".copier-answers.yml").read_text()


def test_an_unknown_answer_is_refused_by_check_as_by_update(tmp_path: Path, template: Path, run_cli: RunCli) -> None:
    """Trial 18: `colour: blue` added to the answers file; update refused it (exit 2) and check said "current"."""
    project = _project(tmp_path / "svc", template)
    with (project / ".copier-answers.yml").open("a") as fh:
        fh.write("colour: blue\n")
    git(project, "commit", "-qam", "hand edit")
    for verb in ("check", "update"):
        err = _refused(*run_cli(verb, str(project))[::2])
        assert "'colour' is not a question of this template" in err, err
