"""Defaults stated once (issue 10): where a default exists both in Python and in the template, the two
copies are proven equal here, so `lint`/`audit` outside a project behave like a fresh project."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import yaml

from redis_rules.policy import AuditPolicy, LintPolicy, Policy
from redis_rules.questions import load_questions, resolve_answers
from tests.conftest import ROOT, render

ANSWER_FIELDS = (
    "key_format",
    "environments",
    "redis_url_env",
    "default_ttl",
    "ttl_classes",
    "persistent_keys",
    "ttl_jitter_pct",
    "client",
    "flavour",
    "app",
)


def copier_defaults() -> dict[str, object]:
    return resolve_answers(load_questions(ROOT), {})


def test_policy_defaults_are_copier_ymls_defaults() -> None:
    answers, policy = copier_defaults(), Policy()
    for name in ANSWER_FIELDS:
        assert getattr(policy, name) == answers[name], name


def test_lint_and_audit_sections_of_a_fresh_project_equal_the_python_defaults(tmp_path: Path) -> None:
    project = render(tmp_path / "p")
    data = yaml.safe_load((project / ".redis-rules.yml").read_text())
    for section, cls in (("lint", LintPolicy), ("audit", AuditPolicy)):
        defaults = cls()
        for field in dataclasses.fields(cls):
            if section == "lint" and field.name in ("client_factories", "containers_need_ttl"):
                continue  # project-specific by design: the generated get_client; a project's stricter RR002
            assert data[section][field.name] == getattr(defaults, field.name), f"{section}.{field.name}"
    streams = (project / "my_service/db/redis/streams.py").read_text()
    maxlen = re.search(r"^STREAM_MAXLEN: Final = ([\d_]+)", streams, flags=re.M)
    assert maxlen and int(maxlen.group(1)) == AuditPolicy().stream_maxlen


def test_copier_validators_and_the_policy_schema_allow_the_same_range_and_say_it() -> None:
    """The bounds of a number answer live in copier.yml's validators (and validators.jinja) and in
    policy.schema.json; both allow exactly the same values, and a refusal of a whole number names the range."""
    from redis_rules.schema import load_schema

    props = load_schema("policy")["properties"]
    questions = {q.name: q for q in load_questions(ROOT)}
    answers = copier_defaults()
    cases = [
        ("default_ttl", props["default_ttl"], lambda n: n),
        ("ttl_jitter_pct", props["ttl_jitter_pct"], lambda n: n),
        ("ttl_classes", props["ttl_classes"]["additionalProperties"], lambda n: {"session": n}),
    ]
    for name, bounds, value in cases:
        low, high = bounds["minimum"], bounds["maximum"]
        question = questions[name]
        for ok in (low, high):
            assert question.validate(value(ok), {**answers, name: value(ok)}) == "", (name, ok)
        for bad in (low - 1, high + 1, 10**20):
            message = question.validate(value(bad), {**answers, name: value(bad)})
            assert f"out of range: must be from {low} to {high}" in message, (name, bad, message)
            assert "integer" not in message and "whole number" not in message, message
