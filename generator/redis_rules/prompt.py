"""Interactive answers with questionary, built from copier.yml's questions.

Same names, defaults, choices, `when` conditions and validators as `copier copy`
(see questions.py), so the prompt and the template cannot drift apart.
"""

from __future__ import annotations

from typing import Any

import questionary
import yaml

from .answer_types import check_answer
from .errors import UserError
from .questions import Question


def _as_text(value: Any, q: Question) -> str:
    if q.type == "yaml":
        return yaml.safe_dump(value, default_flow_style=True, width=1000).strip()
    return "" if value is None else str(value)


def _ask_one(q: Question, answers: dict[str, Any]) -> Any:
    default = q.default_value(answers)
    message = f"{q.name}: {q.help}" if q.help else q.name

    def validate(text: str) -> bool | str:
        try:
            value = check_answer(q, text)  # cast, then type and size (answer_types)
        except UserError as exc:
            return str(exc)
        return q.validate(value, answers) or True

    if q.type == "bool":
        prompt = questionary.confirm(message, default=bool(default))
    elif q.choices and q.multiselect:
        chosen = default if isinstance(default, list) else []
        prompt = questionary.checkbox(
            message,
            choices=[
                questionary.Choice(label, value=value, checked=value in chosen) for label, value in q.choices.items()
            ],
            validate=lambda picked: q.validate(list(picked), answers) or True,
        )
    elif q.choices:
        # a choice disabled by its validator (e.g. a client of the other language) is shown greyed, with why
        choices = [
            questionary.Choice(label, value=value, disabled=q.disabled(label, answers) or None)
            for label, value in q.choices.items()
        ]
        prompt = questionary.select(
            message,
            choices=choices,
            default=next((c for c in choices if c.value == default and not c.disabled), None),
        )
    else:
        prompt = questionary.text(message, default=_as_text(default, q), validate=validate)
    answer = prompt.unsafe_ask()  # raises KeyboardInterrupt on Ctrl-C: nothing is written
    return check_answer(q, answer) if isinstance(answer, str) else answer


def ask(questions: list[Question]) -> dict[str, Any]:
    """Ask every visible question in order; returns the answers to pass to Copier."""
    answers: dict[str, Any] = {}
    given: dict[str, Any] = {}
    for q in questions:
        if q.hidden:
            answers[q.name] = q.default_value(answers)
            continue
        if not q.is_asked(answers):
            answers[q.name] = q.default_value(answers)
            continue
        value = _ask_one(q, answers)
        answers[q.name] = value
        given[q.name] = value
    return given
