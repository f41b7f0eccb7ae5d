"""The client and flavour profiles (templates/_profiles/), read once for the tests that walk every pair."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

PROFILES = Path(__file__).resolve().parent.parent / "templates" / "_profiles"


@cache
def _load(name: str) -> list[dict[str, Any]]:
    return yaml.safe_load((PROFILES / f"{name}.yml").read_text(encoding="utf-8"))


def clients(language: str) -> list[dict[str, Any]]:
    """The client profiles of `language`, in the file's order."""
    return [p for p in _load("clients") if p["language"] == language]


def valid_pairs(language: str) -> list[tuple[str, str]]:
    """Every (client, flavour) copier.yml accepts for `language`: a REST client only with flavour upstash."""
    flavours = [f["name"] for f in _load("flavours")]
    return [(c["name"], f) for c in clients(language) for f in flavours if c["protocol"] != "rest" or f == "upstash"]
