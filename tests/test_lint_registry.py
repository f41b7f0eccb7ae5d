"""One registry per concern: lint and audit checks are declared once and everything else reads them."""

from __future__ import annotations

import re

import pytest

from redis_rules.audit import checks as audit_checks
from redis_rules.commands import rules as rules_cmd
from redis_rules.errors import UserError
from redis_rules.lint import lint_source
from redis_rules.lint.model import BY_NAME, CHECKS, REGISTRY, readme_table, resolve_selector, severities
from redis_rules.lint.report import sarif_rules
from redis_rules.policy import LintPolicy, Policy
from redis_rules.rulesets import load_rules
from tests.conftest import ROOT

RULES = {r.id: r for r in load_rules(ROOT)}
BAD = 'import redis\nr = redis.Redis()\nr.keys("*")\nr.lrange("h", 0, -1)\n'


def test_readme_check_table_is_the_registry():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- lint-checks")[1].split("-->", 1)[1].split("<!-- /lint-checks -->")[0]
    assert table.strip() == readme_table().strip(), "README check table is stale; paste readme_table() output"


def test_every_check_enforces_a_rule_that_names_it():
    for check in REGISTRY:
        assert check.rule in RULES, check.name
        assert RULES[check.rule].lint == check.name
    assert {r.lint: r.id for r in RULES.values() if r.lint} == CHECKS
    audit = {c.name: c.rule for c in audit_checks.REGISTRY}
    assert audit == audit_checks.CHECKS
    for name, rule in audit.items():
        assert RULES[rule].audit == name


def test_every_message_variant_formats_with_the_fields_the_checks_pass():
    fields = {
        "how": "an f-string",
        "command": "HSET",
        "expire": "EXPIRE",
        "incr": "INCR",
        "line": 3,
        "via": "execute_command",
        "method": "eval",
        "name": "redis.Redis",
        "what": "a password",
        "detail": "",
        "host": "10.0.0.1",
        "where": "connect(url=...)",
        "module": "ioredis",
        "port": 6379,
        "word": "session",
        "a_word": "a session",
        "param": "limit",
        "scan": "scan_iter",
        "trim": "maxlen= or minid=",
        "factory": "get_redis",
        "caller": "handler() at line 12",
        "why": "its default",
        "writer": "function cache_product",
        "store": "flask.g",
        "fix": "subscribe once at startup on a dedicated connection",
        "close": "`with`, or close() in a finally",
    }
    for check in REGISTRY:
        for variant in check.messages:
            text = check.message(variant, **fields)
            assert text and "{" not in text, (check.name, variant)


def test_severity_and_sarif_metadata_come_from_the_rules():
    sarif = {entry["id"]: entry for entry in sarif_rules()}
    for check in REGISTRY:
        rule = RULES[check.rule]
        entry = sarif[check.rule]
        assert entry["name"] == rule.name and entry["shortDescription"]["text"] == rule.title
        assert entry["defaultConfiguration"]["level"] == rule.severity
        assert entry["properties"] == {"check": check.name, "summary": check.summary}
    found = lint_source(BAD, "app/x.py")
    assert {f.code: f.severity for f in found} == {"RR007": RULES["RR007"].severity, "RR008": RULES["RR008"].severity}


@pytest.mark.parametrize("selector", ["RR007", "rr007", "no-keys-command", "keys-command", "RR00"])
def test_selectors_by_id_rule_name_check_name_and_prefix(selector):
    assert "RR007" in resolve_selector(selector)
    assert [f.code for f in lint_source(BAD, "app/x.py", select=[selector]) if f.code == "RR007"] == ["RR007"]
    assert "RR007" not in {f.code for f in lint_source(BAD, "app/x.py", ignore=[selector])}


@pytest.mark.parametrize("selector", ["RR999", "no-such-rule", "versioned-cache-keys", ""])
def test_unknown_selectors_name_nothing(selector):
    """A rule without a lint check (RR004 versioned-cache-keys) selects no check: refusing it says so."""
    assert resolve_selector(selector) is None


@pytest.mark.parametrize("comment", ["RR007", "no-keys-command", "keys-command", "RR0", "RR008,no-keys-command"])
def test_suppression_comments_take_ids_rule_names_and_check_names(comment):
    src = BAD.replace('r.keys("*")', f'r.keys("*")  # redis-rules: ignore[{comment}]')
    assert "RR007" not in {f.code for f in lint_source(src, "app/x.py")}
    src = f"# redis-rules: ignore-file[{comment}]\n" + BAD
    assert "RR007" not in {f.code for f in lint_source(src, "app/x.py")}


def test_policy_selectors_take_names_and_refuse_unknown_ones():
    by_name = Policy(lint=LintPolicy(ignore=["no-keys-command"], per_file_ignores={"app/*": ["bounded-reads"]}))
    assert lint_source(BAD, "app/x.py", by_name) == []
    for lint in (
        LintPolicy(ignore=["RR999"]),
        LintPolicy(select=["nope"]),
        LintPolicy(ignore="RR007"),  # type: ignore[arg-type]  # a string, not a list: would turn every rule off
        LintPolicy(per_file_ignores={"tests/**": ["not-a-rule"]}),
    ):
        with pytest.raises(UserError, match=r"^policy lint\.\w+"):
            lint_source(BAD, "app/x.py", Policy(lint=lint))


def test_rules_command_finds_a_rule_by_check_name_and_lists_checks_from_the_registries(capsys):
    rules = list(RULES.values())
    assert rules_cmd.lookup(rules, "keys-command").id == "RR007"
    assert rules_cmd.lookup(rules, "big-key").id == "RR008"
    assert rules_cmd.lookup(rules, "no-keys-command").id == "RR007"
    lines = rules_cmd.checked_by(RULES["RR008"])
    assert lines == [
        f"lint: unbounded-read  (redis-rules lint): {BY_NAME['unbounded-read'].summary}",
        "audit: big-key  (redis-rules audit): keys over the big-key thresholds (bytes or elements)",
    ]
    with pytest.raises(UserError):
        rules_cmd.lookup(rules, "no-such-check")


def test_audit_fail_on_takes_check_names_rule_ids_and_rule_names():
    assert audit_checks.parse_fail_on("no-ttl,wrong-env") == {"no-ttl", "wrong-env"}
    assert audit_checks.parse_fail_on("RR008") == {"big-key"}
    assert audit_checks.parse_fail_on("ttl-on-every-key") == {"no-ttl"}
    assert audit_checks.parse_fail_on("all") == set(audit_checks.CHECKS)
    with pytest.raises(UserError, match=re.escape("unknown check(s) RR007")):
        audit_checks.parse_fail_on("RR007")


def test_severities_read_without_yaml_equal_the_rules():
    """The line scan lint uses for severities (no YAML parse at start-up) sees every rule as the loader does."""
    assert severities() == {rule.id: rule.severity for rule in RULES.values()}
