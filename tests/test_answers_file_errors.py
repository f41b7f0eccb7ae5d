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
