"""`--set KEY=VALUE`: parsed, cast and validated like `redis-rules new --data`."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from ..answer_types import check_answers
from ..answers_file import ANSWERS_FILE
from ..errors import UserError
from ..questions import Question, condition, resolve_answers


@dataclass(frozen=True)
class AnswerChange:
    name: str
    old: Any
    new: Any
    dropped: str = ""  # for a recorded answer the new answers no longer ask for: the question's condition


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
    questions: list[Question], recorded: dict[str, Any], sets: dict[str, Any]
) -> tuple[dict[str, Any], list[AnswerChange]]:
    """(data for copier: the --set answers cast to their types, the changes against the recorded ones).

    The recorded answers are re-validated too, with the target template's validators,
    so a bad combination (client upstash with another flavour) fails before any write.
    """
    names = {q.name for q in questions if not q.hidden}
    _refuse_language_change(recorded, sets)
    _refuse_adoption_change(recorded, sets)
    sets = _carry_module_path(recorded, sets)
    given = {k: v for k, v in recorded.items() if k in names}
    given.update(sets)
    recorded_here = {name: ANSWERS_FILE for name in given if name not in sets}  # a hand edit names the file
    resolved = resolve_answers(questions, given, explicit=sets, sources=recorded_here)  # UserError naming the field
    data = {name: resolved[name] for name in sets}
    changes = [AnswerChange(n, recorded.get(n), data[n]) for n in sets if recorded.get(n) != data[n]]
    # Copier leaves an answer whose question is no longer asked out of the answers file: say so
    changes += [
        AnswerChange(q.name, recorded[q.name], None, dropped=condition(q))
        for q in questions
        if q.name in recorded and q.name not in sets and not q.hidden and not q.is_asked(resolved)
    ]
    return data, changes


def _carry_module_path(recorded: dict[str, Any], sets: dict[str, Any]) -> dict[str, Any]:
    """A Python project's modules live inside its package: `--set package=new` alone moves a recorded
    module_path under the old package to the same place under the new one (reported as a change; the
    validator named module_path, which the user had not touched)."""
    old, new, path = recorded.get("package"), sets.get("package"), recorded.get("module_path")
    if recorded.get("language", "python") != "python" or "module_path" in sets or new is None or new == old:
        return sets
    if isinstance(old, str) and isinstance(path, str) and isinstance(new, str) and path.startswith(old + "/"):
        return {**sets, "module_path": new + path[len(old) :]}
    return sets


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


def _refuse_adoption_change(recorded: dict[str, Any], sets: dict[str, str]) -> None:
    """How a project was adopted (`new --into`) decides which files redis-rules may write there at all: a
    changed `adoption` would make Copier delete (or add) the modules, tests and project files wholesale."""
    if "adoption" not in sets:
        return
    old = str(recorded.get("adoption") or "")
    if sets["adoption"].strip() != old:
        shown = repr(old) if old else "not set: a project made by `redis-rules new`"
        raise UserError(
            f"adoption: recorded by `redis-rules new --into` (here: {shown}) and not changed by an update, which "
            "would delete or add whole parts of the project; to add the modules to an adopted project, run "
            "`redis-rules new --into . --with-modules` in a clean tree"
        )


def check_recorded(
    questions: list[Question], recorded: dict[str, Any], *, upgrade: bool, given: Collection[str] = ()
) -> dict[str, Any]:
    """The answers file's answers, type-checked (a hand edit `default_ttl: true` is refused, not read as 1) and,
    without --upgrade, validated as Copier will replay them (`default_ttl: -5` is refused naming the file).

    A name the template does not ask (a typo such as `defualt_ttl`, a computed value) is refused, since
    it would be silently ignored; with --upgrade it is dropped instead: the newer template may have
    retired that question. Without --upgrade, an answer the template asks for these answers and the file
    lacks (a deleted `client:` line) is refused too, unless `given` (--set) holds it: Copier records every
    answer it asked, and would otherwise fill in the default without a word (trial 18: `client: valkey-py`
    deleted became redis-py). Copier's own keys (`_src_path`, `_commit`) are kept as they are.
    """
    names = {q.name for q in questions if not q.hidden}
    unknown = sorted(k for k in recorded if not k.startswith("_") and k not in names)
    if unknown and not upgrade:
        computed = {q.name for q in questions if q.hidden}
        what = "a computed value, not an answer" if unknown[0] in computed else "not a question of this template"
        raise UserError(f"{ANSWERS_FILE}: '{unknown[0]}' is {what}; remove it (known: {', '.join(sorted(names))})")
    kept = check_answers(
        questions, {k: v for k, v in recorded.items() if k.startswith("_") or k in names}, ANSWERS_FILE
    )
    if not upgrade:  # Copier replays the recorded answers with these very validators: a hand edit they refuse
        # (`default_ttl: -5`) fails here, naming the file, even when --set gives that answer anew
        resolved = resolve_answers(questions, {k: v for k, v in kept.items() if k in names}, ANSWERS_FILE)
        missing = [
            q.name
            for q in questions
            if not q.hidden and q.name not in kept and q.name not in given and q.is_asked(resolved)
        ]
        if missing:
            raise UserError(
                f"{ANSWERS_FILE}: '{missing[0]}' is missing (Copier records every answer it asks); put it back as "
                f"it was, or give it with --set {missing[0]}=VALUE"
            )
    return kept
