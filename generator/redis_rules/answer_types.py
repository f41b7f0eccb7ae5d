"""Types and sizes of answers, checked before Jinja or Python sees them.

Answers arrive as text (`new --data KEY=VALUE`, `update --set`, the prompt) or as YAML values
(`new --data-file`, a hand-edited `.copier-answers.yml`). Text is cast to the question's type
(`Question.cast`: an int is decimal digits only, a bool one of true/false/yes/no/on/off/1/0, a yaml
answer is parsed by safe_yaml); any other value must already have that type, so `project_name: 123`,
`default_ttl: true` and `default_ttl: 3.5` are refused instead of becoming "123", 1 and 3. Shapes
and sizes (lists, mappings, their keys, lengths) come from schemas/answers.schema.json; a question
it does not list gets the plain type of its copier.yml `type`. What values may say (character sets,
ranges, combinations) is for copier.yml's validators, which run next and may rely on these types.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .errors import UserError
from .schema import first_problem, load_schema

if TYPE_CHECKING:
    from .questions import Question

MAX_TEXT = 200  # characters of a text answer the schema does not bound itself
MAX_RAW = 64 * 1024  # characters of one answer given as text (YAML included), before parsing

_PLAIN: dict[str, dict[str, Any]] = {
    "str": {"type": "string", "maxLength": MAX_TEXT},
    "int": {"type": "integer"},
    "bool": {"type": "boolean"},
}


def schema_of(question: Question) -> dict[str, Any]:
    """The JSON Schema one answer to `question` must satisfy."""
    listed = load_schema("answers")["properties"].get(question.name)
    if listed is not None:
        return dict(listed)
    if question.multiselect:
        return {"type": "array", "items": {"type": "string", "maxLength": MAX_TEXT}}
    return dict(_PLAIN.get(question.type, {}))  # yaml: any value the YAML reader accepted (bounded there)


def _where(source: str) -> str:
    return f" (in {source})" if source else ""


def check_answer(question: Question, value: Any, source: str = "") -> Any:
    """The answer cast to its question's type; UserError '<name>: <problem> (in <source>)' otherwise."""
    if isinstance(value, str) and len(value) > MAX_RAW:
        raise UserError(f"{question.name}: over {MAX_RAW // 1024} KiB of text{_where(source)}")
    if isinstance(value, str) and (question.type != "str" or question.multiselect):
        try:
            value = question.cast(value)
        except UserError as exc:
            raise UserError(f"{exc}{_where(source)}") from None
    problem = first_problem(value, schema_of(question), [question.name])
    if problem:
        raise UserError(f"{problem}{_where(source)}")
    return value


def check_answers(questions: Iterable[Question], given: dict[str, Any], source: str = "") -> dict[str, Any]:
    """`given` with every answer to a known question type-checked and cast (others left for the caller)."""
    by_name = {q.name: q for q in questions}
    checked = dict(given)
    for name, value in given.items():
        question = by_name.get(name)
        if question is not None:
            checked[name] = check_answer(question, value, source)
    return checked
