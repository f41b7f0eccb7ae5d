"""`--set KEY=VALUE`: parsed, cast and validated like `redis-rules new --data`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import UserError
from ..questions import Question, resolve_answers


@dataclass(frozen=True)
class AnswerChange:
    name: str
    old: Any
    new: Any


def parse_sets(items: list[str]) -> dict[str, str]:
    sets: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--set: expected KEY=VALUE (got {item!r})")
        if key.strip().startswith("_"):
            raise UserError(f"--set: {key.strip()} is copier's own bookkeeping, not an answer")
        sets[key.strip()] = value
    return sets


def merge_answers(
    questions: list[Question], recorded: dict[str, Any], sets: dict[str, str]
) -> tuple[dict[str, Any], list[AnswerChange]]:
    """(data for copier: the --set answers cast to their types, the changes against the recorded ones).

    The recorded answers are re-validated too, with the target template's validators,
    so a bad combination (client upstash with another flavour) fails before any write.
    """
    names = {q.name for q in questions if not q.hidden}
    _refuse_language_change(recorded, sets)
    given = {k: v for k, v in recorded.items() if k in names}
    given.update(sets)
    resolved = resolve_answers(questions, given)  # raises UserError naming the field
    data = {name: resolved[name] for name in sets}
    changes = [AnswerChange(n, recorded.get(n), data[n]) for n in sets if recorded.get(n) != data[n]]
    return data, changes


def _refuse_language_change(recorded: dict[str, Any], sets: dict[str, str]) -> None:
    """A project's language is fixed: another language is another tree of files, not an update."""
    if "language" not in sets:
        return
    old = str(recorded.get("language", "python"))  # projects rendered before the answer existed are Python
    new = sets["language"].strip()
    if new != old:
        raise UserError(
            f"language: a {old} project cannot be updated to {new}; render a new project with "
            f"`redis-rules new DEST --data language={new}` instead"
        )
