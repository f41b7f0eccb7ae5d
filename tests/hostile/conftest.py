"""Fixtures of the hostile-input tests (issue 14); the contract assertions are in helpers.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Keep the template cache and crash files of these tests out of the user's home."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("REDIS_RULES_CACHE_DIR", str(folder))
    yield folder
