"""Checks before anything is written: a git work tree, clean, with an answers file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..answers_file import ANSWERS_FILE, read_answers_file
from ..errors import UserError
from ..schema import describe
from .gitutil import GitError, status, toplevel


def check_git(dest: Path) -> Path:
    """The repository root; UserError if DEST is missing or not in a git work tree."""
    if not dest.is_dir():
        raise UserError(f"DEST: {dest} is not a folder")
    try:
        top = toplevel(dest)
    except GitError as exc:
        raise UserError(str(exc)) from exc
    if top is None:
        raise UserError(
            f"DEST is not a git repository ({dest}); the update merges against the last commit, so run "
            "`git init && git add -A && git commit -m 'redis-rules project'` there first"
        )
    return top


def check_clean(top: Path, dest: Path) -> None:
    """No staged, unstaged or untracked changes under DEST (copier's own rule, said clearly)."""
    dirty = sorted({e.path for e in status(top, dest)})
    if dirty:
        shown = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
        raise UserError(
            f"DEST has uncommitted changes: {shown}; commit or stash them (`git stash -u`) first, "
            "so the update's changes can be reviewed and undone on their own"
        )


def read_answers(dest: Path) -> dict[str, Any]:
    """The recorded answers, with the template source and commit an update merges against; UserError."""
    answers = read_answers_file(
        dest, "it was not rendered by redis-rules (or copier); render it first with `redis-rules new DEST`"
    )
    if not answers:
        raise UserError(f"{ANSWERS_FILE}: is empty; it must hold the answers (and _src_path, _commit)")
    for key in ("_src_path", "_commit"):
        if key in answers and not isinstance(answers[key], str):
            raise UserError(f"{ANSWERS_FILE}: {key} must be text (got {describe(answers[key])})")
    if not answers.get("_src_path"):
        raise UserError(f"{ANSWERS_FILE}: no _src_path recorded, so the template is unknown")
    if not answers.get("_commit"):
        raise UserError(
            f"{ANSWERS_FILE}: no _commit recorded: the project was rendered from a plain folder, not a git "
            "template, so there is no old version to merge against; "
            "re-render with `redis-rules new --overwrite`"
        )
    return answers


def preflight(dest: Path) -> tuple[Path, dict[str, Any]]:
    """(repository root, recorded answers); raises UserError, writes nothing."""
    # "not a folder", then "not a rendered project" say more than "not a git repository" or a dirty tree
    answers = read_answers(dest)
    top = check_git(dest)
    check_clean(top, dest)
    return top, answers
