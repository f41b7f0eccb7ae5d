"""The rulesets in rulesets/*.yml: schema, fixed ids/names/check names, examples that parse."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

from redis_rules.errors import UserError
from redis_rules.rulesets import APPLIES_KEYS, REQUIRED, find_rule, load_rules, validate_rule

ROOT = Path(__file__).resolve().parents[1]
RULES = load_rules(ROOT)
BY_ID = {rule.id: rule for rule in RULES}

# The public contract: lint and audit are built against these names. Change them only on purpose.
# id: (name, lint check, audit check, applies)
FIXED = {
    "RR001": ("key-builders", "inline-key", "bad-name", {}),
    "RR002": ("ttl-on-every-key", "write-without-ttl", "no-ttl", {}),
    "RR003": ("atomic-ttl-with-write", "incr-then-expire", None, {}),
    "RR004": ("versioned-cache-keys", None, None, {"modules": ["cache"]}),
    "RR005": ("documented-cache-invalidation", None, None, {"modules": ["cache"]}),
    "RR006": ("no-pattern-invalidation", None, None, {}),
    "RR007": ("no-keys-command", "keys-command", None, {}),
    "RR008": ("bounded-reads", "unbounded-read", "big-key", {}),
    "RR009": ("one-client-per-process", "client-per-call", None, {}),
    "RR010": ("url-from-env", "hardcoded-connection", None, {}),
    "RR011": ("no-flush-outside-reset", "flush-command", None, {}),
    "RR012": ("confirm-mass-mutations", None, None, {}),
    "RR013": ("atomic-rate-limiter", None, None, {"modules": ["rate_limit"]}),
    "RR014": ("limiter-key-dimension", None, None, {"modules": ["rate_limit"]}),
    "RR015": ("pubsub-for-losable-events", None, None, {"modules": ["pubsub", "streams"]}),
    "RR016": ("trim-streams", "xadd-unbounded", "stream-too-long", {}),
    "RR017": ("reap-pending-entries", None, None, {"modules": ["streams"]}),
    "RR018": (
        "dedicated-subscriber-connection",
        None,
        None,
        {"client": ["redis-py", "redis-py-async", "valkey-py"]},
    ),
    "RR019": ("pipeline-bulk-work", None, None, {}),
    "RR020": ("cluster-hash-tags", None, None, {"cluster_mode": [True]}),
    "RR021": ("no-secrets-in-values", None, None, {}),
    "RR022": ("no-pickle", "pickle-values", None, {}),
    "RR023": ("eviction-policy-matches-use", None, None, {}),
    "RR024": ("client-timeouts-and-retries", None, None, {}),
    "RR025": ("one-env-per-keyspace", None, "wrong-env", {}),
    "RR026": ("ttl-within-policy", None, "ttl-too-long", {}),
    "RR027": ("tls-for-managed-redis", None, None, {"managed_tls": [True]}),
    "RR028": ("server-time-for-windows", None, None, {"modules": ["rate_limit", "locks"]}),
    "RR029": ("edge-rest-client", "edge-tcp-client", None, {"language": ["typescript"]}),
}

# Modules a generated project can have (copier.yml `modules`), plus keys/client which always exist.
GENERATED_MODULES = {"keys", "client", "cache", "rate_limit", "sessions", "locks", "streams", "pubsub"}
KEYS_TEMPLATE = ROOT / "templates" / "{{ module_path }}" / "keys.py.jinja"

ids = pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])


def valid_raw(**overrides):
    raw = {
        "id": "RR999",
        "name": "some-rule",
        "title": "A title",
        "severity": "error",
        "applies": {},
        "why": "Because.",
        "claude": "Do the thing with keys.build().",
        "examples": {"python": {"bad": {"code": "x = 1\n"}, "good": {"code": "x = 2\n"}}},
        "lint": None,
        "audit": None,
        "source": "https://redis.io/docs/latest/",
    }
    raw.update(overrides)
    return raw


# ---------------------------------------------------------------- the whole set


def test_all_29_rules_load():
    assert len(RULES) == 29


def test_ids_are_contiguous_and_sorted():
    assert [r.id for r in RULES] == [f"RR{n:03d}" for n in range(1, 30)]


def test_ids_and_names_unique():
    assert len({r.id for r in RULES}) == len(RULES)
    assert len({r.name for r in RULES}) == len(RULES)


def test_fixed_names_and_checks():
    """Lint and audit are built against these names: renaming one breaks them."""
    actual = {r.id: (r.name, r.lint, r.audit, dict(r.applies)) for r in RULES}
    assert actual == FIXED


def test_one_lint_check_one_rule():
    lint = [r.lint for r in RULES if r.lint]
    audit = [r.audit for r in RULES if r.audit]
    assert len(lint) == len(set(lint))
    assert len(audit) == len(set(audit))


def test_every_file_is_a_list_of_mappings_with_exact_fields():
    files = sorted((ROOT / "rulesets").glob("*.yml"))
    assert len(files) >= 3
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(data, list) and data, path.name
        for raw in data:
            assert list(raw) == list(REQUIRED), f"{path.name} {raw.get('id')}: fields or their order"


def test_no_jinja_markers_anywhere():
    """Copier does not render included YAML, but the text ends up inside Jinja templates."""
    for path in (ROOT / "rulesets").glob("*.yml"):
        text = path.read_text(encoding="utf-8")
        assert "{{" not in text and "{%" not in text and "{#" not in text, path.name


# ---------------------------------------------------------------- each rule


@ids
def test_examples_are_valid_python(rule):
    for field in ("bad", "good"):
        try:
            ast.parse(rule.code(field))
        except SyntaxError as exc:  # pragma: no cover - the message is the point
            pytest.fail(f"{rule.id} {field}: {exc}")
    assert rule.code("bad").strip() != rule.code("good").strip()


@ids
def test_examples_import_only_generated_modules(rule):
    for field in ("bad", "good"):
        tree = ast.parse(rule.code(field))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("myapp"):
                assert node.module.startswith("myapp.db.redis"), f"{rule.id} {field}: {node.module}"
                rest = node.module.removeprefix("myapp.db.redis").lstrip(".")
                names = [rest.split(".")[0]] if rest else [alias.name for alias in node.names]
                assert set(names) <= GENERATED_MODULES, f"{rule.id} {field}: imports {names}"


@ids
def test_receiver_is_recognisably_redis(rule):
    """Snippets that call r.<command> get r from get_client() or redis itself."""
    for field in ("bad", "good"):
        code = rule.code(field)
        if re.search(r"\br\.\w+\(", code):
            assert "r = get_client()" in code or "r = redis." in code, f"{rule.id} {field}"
            if "get_client" in code:
                assert "from myapp.db.redis.client import get_client" in code, f"{rule.id} {field}"


@pytest.mark.skipif(not KEYS_TEMPLATE.is_file(), reason="keys.py template not present")
@ids
def test_examples_call_real_key_builders(rule):
    template = KEYS_TEMPLATE.read_text(encoding="utf-8")
    defined = set(re.findall(r"^(?:def|class) (\w+)", template, flags=re.M))
    for field in ("bad", "good"):
        for used in re.findall(r"\bkeys\.(\w+)", rule.code(field)):
            assert used in defined, f"{rule.id} {field}: keys.{used} is not in keys.py"


@ids
def test_applies_keys_and_values(rule):
    for key, values in rule.applies.items():
        assert key in APPLIES_KEYS
        assert isinstance(values, list) and values


@ids
def test_claude_line_is_short(rule):
    lines = rule.claude.strip().splitlines()
    assert 1 <= len(lines) <= 2, rule.id
    for line in lines:
        assert len(line) <= 220, f"{rule.id}: {len(line)} chars"


@ids
def test_claude_line_names_a_helper(rule):
    """Imperative and specific: it names a call (something with parentheses) to use."""
    assert "(" in rule.claude, rule.id


@ids
def test_why_is_one_to_three_sentences(rule):
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", rule.why.strip()) if s]
    assert 1 <= len(sentences) <= 3, f"{rule.id}: {len(sentences)} sentences"


@ids
def test_source_is_a_url(rule):
    assert re.match(r"^https://[\w.-]+\.[a-z]{2,}/", rule.source), rule.source


@ids
def test_title_is_one_line(rule):
    assert "\n" not in rule.title and len(rule.title) <= 90


# ---------------------------------------------------------------- applies_to


def test_applies_to_conditions():
    answers = {"client": "redis-py", "modules": ["cache"], "cluster_mode": False, "managed_tls": False}
    assert BY_ID["RR001"].applies_to(answers)
    assert BY_ID["RR004"].applies_to(answers)
    assert not BY_ID["RR013"].applies_to(answers)
    assert not BY_ID["RR020"].applies_to(answers)
    assert BY_ID["RR020"].applies_to({**answers, "cluster_mode": True})
    assert BY_ID["RR028"].applies_to({**answers, "modules": ["locks"]})
    assert not BY_ID["RR018"].applies_to({**answers, "client": "upstash"})
    assert BY_ID["RR027"].applies_to({**answers, "managed_tls": True})


# ---------------------------------------------------------------- validate_rule / load_rules errors


def test_valid_raw_has_no_problems():
    assert validate_rule(valid_raw(), "t.yml") == []


def test_validate_missing_field():
    raw = valid_raw()
    del raw["why"]
    assert validate_rule(raw, "t.yml") == ["t.yml RR999: missing 'why'"]


def test_validate_unknown_field():
    assert validate_rule(valid_raw(impact="HIGH"), "t.yml") == ["t.yml RR999: unknown fields ['impact']"]


def test_validate_bad_severity():
    problems = validate_rule(valid_raw(severity="critical"), "t.yml")
    assert problems == ["t.yml RR999: severity must be one of ('error', 'warning')"]


def test_validate_unknown_applies_key():
    problems = validate_rule(valid_raw(applies={"colour": ["red"]}), "t.yml")
    assert problems == ["t.yml RR999: applies on unknown answer 'colour'"]


def test_validate_applies_value_must_be_list():
    problems = validate_rule(valid_raw(applies={"modules": "cache"}), "t.yml")
    assert problems == ["t.yml RR999: applies.modules must be a non-empty list"]


def test_validate_claude_too_long():
    problems = validate_rule(valid_raw(claude="a\nb\nc\nd"), "t.yml")
    assert problems == ["t.yml RR999: 'claude' must be at most 2 lines (CLAUDE.md stays short)"]


def test_validate_bad_id_and_name():
    problems = validate_rule(valid_raw(id="R7", name="No_Keys"), "t.yml")
    assert "t.yml R7: id must look like RR001" in problems
    assert "t.yml R7: name must be kebab-case" in problems


def _write_root(tmp_path: Path, files: dict[str, object]) -> Path:
    (tmp_path / "rulesets").mkdir()
    for name, data in files.items():
        (tmp_path / "rulesets" / name).write_text(yaml.safe_dump(data), encoding="utf-8")
    return tmp_path


def test_load_rules_reports_problems_as_user_error(tmp_path):
    root = _write_root(tmp_path, {"a.yml": [valid_raw(severity="fatal")]})
    with pytest.raises(UserError, match=r"invalid rulesets: a\.yml RR999: severity must be one of"):
        load_rules(root)


def test_load_rules_rejects_duplicate_ids_across_files(tmp_path):
    root = _write_root(
        tmp_path,
        {"a.yml": [valid_raw()], "b.yml": [valid_raw(name="other-rule")]},
    )
    with pytest.raises(UserError, match="duplicate rule id RR999"):
        load_rules(root)


def test_load_rules_rejects_non_list_file(tmp_path):
    root = _write_root(tmp_path, {"a.yml": {"id": "RR001"}})
    with pytest.raises(UserError, match=r"a\.yml: must be a YAML list of rules"):
        load_rules(root)


def test_find_rule_by_id_name_and_unknown():
    assert find_rule(RULES, "RR007").name == "no-keys-command"
    assert find_rule(RULES, "rr007").id == "RR007"
    assert find_rule(RULES, "no-keys-command").id == "RR007"
    with pytest.raises(UserError, match="rule: unknown rule 'RR999'"):
        find_rule(RULES, "RR999")
