"""Every rule with a lint check: its `bad` example is flagged with its id, its `good` example is not, in
every language the rule has examples for (TypeScript examples are skipped for rules without one)."""

from __future__ import annotations

import pytest

from redis_rules.lint import CHECKS, lint_source
from redis_rules.lint.model import BY_NAME
from redis_rules.rulesets import load_rules

LINTED = [rule for rule in load_rules() if rule.lint]
SUFFIX = {"python": "py", "typescript": "ts"}
CASES = [
    (rule, language)
    for rule in LINTED
    for language in ("python", "typescript")
    if language in rule.examples and language in BY_NAME[rule.lint].languages
]
IDS = [f"{rule.id}-{language}" for rule, language in CASES]


def example(rule, kind: str, language: str) -> tuple[str, str]:
    """(source, path) of an example. Edge rules are linted as a file of the edge folder."""
    snippet = rule.examples[language][kind]
    try:
        source = rule.code(kind, language)
    except ValueError:  # no import layout for this language yet: only self-contained snippets can be linted
        if snippet.get("uses"):
            pytest.skip(f"{language} examples with `uses` cannot be rendered yet")
        source = str(snippet["code"])
    folder = "src/edge" if rule.lint == "edge-tcp-client" else "app"
    return source, f"{folder}/example.{SUFFIX[language]}"


def test_every_check_has_a_rule_and_the_ids_agree():
    by_check = {rule.lint: rule.id for rule in LINTED}
    assert by_check == CHECKS


@pytest.mark.parametrize(("rule", "language"), CASES, ids=IDS)
def test_bad_example_is_flagged(rule, language):
    source, path = example(rule, "bad", language)
    found = lint_source(source, path)
    assert rule.id in {f.code for f in found}, f"{rule.id} {language} bad example not flagged:\n{source}"
    assert all(f.check == rule.lint for f in found if f.code == rule.id)


@pytest.mark.parametrize(("rule", "language"), CASES, ids=IDS)
def test_good_example_is_clean_for_every_check(rule, language):
    """The good example follows its rule and every other rule too (no finding of any code)."""
    source, path = example(rule, "good", language)
    assert lint_source(source, path) == [], f"{rule.id} {language} good example flagged:\n{source}"
