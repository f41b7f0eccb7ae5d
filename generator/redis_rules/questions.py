"""The questions of copier.yml, read from the template itself (one list, no copy).

Used by the interactive prompt and by `--data` parsing, so both follow copier.yml:
names, defaults, choices, `when` conditions and validators (rendered with Jinja the
same way Copier does).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copier._template import load_template_config
from jinja2 import FileSystemLoader
from jinja2.sandbox import SandboxedEnvironment

from . import safe_yaml
from .answer_types import check_answers
from .errors import UserError, one_line

# validators may import macros (`{% from 'templates/_includes/validators.jinja' import ... %}`): the loader
# points at the template root of the questions being validated, as Copier's own loader does
_env = SandboxedEnvironment(keep_trailing_newline=True)
# any number of ASCII digits: the range is for the question's validator to say (`99999999999999999999` is a whole
# number, too large for default_ttl); Python's own limit (sys.get_int_max_str_digits) caps the length
_INT = re.compile(r"[+-]?[0-9]+")
_TRUE = ("true", "yes", "y", "1", "on")
_FALSE = ("false", "no", "n", "0", "off")


@dataclass
class Question:
    name: str
    type: str = "str"
    help: str = ""
    default: Any = None
    choices: dict[str, Any] = field(default_factory=dict)  # label -> value
    # label -> validator of copier's extended choice form `{value: ..., validator: "..."}`: the choice is
    # disabled, with the rendered text as the reason, whenever that text is not empty
    choice_validators: dict[str, str] = field(default_factory=dict)
    multiselect: bool = False
    when: Any = True
    validator: str = ""
    template_root: Path | None = None  # where its validators' `{% from 'templates/...' %}` imports are found

    @property
    def hidden(self) -> bool:
        """Computed values (`when: false`) are never asked or stored."""
        return self.when is False

    def render(self, value: Any, answers: dict[str, Any]) -> Any:
        if isinstance(value, str) and ("{{" in value or "{%" in value):
            return _env.from_string(value).render(**answers)
        return value

    def is_asked(self, answers: dict[str, Any]) -> bool:
        if isinstance(self.when, bool):
            return self.when
        rendered = str(self.render(self.when, answers)).strip().lower()
        return rendered not in ("", "false", "0", "no", "none", "null")

    def default_value(self, answers: dict[str, Any]) -> Any:
        value = self.render(self.default, answers)
        return self.cast(value) if isinstance(value, str) else value

    def cast(self, raw: Any) -> Any:
        """Turn a text answer into the question's type, or raise UserError naming the field.

        An int is ASCII decimal digits (no `3.5`, `1e3`, `true` or `٣`); a bool one of
        true/false/yes/no/y/n/on/off/1/0; yaml is read by safe_yaml (bounded, no alias bombs).
        """
        if not isinstance(raw, str):
            return raw
        shown = raw if len(raw) <= 60 else raw[:57] + "..."
        if self.type == "int":
            if not _INT.fullmatch(raw.strip()):
                raise UserError(f"{self.name}: must be a whole number such as 3600 (got {shown!r})")
            try:
                return int(raw.strip())
            except ValueError:  # over Python's digit limit: no question's range comes near it
                digits = len(raw.strip().lstrip("+-"))
                raise UserError(f"{self.name}: out of range (a number of {digits} digits)") from None
        if self.type == "bool":
            lowered = raw.strip().lower()
            if lowered in _TRUE or lowered in _FALSE:
                return lowered in _TRUE
            raise UserError(f"{self.name}: must be true or false (got {shown!r})")
        if self.type == "yaml":
            return safe_yaml.load_text(raw, self.name)
        if self.multiselect:
            text = raw.strip()
            if text.startswith("["):
                return safe_yaml.load_text(text, self.name)
            return [item.strip() for item in text.split(",") if item.strip()]
        return raw

    def disabled(self, label: str, answers: dict[str, Any]) -> str:
        """Why the choice ``label`` is disabled with these answers ('' when it is enabled)."""
        validator = self.choice_validators.get(label, "")
        return str(self.render(validator, answers)).strip() if validator else ""

    def enabled_choices(self, answers: dict[str, Any]) -> list[Any]:
        """The values that may be chosen with these answers, in file order, without repeats."""
        values: list[Any] = []
        for label, value in self.choices.items():
            if value not in values and not self.disabled(label, answers):
                values.append(value)
        return values

    def validate(self, value: Any, answers: dict[str, Any]) -> str:
        """'' when valid, else the validator's one-line message (it names the field)."""
        if self.choices:
            allowed = self.enabled_choices(answers)
            values = value if self.multiselect else [value]
            if self.multiselect and not isinstance(value, list):
                return f"{self.name}: must be a list of: {', '.join(map(str, allowed))}"
            for item in values:
                if item in allowed:
                    continue
                # a choice that exists but is disabled by its validator: that validator says why
                reasons = [self.disabled(label, answers) for label, v in self.choices.items() if v == item]
                if reasons and all(reasons):
                    return reasons[0]
                return f"{self.name}: '{item}' is not allowed (allowed: {', '.join(map(str, allowed))})"
        if self.validator:
            message = str(_env.from_string(self.validator).render(**{**answers, self.name: value})).strip()
            return message
        return ""


def load_questions(template_root: Path) -> list[Question]:
    """Questions of `<template_root>/copier.yml`, in file order."""
    config = load_template_config(template_root / "copier.yml", quiet=True)
    _use_root(template_root)
    questions = []
    for name, spec in config.items():
        if name.startswith("_"):
            continue
        if not isinstance(spec, dict):
            spec = {"default": spec, "type": "str"}
        choices, choice_validators = _choices(spec.get("choices") or {})
        questions.append(
            Question(
                name=name,
                type=spec.get("type", "str"),
                help=str(spec.get("help", "")).strip(),
                default=spec.get("default"),
                choices=choices,
                choice_validators=choice_validators,
                multiselect=bool(spec.get("multiselect", False)),
                when=spec.get("when", True),
                validator=str(spec.get("validator", "") or ""),
                template_root=template_root,
            )
        )
    return questions


def _choices(raw: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """(label -> value, label -> validator) from copier's list, dict or extended `{value, validator}` forms."""
    pairs = list(raw.items()) if isinstance(raw, dict) else [(str(c), c) for c in raw]
    choices: dict[str, Any] = {}
    validators: dict[str, str] = {}
    for label, value in pairs:
        if isinstance(value, dict):
            if "value" not in value:
                raise UserError(f"copier.yml: choice {label!r} needs a 'value'")
            if value.get("validator"):
                validators[str(label)] = str(value["validator"])
            value = value["value"]
        choices[str(label)] = value
    return choices, validators


# answers a command records (`new --into` writes `adoption`) and no user gives: not offered as known answers
RECORDED_ONLY = frozenset({"adoption"})


def skip_if_exists(template_root: Path, answers: dict[str, Any]) -> tuple[str, ...]:
    """copier.yml's `_skip_if_exists` paths rendered with the answers."""
    config = load_template_config(template_root / "copier.yml", quiet=True)
    return tuple(str(_env.from_string(str(p)).render(**answers)) for p in config.get("_skip_if_exists", []))


def resolve_answers(
    questions: list[Question],
    given: dict[str, Any],
    source: str = "",
    explicit: Collection[str] = (),
    sources: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Fill defaults, cast and validate in question order; the first problem raises UserError.

    Mirrors what Copier does with `--defaults --data`, so errors show before any rendering.
    Types and sizes are checked first (answer_types), so validators never see a wrong type;
    `source` names where the answers came from in those messages and in a refusal of a given answer;
    `sources` (answer name -> where it came from) does so per answer instead, for answers gathered from
    several places (`update`: the answers file and --set). An answer named in `explicit`
    (typed by the user, not recorded earlier) whose question is not asked with the other answers
    (`package` for a TypeScript project) is refused: Copier would drop it without a word.
    """
    names = {q.name for q in questions if not q.hidden}
    unknown = sorted(set(given) - names, key=str)
    if unknown:
        shown = sorted(names - RECORDED_ONLY)
        where = (sources or {}).get(unknown[0], source)
        raise UserError(f"{unknown[0]}: unknown answer (known: {', '.join(shown)}){_in(where)}")
    given = check_answers(questions, given, source)
    answers: dict[str, Any] = {}
    for q in questions:
        if q.hidden:
            answers[q.name] = q.default_value(answers)  # computed values (yaml ones may be rendered JSON)
            continue
        value = q.cast(given[q.name]) if q.name in given else q.default_value(answers)
        if q.type == "int" and isinstance(value, str):
            value = q.cast(value)
        if q.multiselect and isinstance(value, list):
            value = _as_copier_records(q, value)
        answers[q.name] = value
        asked = q.is_asked(answers)
        if asked or q.name in given:
            message = _validate(q, value, answers)
            if not (message or asked) and q.name in explicit:  # the question's own refusal, if any, says more
                message = f"{q.name}: not used with these answers (asked only when {condition(q)}); leave it out"
            if message and q.name not in given and isinstance(q.default, str) and "{{" in q.default:
                message += f" (derived from your other answers: pass {q.name}=... to choose it)"
            if message:
                where = (sources or {}).get(q.name, source) if q.name in given else ""
                raise UserError(f"{one_line(message, 400)}{_in(where)}")  # the file is named however long it is
    return answers


def _in(source: str) -> str:
    return f" (in {source})" if source else ""


def _as_copier_records(q: Question, picked: list[Any]) -> list[Any]:
    """A multiselect answer as Copier records it: once each, in the order of the choices
    (`[locks, cache, cache]` is `[cache, locks]`), so `update` sees no change where there is none.
    A list with a value that is not a choice is left for the validators to refuse."""
    choices = list(q.choices.values())
    try:
        if not set(picked) <= set(choices):
            return picked
    except TypeError:  # an unhashable item (a mapping typed into the list)
        return picked
    return [choice for choice in choices if choice in picked]


def condition(q: Question) -> str:
    """The question's `when` as the user reads it: `language == 'python'`, without the Jinja braces."""
    return str(q.when).strip().removeprefix("{{").removesuffix("}}").strip()


# Checks of templates/_includes/validators.jinja that a copier.yml validator calls (question -> macro). Run here
# after the question's validator only for a template version whose validators.jinja defines the macro but whose
# copier.yml does not call it yet (commits before the call was wired in); when the validator names the macro,
# stock Copier runs it too and this entry is skipped; a version without the macro (e.g. v0.1.0) skips it as well.
PENDING_VALIDATORS = {"package": "package_error"}
_VALIDATORS_FILE = "templates/_includes/validators.jinja"


def _has_macro(root: Path | None, macro: str) -> bool:
    """Does this template version define the macro? (An older template, e.g. a recorded v0.1.0, does not.)"""
    try:
        return root is not None and f"macro {macro}(" in (root / _VALIDATORS_FILE).read_text(encoding="utf-8")
    except OSError:
        return False


def _use_root(root: Path) -> None:
    """Point the validators' loader at `root` (questions of several template versions may be in use)."""
    loader = _env.loader
    if not (isinstance(loader, FileSystemLoader) and loader.searchpath == [str(root)]):
        _env.loader = FileSystemLoader(str(root))


def _validate(q: Question, value: Any, answers: dict[str, Any]) -> str:
    """The validator's message; a validator that fails to render is a refusal naming the field too."""
    if q.template_root is not None:
        _use_root(q.template_root)
    try:
        message = q.validate(value, answers)
        macro = PENDING_VALIDATORS.get(q.name)
        if not message and macro and macro not in q.validator and _has_macro(q.template_root, macro):
            template = f"{{% from '{_VALIDATORS_FILE}' import {macro} %}}{{{{ {macro}({q.name}) }}}}"
            message = str(_env.from_string(template).render(**{**answers, q.name: value})).strip()
        return message
    except Exception as exc:  # noqa: BLE001 - Copier does the same: a failing validator rejects the answer
        return f"{q.name}: not a valid value ({one_line(exc, 200)})"
