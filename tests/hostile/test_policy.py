"""Kind 3: the policy file is validated against schemas/policy.schema.json; a mistake is one line naming
the field (exit 2), never a silently different lint or audit result. The schema accepts every policy file
the template renders, for many answer sets (property-based, rendering .redis-rules.yml.jinja itself)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from jinja2 import FileSystemLoader
from jinja2.sandbox import SandboxedEnvironment

from redis_rules import safe_yaml
from redis_rules.errors import UserError
from redis_rules.policy import AuditPolicy, LintPolicy, Policy, check_policy_data, load_policy
from redis_rules.questions import load_questions, resolve_answers
from redis_rules.schema import load_schema
from tests.conftest import ROOT
from tests.hostile.helpers import ALIAS_BOMB, assert_contract, assert_refused, run, tried

CODE = "import redis\n\nr = redis.Redis()\nr.keys('*')\n"  # RR007: KEYS

# (YAML of the policy, what the one-line error says)
BAD_POLICIES = [
    ("lint:\n  ignore: RR007\n", "lint.ignore: must be a list of rule ids or names"),
    ("lint:\n  select: RR001\n", "lint.select: must be a list"),
    ("environments: prod\n", "environments: must be a non-empty list"),
    ("environments: []\n", "environments: must not be empty"),
    ("environments: [prod, prod]\n", "environments: lists the same value twice"),
    ("environments: [Prod]\n", "environments[0]: must be lowercase letters"),
    ("default_ttl: true\n", "default_ttl: must be a whole number (got true)"),
    ("default_ttl: 3.5\n", "default_ttl: must be a whole number"),
    ("default_ttl: 0\n", "default_ttl: must be at least 1"),
    ("ttl_jitter_pct: 99\n", "ttl_jitter_pct: must be at most 50"),
    ("ttl_classes: {session: '60'}\n", "ttl_classes.session: must be a whole number"),
    ("ttl_classes: [60]\n", "ttl_classes: must be a mapping"),
    ("ttl_classes: {Session: 60}\n", "ttl_classes: key 'Session' must be a lowercase identifier"),
    ("persistent_keys: {pattern: x}\n", "persistent_keys: must be a list"),
    ("persistent_keys: [{pattern: 'a:*'}]\n", "persistent_keys[0]: missing 'reason'"),
    ("persistent_keys: [{pattern: 'a:*', reason: r, ttl: 1}]\n", "persistent_keys[0]: unknown key 'ttl'"),
    ("key_format: '{app}:{idd}'\n", "key_format: must be segments joined by ':'"),
    ("key_format: '{app}:{domain}'\n", "key_format: must be a format containing {id}"),
    ("key_format: 42\n", "key_format: must be text"),
    ("key_format: '{app}:{domain}:{id}'\n", "key_format: must contain {domain} and {entity}"),
    ("key_format: '{domain}:{id}:{entity}'\n", "key_format: {id} must be the last segment"),
    ("key_format: '{domain}:{entity}:{domain}:{id}'\n", "key_format: placeholder {domain} is repeated"),
    ("persistent_keys: [{pattern: '*', reason: all}]\n", "persistent_keys[0].pattern: '*' would exempt keys of every"),
    ("persistent_keys: [{pattern: 'my-service:prod:*', reason: r}]\n", "persistent_keys[0].pattern: 'my-service:prod"),
    ("persistent_keys: [{pattern: 'a:cfg:*', reason: '  '}]\n", "persistent_keys[0].reason: must say why"),
    ("app: 'My App'\n", "app: must be lowercase letters"),
    ("redis_url_env: 'my-url'\n", "redis_url_env: must be an environment variable name"),
    ("version: 2\n", "version: must be one of: 1"),
    ("lint:\n  ignor: [RR007]\n", "lint: unknown key 'ignor'"),
    ("lint:\n  per_file_ignores: {'a/*.py': RR001}\n", "lint.per_file_ignores.a/*.py: must be a list"),
    ("lint:\n  exclude: '*.py'\n", "lint.exclude: must be a list of globs"),
    ("lint: [ignore]\n", "lint: must be a mapping"),
    ("audit:\n  big_key_bytes: 1.5\n", "audit.big_key_bytes: must be a whole number"),
    ("audit:\n  stream_maxlen: 0\n", "audit.stream_maxlen: must be at least 1"),
    ("audit:\n  max: 1\n", "audit: unknown key 'max'"),
    ("colour: blue\n", "unknown key 'colour'"),
    ("- a\n- b\n", "must be a YAML mapping"),
    ("1: x\n", "keys must be text"),
    ("app: x\napp: y\n", "key 'app' appears twice"),
    ("a: &a [*a]\n", "contains itself"),
]


@pytest.mark.parametrize(("text", "message"), BAD_POLICIES, ids=[m.split(":")[0] for _, m in BAD_POLICIES])
def test_policy_mistakes_are_refused_by_lint_and_audit(tmp_path: Path, text: str, message: str) -> None:
    policy = tmp_path / ".redis-rules.yml"
    policy.write_text(text, encoding="utf-8")
    (tmp_path / "app.py").write_text(CODE, encoding="utf-8")
    for argv in (
        ["lint", "--policy", str(policy), str(tmp_path / "app.py")],
        ["audit", "--policy", str(policy), "--url", "redis://127.0.0.1:1/0"],
    ):
        code, out, err = run(*argv)
        tried(argv[0])
        assert_refused(code, out, err, str(policy))
        assert message in err, err
        assert "All checks passed" not in out


def test_ignore_written_as_a_string_no_longer_turns_every_rule_off(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / ".redis-rules.yml").write_text("lint:\n  ignore: RR007\n", encoding="utf-8")
    (tmp_path / "app.py").write_text(CODE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = run("lint", "app.py")  # the policy found from the current folder
    tried("lint")
    assert_refused(code, out, err, "lint.ignore")
    (tmp_path / ".redis-rules.yml").write_text("lint:\n  ignore: [RR007]\n", encoding="utf-8")
    code, _, _ = run("lint", "app.py")
    assert code == 0  # the same intent, written as a list, works


@pytest.mark.parametrize("kind", ["folder", "dangling-link"])
def test_a_found_policy_that_is_no_file_is_refused(tmp_path: Path, monkeypatch, kind: str) -> None:
    """Trial 14: a folder named .redis-rules.yml was passed over when lint and audit looked for the policy, so the
    defaults were used without a word (with --policy it was refused). Whatever has the name is now read, and
    refused with one line."""
    policy = tmp_path / ".redis-rules.yml"
    if kind == "folder":
        policy.mkdir()
    else:
        policy.symlink_to(tmp_path / "missing.yml")
    (tmp_path / "app.py").write_text(CODE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for argv in (["lint", "app.py"], ["audit", "--url", "redis://127.0.0.1:1/0"]):
        code, out, err = run(*argv)
        tried(argv[0])
        assert_refused(code, out, err, str(policy))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"app: caf\xe9\n", "not UTF-8 text"),
        (b"x: 1\n" + b"#" * (2 * 1024 * 1024), "over 1024 KiB"),
        (ALIAS_BOMB.encode(), "too large once its aliases"),
    ],
    ids=["not-utf8", "oversized", "alias-bomb"],
)
def test_unreadable_policy_files(tmp_path: Path, data: bytes, message: str) -> None:
    policy = tmp_path / "p.yml"
    policy.write_bytes(data)
    code, out, err = run("lint", "--policy", str(policy), str(tmp_path))
    tried("lint")
    assert_refused(code, out, err, str(policy))
    assert message in err, err


def test_schema_and_policy_dataclasses_name_the_same_fields() -> None:
    schema = load_schema("policy")["properties"]
    top = {f.name for f in dataclasses.fields(Policy)} - {"lint", "audit", "source"}
    assert set(schema) == top | {"lint", "audit", "version"}
    assert set(schema["lint"]["properties"]) == {f.name for f in dataclasses.fields(LintPolicy)}
    assert set(schema["audit"]["properties"]) == {f.name for f in dataclasses.fields(AuditPolicy)}


def test_policy_defaults_pass_the_schema() -> None:
    policy = Policy()
    data: dict[str, Any] = {
        f.name: getattr(policy, f.name) for f in dataclasses.fields(Policy) if f.name not in ("lint", "audit", "source")
    }
    data["lint"] = dataclasses.asdict(policy.lint)
    data["audit"] = dataclasses.asdict(policy.audit)
    check_policy_data(data, "defaults")


# ---------------------------------------------------------------- the schema accepts every rendered policy
QUESTIONS = load_questions(ROOT)
_env = SandboxedEnvironment(
    loader=FileSystemLoader(str(ROOT)), trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True
)
TEMPLATE = _env.get_template("templates/python/.redis-rules.yml.jinja")

NAME = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,11}", fullmatch=True)
IDENT = st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True).filter(lambda n: not n.endswith("_") or True)
PRINTABLE = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp", "Co", "Cn", "Zs")), min_size=1)


@st.composite
def answer_sets(draw: st.DrawFn) -> dict[str, Any]:
    literal = draw(st.sampled_from(["", "v1", "cache-2"]))
    order = draw(st.permutations(["{app}", "{env}", "{domain}", "{entity}"]))
    parts = [p for p in order if p in ("{domain}", "{entity}") or draw(st.booleans())]
    if literal:
        parts.insert(draw(st.integers(0, len(parts))), literal)
    environments = draw(st.lists(NAME, min_size=1, max_size=5, unique=True))
    client = draw(st.sampled_from(["redis-py", "redis-py-async", "valkey-py", "upstash"]))
    flavour = (
        "upstash"
        if client == "upstash"
        else draw(
            st.sampled_from(
                ["self-hosted", "sentinel", "cluster", "elasticache", "elasticache-serverless", "redis-cloud", "azure"]
            )
        )
    )
    keep = draw(
        st.lists(
            st.tuples(
                st.from_regex(r"[a-z][a-z0-9]{2,8}", fullmatch=True),
                PRINTABLE,
                st.sampled_from(["*", "?", "[ab]", "", "\\*", '"', "é😀"]),
            ),
            max_size=4,
        )
    )
    return {
        "project_name": draw(PRINTABLE.filter(lambda t: t == t.strip() and len(t) <= 80)),
        "package": "pkg",
        "client": client,
        "flavour": flavour,
        "key_format": ":".join([*parts, "{id}"]),
        "app": draw(NAME),
        "environments": environments,
        "redis_url_env": draw(st.from_regex(r"[A-Z_][A-Z0-9_]{0,20}", fullmatch=True).filter(lambda v: v != "APP_ENV")),
        "default_ttl": draw(st.integers(1, 2592000)),
        "ttl_classes": draw(st.dictionaries(IDENT, st.integers(1, 2592000), min_size=1, max_size=6)),
        "ttl_jitter_pct": draw(st.integers(0, 50)),
        "persistent_keys": [
            {"pattern": f"*:{word}:{tail}".strip(":") or f"*:{word}", "reason": reason.strip() or "kept"}
            for word, reason, tail in keep
        ],
        "modules": draw(
            st.lists(st.sampled_from(["cache", "rate_limit", "sessions", "locks", "streams", "pubsub"]), unique=True)
        ),
        "rate_limit_default": f"{draw(st.integers(1, 1000000))}/{draw(st.integers(1, 24))}h",
    }


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(answer_sets())
def test_the_schema_accepts_every_rendered_policy(given_answers: dict[str, Any]) -> None:
    try:
        answers = resolve_answers(QUESTIONS, given_answers)
    except UserError:
        assume(False)  # refused answers render nothing
        return
    text = TEMPLATE.render(**answers)
    data = safe_yaml.load_text(text, ".redis-rules.yml")
    check_policy_data(data, ".redis-rules.yml")  # raises with the field on any mismatch
    assert data["persistent_keys"] == answers["persistent_keys"]
    assert data["environments"] == answers["environments"] and data["key_format"] == answers["key_format"]
    tried("policy-render")


# (key_format, persistent_keys): the policy file and the answers refuse the same ones
CROSS_FIELD = [
    ("{app}:{env}:{domain}:{entity}:{id}", [{"pattern": "*:config:*", "reason": "kept"}]),
    ("{app}:{env}:{domain}:{entity}:{id}", [{"pattern": "*", "reason": "everything"}]),
    ("{app}:{env}:{domain}:{entity}:{id}", [{"pattern": "my-service:*", "reason": "the app"}]),
    ("{app}:{env}:{domain}:{entity}:{id}", [{"pattern": "*:prod:*", "reason": "an environment"}]),
    ("{app}:{env}:{domain}:{entity}:{id}", [{"pattern": "*:conf?g:*", "reason": "a wildcard"}]),
    ("{app}:{env}:{domain}:{entity}:{id}", [{"pattern": "a:cfg:*", "reason": " "}]),
    ("v1:{domain}:{entity}:{id}", [{"pattern": "v1:*", "reason": "a literal of the format"}]),
    ("v1:{domain}:{entity}:{id}", [{"pattern": "v1:flags:*", "reason": "a domain"}]),
    ("{domain}:{entity}:{id}", []),
    ("{app}:{domain}:{id}", []),
    ("{app}:{entity}:{id}", []),
    ("{domain}:{entity}:{id}:v1", []),
    ("{domain}:{id}:{entity}", []),
    ("{domain}:{entity}:{entity}:{id}", []),
]


@pytest.mark.parametrize(("key_format", "persistent_keys"), CROSS_FIELD)
def test_a_policy_file_refuses_what_the_answers_refuse(key_format: str, persistent_keys: list[dict[str, str]]) -> None:
    """A hand-edited .redis-rules.yml cannot loosen what `new` refuses (persistent_keys '*' would turn the TTL
    rule off for every key; a format without {domain} lets domains collide)."""
    given = {"key_format": key_format, "persistent_keys": persistent_keys}
    try:
        resolve_answers(QUESTIONS, given)
        answers_refuse = ""
    except UserError as exc:
        answers_refuse = str(exc)
    try:
        check_policy_data({**given, "app": "my-service"}, "policy p.yml")
        policy_refuses = ""
    except UserError as exc:
        policy_refuses = str(exc)
    assert bool(answers_refuse) == bool(policy_refuses), (answers_refuse, policy_refuses)
    assert answers_refuse.split(":")[0].strip() in policy_refuses, (answers_refuse, policy_refuses)


def test_a_rendered_policy_round_trips_through_load_policy(tmp_path: Path) -> None:
    answers = resolve_answers(QUESTIONS, {"persistent_keys": [{"pattern": 'x:cfg:"q\\', "reason": 'é😀 "r"'}]})
    path = tmp_path / ".redis-rules.yml"
    path.write_text(TEMPLATE.render(**answers), encoding="utf-8")
    policy = load_policy(path)
    assert policy.persistent_keys == [{"pattern": 'x:cfg:"q\\', "reason": 'é😀 "r"'}]
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["app"] == answers["app"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    field=st.sampled_from(sorted(load_schema("policy")["properties"])),
    value=st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
        max_leaves=8,
    ),
)
def test_any_value_in_any_policy_field_ends_in_the_contract(tmp_path: Path, field: str, value: object) -> None:
    policy = tmp_path / "p.yml"
    policy.write_text(yaml.safe_dump({field: value}, allow_unicode=True), encoding="utf-8")
    (tmp_path / "app.py").write_text(CODE, encoding="utf-8")
    code, out, err = run("lint", "--policy", str(policy), str(tmp_path / "app.py"))
    tried("lint")
    assert_contract(code, out, err, field, str(policy), allowed=(0, 1, 2))
