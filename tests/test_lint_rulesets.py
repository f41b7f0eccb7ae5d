"""Every rule with a lint check: its `bad` example is flagged with its id, its `good` example is not."""

from __future__ import annotations

import pytest

from redis_rules.lint import CHECKS, lint_source
from redis_rules.rulesets import load_rules

LINTED = [rule for rule in load_rules() if rule.lint]


def test_every_check_has_a_rule_and_the_ids_agree():
    by_check = {rule.lint: rule.id for rule in LINTED}
    assert by_check == CHECKS


@pytest.mark.parametrize("rule", LINTED, ids=[r.id for r in LINTED])
def test_bad_example_is_flagged(rule):
    found = lint_source(rule.code("bad"), "app/example.py")
    assert rule.id in {f.code for f in found}, f"{rule.id} bad example not flagged:\n{rule.code('bad')}"
    assert all(f.check == rule.lint for f in found if f.code == rule.id)


@pytest.mark.parametrize("rule", LINTED, ids=[r.id for r in LINTED])
def test_good_example_is_clean(rule):
    found = [f for f in lint_source(rule.code("good"), "app/example.py") if f.code == rule.id]
    assert found == [], f"{rule.id} good example flagged: {found}"


@pytest.mark.parametrize("rule", LINTED, ids=[r.id for r in LINTED])
def test_good_example_is_clean_for_every_check(rule):
    """The good example follows every other rule too (no finding of any code)."""
    assert lint_source(rule.code("good"), "app/example.py") == []
