"""The answers a project was rendered with (`.copier-answers.yml`): its one name and one strict reader.

`check` and `update` read it here; the session hook reads it leniently on its own (a broken file there
means no summary, never an error).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import safe_yaml
from .errors import UserError

ANSWERS_FILE = ".copier-answers.yml"


def read_answers_file(dest: Path, missing_hint: str) -> dict[str, Any]:
    """The answers recorded in DEST as a mapping ({} for an empty file).

    UserError (one line) when DEST is not a folder, when the file is missing (the message ends with
    `missing_hint`), or when it is too large, not UTF-8, not YAML or not a mapping with text keys (safe_yaml:
    bounded, no alias bombs or duplicate keys). The answers' values are checked by the caller.
    """
    if not dest.is_dir():
        raise UserError(f"DEST: {dest} is not a folder")
    path = dest / ANSWERS_FILE
    if not path.is_file():
        above = _answers_above(dest)
        if above is not None:  # run from a subfolder of the project (git finds its root; we name it)
            raise UserError(f"{dest} has no {ANSWERS_FILE}; the project is {above}: run there or pass it as DEST")
        raise UserError(f"{dest} has no {ANSWERS_FILE}, so {missing_hint}")
    return safe_yaml.as_mapping(safe_yaml.load_file(path, ANSWERS_FILE), ANSWERS_FILE, "answer names")


def _answers_above(dest: Path) -> Path | None:
    """The nearest folder above DEST with an answers file, not above DEST's git work tree (a project's subfolder)."""
    try:
        folder = dest.resolve()
        if (folder / ".git").exists():
            return None
    except (OSError, RuntimeError):
        return None
    for parent in folder.parents:
        try:
            if (parent / ANSWERS_FILE).is_file():
                return parent
            if (parent / ".git").exists():
                return None  # the work tree's top: a project above it is another repository's
        except OSError:
            return None
    return None


def answers_data(answers: dict[str, Any]) -> dict[str, Any]:
    """The recorded answers copier takes as data (its own `_` keys left out)."""
    return {k: v for k, v in answers.items() if isinstance(k, str) and not k.startswith("_")}
