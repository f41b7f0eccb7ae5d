"""JSON Schema validation with one-line messages that name the field.

Used for the policy file (schemas/policy.schema.json) and for the shapes of answers
(schemas/answers.schema.json). Draft 2020-12, with two stricter types than the draft: a bool is
never an integer or a number (YAML `true` is not 1), and `3.0` is not an integer.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError, best_match

from .errors import one_line

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"


def _is_integer(checker: object, value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(checker: object, value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_TYPES = Draft202012Validator.TYPE_CHECKER.redefine_many({"integer": _is_integer, "number": _is_number})
StrictValidator = validators.extend(Draft202012Validator, type_checker=_TYPES)

TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping (key: value)",
    "null": "empty",
}


@cache
def load_schema(name: str) -> dict[str, Any]:
    """schemas/<name>.schema.json, checked against its metaschema once."""
    schema: dict[str, Any] = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    StrictValidator.check_schema(schema)
    return schema


def describe(value: object) -> str:
    """A short, safe description of a value for an error message."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        text = str(value) if abs(value) < 10**30 else f"a {len(str(abs(value)))}-digit number"
        return f"the number {text}"
    if isinstance(value, float):
        return f"the number {value!r}"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"the text {shown!r}"
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


def field_path(parts: list[str | int] | Any) -> str:
    """['persistent_keys', 0, 'pattern'] -> 'persistent_keys[0].pattern'."""
    out: str = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def explain(error: ValidationError) -> str:
    """What is wrong, in words (without the field name)."""
    kind, expected, value, schema = error.validator, error.validator_value, error.instance, error.schema
    if kind == "type":
        wanted = [expected] if isinstance(expected, str) else list(expected)
        words = " or ".join(TYPE_WORDS.get(w, w) for w in wanted if w != "null")
        return f"must be {schema.get('description') or words} (got {describe(value)})"
    if kind == "required":
        missing = [name for name in expected if isinstance(value, dict) and name not in value]
        return f"missing '{missing[0] if missing else expected[0]}'"
    if kind == "additionalProperties":
        known = sorted(schema.get("properties", {}))
        extra = sorted(str(k) for k in value if k not in known) if isinstance(value, dict) else []
        allowed = f" (allowed: {', '.join(known)})" if known else ""
        return f"unknown key '{one_line(extra[0], 60) if extra else '?'}'{allowed}"
    if kind in ("minimum", "exclusiveMinimum"):
        return f"must be {'over' if kind == 'exclusiveMinimum' else 'at least'} {expected} (got {describe(value)})"
    if kind in ("maximum", "exclusiveMaximum"):
        return f"must be {'under' if kind == 'exclusiveMaximum' else 'at most'} {expected} (got {describe(value)})"
    if kind == "minLength":
        return "must not be empty" if expected == 1 else f"must be at least {_plural(expected, 'character')}"
    if kind == "maxLength":
        return f"must be at most {_plural(expected, 'character')} (got {len(value)})"
    if kind == "minItems":
        return "must not be empty" if expected == 1 else f"must list at least {expected} entries"
    if kind == "maxItems":
        return f"must list at most {expected} entries (got {len(value)})"
    if kind == "minProperties":
        return "must not be empty" if expected == 1 else f"must have at least {expected} keys"
    if kind == "maxProperties":
        return f"must have at most {expected} keys (got {len(value)})"
    if kind == "uniqueItems":
        return "lists the same value twice"
    if kind in ("enum", "const"):
        choices = expected if kind == "enum" else [expected]
        return f"must be one of: {', '.join(json.dumps(v) for v in choices)} (got {describe(value)})"
    if kind == "pattern":
        what = schema.get("description") or f"text matching {expected}"
        return f"must be {what} (got {describe(value)})"
    if kind == "propertyNames":
        return "has a key that is not allowed"
    return one_line(error.message, 200)


def first_problem(instance: Any, schema: dict[str, Any], prefix: list[str | int] | None = None) -> str | None:
    """'<field>: <what is wrong>' for the most relevant schema violation, None when valid."""
    errors = list(StrictValidator(schema).iter_errors(instance))
    if not errors:
        return None
    error = best_match(errors)
    path: list[str | int] = [*(prefix or []), *error.absolute_path]
    # a bad key name (propertyNames) is reported with the key and what a key must look like
    if "propertyNames" in error.absolute_schema_path:
        name = one_line(repr(error.instance), 60)
        what = error.schema.get("description") or "an allowed key"
        return f"{field_path(path)}: key {name} must be {what}"
    where = field_path(path) or "(top level)"
    return f"{where}: {explain(error)}"
