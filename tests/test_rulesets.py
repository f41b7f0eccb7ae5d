"""The rulesets in rulesets/*.yml: schema, fixed ids/names/check names, examples that parse.

TypeScript examples are parsed and type-checked with the TypeScript compiler against declarations
of the generated modules' API (TS_API below) and the real client packages' types; the npm packages
are installed once into ~/.cache/redis-rules-tests/ (or $XDG_CACHE_HOME/redis-rules-tests/).
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml

from redis_rules.errors import UserError
from redis_rules.questions import load_questions
from redis_rules.rulesets import (
    APPLIES_KEYS,
    DEFAULT_MODULE_PATHS,
    LANGUAGES,
    REQUIRED,
    TS_MODULES,
    TS_PACKAGES,
    find_rule,
    load_rules,
    render_example,
    validate_rule,
)

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
    "RR006": ("no-pattern-invalidation", None, None, {"modules": ["cache"]}),
    "RR007": ("no-keys-command", "keys-command", None, {}),
    "RR008": ("bounded-reads", "unbounded-read", "big-key", {}),
    "RR009": ("one-client-per-process", "client-per-call", None, {}),
    "RR010": ("url-from-env", "hardcoded-connection", None, {}),
    "RR011": ("no-flush-outside-reset", "flush-command", None, {}),
    "RR012": ("confirm-mass-mutations", None, None, {}),
    "RR013": ("atomic-rate-limiter", "check-then-act-counter", None, {"modules": ["rate_limit"]}),
    "RR014": ("limiter-key-dimension", None, None, {"modules": ["rate_limit"]}),
    "RR015": ("pubsub-for-losable-events", None, None, {"modules": ["streams"]}),
    "RR016": ("trim-streams", "xadd-unbounded", "stream-too-long", {}),
    "RR017": ("reap-pending-entries", None, None, {"modules": ["streams"]}),
    "RR018": (
        "dedicated-subscriber-connection",
        "dedicated-subscriber-connection",
        None,
        {"client": ["redis-py", "redis-py-async", "valkey-py"], "modules": ["pubsub"]},
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
    "RR028": ("server-time-for-windows", None, None, {"modules": ["rate_limit"]}),
    "RR029": ("edge-rest-client", "edge-tcp-client", None, {"language": ["typescript"], "edge": [True]}),
}

# Modules a generated project can have (copier.yml `modules`), plus keys/client which always exist.
GENERATED_MODULES = {"keys", "client", "cache", "rate_limit", "sessions", "locks", "streams", "pubsub"}
KEYS_TEMPLATE = ROOT / "templates" / "python" / "{{ module_path }}" / "keys.py.jinja"

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
        "examples": {
            "python": {"bad": {"code": "x = 1\n"}, "good": {"code": "x = 2\n"}},
            "typescript": {"bad": {"code": "let x = 1;\n"}, "good": {"code": "const x = 2;\n"}},
        },
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
def test_claude_line_names_at_most_one_ttl_class(rule):
    """A project lacking the class gets its first class instead (rulesets.ttl_names): a list of classes would
    repeat it."""
    assert len(re.findall(r"\bTTL\.\w+", rule.claude)) <= 1, rule.id


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
    assert BY_ID["RR028"].applies_to({**answers, "modules": ["rate_limit"]})
    assert not BY_ID["RR028"].applies_to({**answers, "modules": ["locks"]})  # its text names rate_limit
    assert not BY_ID["RR018"].applies_to({**answers, "client": "upstash"})
    assert not BY_ID["RR018"].applies_to(answers)  # names pubsub.subscribe_invalidations: only with pubsub
    assert BY_ID["RR018"].applies_to({**answers, "modules": ["pubsub"]})
    assert BY_ID["RR027"].applies_to({**answers, "managed_tls": True})
    typescript = {**answers, "language": "typescript", "client": "node-redis"}
    assert not BY_ID["RR029"].applies_to(typescript)  # names the edge folder and modules: only with edge
    assert not BY_ID["RR029"].applies_to({**typescript, "edge": False})
    assert BY_ID["RR029"].applies_to({**typescript, "edge": True})


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


# ---------------------------------------------------------------- examples: both languages, validation


def test_every_rule_has_both_languages():
    for rule in RULES:
        assert set(rule.examples) == set(LANGUAGES), rule.id


def test_validate_requires_every_language():
    raw = valid_raw()
    del raw["examples"]["typescript"]
    assert validate_rule(raw, "t.yml") == [
        "t.yml RR999: 'examples' must map each language (python, typescript) to bad/good"
    ]


def test_validate_unknown_example_language():
    raw = valid_raw()
    raw["examples"]["go"] = raw["examples"]["python"]
    assert validate_rule(raw, "t.yml") == ["t.yml RR999: examples.go: unknown language (allowed: python, typescript)"]


@pytest.mark.parametrize(
    ("use", "problem"),
    [
        (
            "rate_limit",
            "the TypeScript module is rateLimit (index, keys, cache, rateLimit, sessions, locks, streams, pubsub)",
        ),
        ("client.get_client", "the TypeScript module is index"),
        ("index", "index is imported by name only (index.getClient)"),
        ("keys.TTL-x", "'TTL-x' is not an identifier"),
        ("lodash", "name the binding to import: lodash#<name> (bare: ioredis, @upstash/redis, redis)"),
        ("node:util#", "'' is not an identifier"),
        (
            "Not A Package",
            "neither a generated module (index, keys, cache, rateLimit, sessions, locks, streams, pubsub)",
        ),
    ],
)
def test_validate_typescript_uses_entries(use, problem):
    raw = valid_raw()
    raw["examples"]["typescript"]["good"]["uses"] = ["keys", use]
    problems = validate_rule(raw, "t.yml")
    assert len(problems) == 1
    assert problems[0].startswith(f"t.yml RR999: examples.typescript.good.uses: {use!r}: {problem}")


def test_validate_uses_must_be_a_list():
    raw = valid_raw()
    raw["examples"]["typescript"]["bad"]["uses"] = "keys"
    assert validate_rule(raw, "t.yml") == [
        "t.yml RR999: examples.typescript.bad.uses must be a list of import entries (module, module.name or a package)"
    ]


def test_validate_python_uses_entries():
    raw = valid_raw()
    raw["examples"]["python"]["bad"]["uses"] = ["json", "client.get_client", "@upstash/redis"]
    assert validate_rule(raw, "t.yml") == [
        "t.yml RR999: examples.python.bad.uses: '@upstash/redis': not a module or module.name"
    ]


@pytest.mark.parametrize("use", ["keys", "keys.TTL", "index.getClient", "rateLimit", "ioredis", "@upstash/redis"])
def test_validate_accepts_typescript_uses(use):
    raw = valid_raw()
    raw["examples"]["typescript"]["bad"]["uses"] = [use, "node:crypto#randomUUID", "@upstash/redis#Redis"]
    assert validate_rule(raw, "t.yml") == []


# ---------------------------------------------------------------- render_example: TypeScript layout


def test_render_typescript_layout():
    snippet = {
        "uses": [
            "rateLimit",
            "keys.TTL",
            "keys",
            "index.getClient",
            "ioredis",
            "node:util#parseArgs",
            "@upstash/redis",
            "vitest#it",
            "vitest#afterEach",
            "index.getRedis",
        ],
        "code": "const r = getClient();\n",
    }
    assert render_example(snippet, "typescript", "@/db/redis") == (
        'import { parseArgs } from "node:util";\n'
        "\n"
        'import { Redis } from "@upstash/redis";\n'
        'import Redis from "ioredis";\n'
        'import { afterEach, it } from "vitest";\n'
        "\n"
        'import { getClient, getRedis } from "@/db/redis";\n'
        'import * as keys from "@/db/redis/keys";\n'
        'import { TTL } from "@/db/redis/keys";\n'
        'import * as rateLimit from "@/db/redis/rate-limit";\n'
        "\n"
        "const r = getClient();\n"
    )


@pytest.mark.parametrize(
    ("module_path", "index", "limiter"),
    [
        ("./db/redis", "./db/redis", "./db/redis/rate-limit"),
        ("./db/redis/", "./db/redis", "./db/redis/rate-limit"),
        ("~/server/redis", "~/server/redis", "~/server/redis/rate-limit"),
    ],
)
def test_render_typescript_module_path(module_path, index, limiter):
    code = render_example({"uses": ["rateLimit", "index.getClient"], "code": "x;\n"}, "typescript", module_path)
    assert code == f'import {{ getClient }} from "{index}";\nimport * as rateLimit from "{limiter}";\n\nx;\n'


def test_render_typescript_without_uses_is_the_code():
    assert render_example({"code": "const x = 1;\n"}, "typescript", "@/db/redis") == "const x = 1;\n"


def test_render_typescript_refuses_an_entry_it_cannot_import():
    with pytest.raises(ValueError, match="typescript uses entry 'rate_limit'"):
        render_example({"uses": ["rate_limit"], "code": "x;\n"}, "typescript", "@/db/redis")


def test_rule_code_default_module_path_per_language():
    rule = BY_ID["RR001"]
    assert DEFAULT_MODULE_PATHS == {"python": "myapp.db.redis", "typescript": "@/db/redis"}
    assert "from myapp.db.redis.client import get_client" in rule.code("good")
    assert 'import { getClient } from "@/db/redis";' in rule.code("good", "typescript")
    assert 'import { getClient } from "./lib/redis";' in rule.code("good", "typescript", "./lib/redis")


def test_render_unknown_language():
    with pytest.raises(ValueError, match="no import layout for language 'go'"):
        render_example({"code": "x\n"}, "go", "db")


# ---------------------------------------------------------------- TypeScript examples

# The generated TypeScript modules' API as issue 12 specifies it (camelCase mirroring the Python modules),
# as declarations: file under module_path -> source. The examples are type-checked against these, and every
# module function or key builder an example names must be declared here. The TypeScript target is written
# in parallel; when its modules exist, reconcile this list with them.
TS_API = {
    "index": """
import type Redis from "ioredis";
export declare function getClient(): Redis;
export declare function getRedis(): Redis;
""",
    "keys": """
export declare const TTL: {
  readonly session: number;
  readonly cacheShort: number;
  readonly cacheMedium: number;
  readonly cacheLong: number;
  readonly rateLimitWindow: number;
  readonly idempotency: number;
  readonly lock: number;
  readonly default: number;
};
export type Algorithm = "sliding_window" | "token_bucket" | "fixed_window";
export interface LimitOptions { limit?: number; window?: number; algorithm?: Algorithm }
export declare function build(
  domain: string,
  entity: string,
  id: string | number,
  options?: { hashTag?: boolean },
): string;
export declare function sessionKey(sessionId: string): string;
export declare function userSessionsKey(userId: string | number): string;
export declare function userProfileKey(userId: string | number): string;
export declare function cacheKey(name: string, version: number, id: string | number): string;
export declare function rateLimitKey(
  route: string,
  dimension: string,
  value: string | number,
  options?: LimitOptions,
): string;
export declare function idempotencyKey(scope: string, requestId: string | number): string;
export declare function streamKey(name: string): string;
export declare function deadLetterStreamKey(name: string): string;
export declare function channelName(name: string): string;
export declare function lockKey(name: string | number): string;
""",
    "cache": """
export declare function getOrSet<T>(key: string, ttlSeconds: number, loader: () => T | Promise<T>): Promise<T>;
export declare function writeThrough<T>(
  key: string,
  ttlSeconds: number,
  value: T,
  persist: (value: T) => unknown,
): Promise<void>;
export declare function invalidate(key: string): Promise<boolean>;
export declare function addDependency(tag: string, key: string, options?: { ttl?: number }): Promise<void>;
export declare function invalidateTag(tag: string): Promise<number>;
""",
    "rate-limit": """
import type { Algorithm } from "./keys";
export interface RateLimitResult {
  allowed: boolean;
  remaining: number;
  retryAfter: number;
  limit: number;
  degraded: boolean;
}
export interface RateLimitOptions {
  limit?: number;
  window?: number;
  cost?: number;
  algorithm?: Algorithm;
  failOpen?: boolean;
}
export declare function checkRateLimit(
  route: string,
  dimension: string,
  value: string | number,
  options?: RateLimitOptions,
): Promise<RateLimitResult>;
""",
    "sessions": """
export interface Session { id: string; userId: string | number; metadata: Record<string, unknown>; createdAt: number }
export declare function createSession(
  userId: string | number,
  metadata?: Record<string, unknown>,
  options?: { ttl?: number },
): Promise<string>;
export declare function getSession(sessionId: string): Promise<Session | null>;
export declare function extendSession(
  sessionId: string,
  options?: { ttl?: number; minInterval?: number },
): Promise<Session | null>;
export declare function destroySession(sessionId: string): Promise<boolean>;
export declare function destroyUserSessions(userId: string | number): Promise<number>;
""",
    "locks": """
export declare function acquireLock(name: string | number, ttlSeconds: number): Promise<string | null>;
export declare function releaseLock(name: string | number, token: string): Promise<boolean>;
export declare function extendLock(name: string | number, token: string, ttlSeconds: number): Promise<boolean>;
export declare function withLock<T>(
  name: string | number,
  ttlSeconds: number,
  fn: (token: string) => T | Promise<T>,
  options?: { timeout?: number },
): Promise<T>;
""",
    "streams": """
export interface StreamEvent { id: string; type: string; data: unknown }
export type Handler = (event: StreamEvent) => unknown;
export interface StreamOptions { stream?: string; group?: string }
export declare function emitEvent(type: string, data: unknown, options?: { stream?: string }): Promise<string>;
export declare function ensureConsumerGroup(options?: StreamOptions): Promise<boolean>;
export declare function consumeBatch(
  consumer: string,
  handler: Handler,
  options?: StreamOptions & { count?: number; blockMs?: number },
): Promise<number>;
export declare function reclaimStale(
  consumer: string,
  minIdleMs: number,
  handler?: Handler,
  options?: StreamOptions & { page?: number },
): Promise<StreamEvent[]>;
""",
    "pubsub": """
export declare function publishInvalidation(key: string): Promise<number>;
export declare function subscribeInvalidations(
  callback: (key: string) => void | Promise<void>,
): Promise<() => Promise<void>>;
""",
}
# binding name (as in `uses`) -> exported names
API_NAMES = {
    binding: set(
        re.findall(r"^export (?:declare )?(?:function|const|interface|type) (\w+)", TS_API[file or "index"], re.M)
    )
    for binding, file in TS_MODULES.items()
}
TTL_MEMBERS = set(re.findall(r"readonly (\w+):", TS_API["keys"]))
NAMESPACE_CALL = re.compile(r"(?<![\w.$])(" + "|".join(b for b, f in TS_MODULES.items() if f) + r")\.(\w+)")
# Pinned npm packages: typescript 5.x (7.x is the native compiler, without the JavaScript API used below), the
# client packages TS_PACKAGES imports, Node's types and vitest (a test-teardown example imports it).
NODE_PACKAGES = {
    "typescript": "5.9.3",
    "ioredis": "6.0.0",
    "redis": "5.12.1",
    "@upstash/redis": "1.39.0",
    "@types/node": "20.19.43",
    "vitest": "3.2.7",
}
# tsc errors for a name the snippet leaves to its surroundings (`userId`, `db`, `sendEmail`...)
FREE_NAME_ERRORS = {"2304", "2552", "18004"}
TSC_LINE = re.compile(r"^(?P<file>[^\s(][^(]*)\((?P<line>\d+),(?P<col>\d+)\): error TS(?P<code>\d+): (?P<message>.*)$")

ts_ids = pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])


def ts_code(rule, kind: str) -> str:
    return rule.code(kind, "typescript")


def _cache_root() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "redis-rules-tests"


@pytest.fixture(scope="module")
def node_modules() -> Path:
    """NODE_PACKAGES installed once per version set (`npm install`), shared by later runs and workers."""
    npm = shutil.which("npm")
    if not npm or not shutil.which("node"):
        pytest.skip("node and npm are needed to check the TypeScript examples")
    digest = hashlib.sha256(json.dumps(NODE_PACKAGES, sort_keys=True).encode()).hexdigest()[:12]
    home = _cache_root() / f"ts-examples-{digest}"
    if not home.is_dir():
        home.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".install-", dir=home.parent))
        (work / "package.json").write_text(json.dumps({"private": True, "dependencies": NODE_PACKAGES}), "utf-8")
        proc = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
            cwd=work,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if proc.returncode != 0:
            shutil.rmtree(work, ignore_errors=True)
            pytest.fail(f"npm install {' '.join(NODE_PACKAGES)} failed: {proc.stderr.strip()[-500:]}")
        try:
            work.rename(home)  # only a complete install gets the final name
        except OSError:  # another worker finished first
            shutil.rmtree(work, ignore_errors=True)
    return home / "node_modules"


def _syntax_errors(node_modules: Path, sources: dict[str, str]) -> dict[str, list[str]]:
    """Parse each source with the TypeScript compiler's parser: name -> syntax error messages."""
    script = r"""
const ts = require(process.argv[1]);
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = {};
for (const [name, text] of Object.entries(input)) {
  const result = ts.transpileModule(text, {
    fileName: name,
    reportDiagnostics: true,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  });
  out[name] = (result.diagnostics || []).map((d) => {
    const at = d.file ? d.file.getLineAndCharacterOfPosition(d.start) : { line: -1, character: -1 };
    return `${at.line + 1}:${at.character + 1} TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`;
  });
}
process.stdout.write(JSON.stringify(out));
"""
    proc = subprocess.run(
        ["node", "-e", script, str(node_modules / "typescript")],
        input=json.dumps(sources),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(proc.stdout)


def _typecheck(node_modules: Path, folder: Path, sources: dict[str, str]) -> dict[str, list[tuple[str, str]]]:
    """`tsc --noEmit` (strict) over the sources, with TS_API as the generated modules under `@/db/redis`:
    file stem -> [(error code, message)]."""
    (folder / "node_modules").symlink_to(node_modules, target_is_directory=True)
    api = folder / "src" / "db" / "redis"
    api.mkdir(parents=True)
    for name, text in TS_API.items():
        (api / f"{name}.ts").write_text(text.lstrip(), "utf-8")
    (folder / "examples").mkdir()
    for stem, text in sources.items():
        (folder / "examples" / f"{stem}.ts").write_text(text, "utf-8")
    config = {
        "compilerOptions": {
            "strict": True,
            "noEmit": True,
            "target": "es2022",
            "lib": ["es2022"],
            "module": "esnext",
            "moduleResolution": "bundler",
            "moduleDetection": "force",  # every snippet is its own module, even without imports
            "paths": {"@/*": ["./src/*"]},
            "types": ["node"],
            "skipLibCheck": True,
        },
        "include": ["examples/*.ts", "src/**/*.ts"],
    }
    (folder / "tsconfig.json").write_text(json.dumps(config), "utf-8")
    proc = subprocess.run(
        ["node", str(node_modules / "typescript" / "bin" / "tsc"), "-p", str(folder), "--pretty", "false"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    errors: dict[str, list[tuple[str, str]]] = {stem: [] for stem in sources}
    for line in proc.stdout.splitlines():
        match = TSC_LINE.match(line)
        if match is None:
            continue  # continuation lines of a multi-line message
        stem = Path(match["file"]).stem
        errors.setdefault(stem, []).append((match["code"], f"{match['line']}:{match['col']} {match['message']}"))
    assert proc.returncode in (0, 2), proc.stdout + proc.stderr  # 2: errors reported (checked by the callers)
    return errors


def _real_errors(errors: list[tuple[str, str]]) -> list[str]:
    """Errors other than names the snippet leaves to its surroundings; a free name that should have been
    imported (a module binding, an API name, the client `r`) is an error too."""
    imported = set(TS_MODULES) | {name for names in API_NAMES.values() for name in names} | {"r", "Redis"}
    real = []
    for code, message in errors:
        name = re.search(r"'([\w$]+)'", message)
        if code in FREE_NAME_ERRORS and name and name.group(1) not in imported:
            continue
        real.append(f"TS{code} {message}")
    return real


@pytest.fixture(scope="module")
def ts_sources() -> dict[str, str]:
    return {f"{rule.id}.{kind}": ts_code(rule, kind) for rule in RULES for kind in ("bad", "good")}


@pytest.fixture(scope="module")
def syntax_errors(node_modules, ts_sources) -> dict[str, list[str]]:
    return _syntax_errors(node_modules, ts_sources)


@pytest.fixture(scope="module")
def type_errors(node_modules, ts_sources, tmp_path_factory) -> dict[str, list[tuple[str, str]]]:
    return _typecheck(node_modules, tmp_path_factory.mktemp("ts-examples"), ts_sources)


@ts_ids
def test_typescript_examples_parse(rule, syntax_errors):
    for kind in ("bad", "good"):
        assert syntax_errors[f"{rule.id}.{kind}"] == [], f"{rule.id} {kind}:\n{ts_code(rule, kind)}"


@ts_ids
def test_typescript_examples_typecheck(rule, type_errors):
    """Strict tsc against TS_API and ioredis's own types: right commands and argument shapes, right helpers."""
    for kind in ("bad", "good"):
        assert _real_errors(type_errors[f"{rule.id}.{kind}"]) == [], f"{rule.id} {kind}:\n{ts_code(rule, kind)}"


def test_typecheck_catches_wrong_calls(node_modules, tmp_path):
    """The checks above can fail: a syntax error, a wrong ioredis option shape, a wrong helper signature, an
    unknown key builder and a missing import are each reported."""
    sources = {
        "syntax": "const r = getClient(;\n",
        "option-shape": 'import { getClient } from "@/db/redis";\n\nawait getClient().set("k", "v", { EX: 60 });\n',
        "helper-args": 'import * as keys from "@/db/redis/keys";\n\nkeys.cacheKey("card", { version: 2 }, 7);\n',
        "no-builder": 'import * as keys from "@/db/redis/keys";\n\nkeys.userKey(userId);\n',
        "no-import": "const r = getClient();\n",
        "free-names-only": 'import * as keys from "@/db/redis/keys";\n\nkeys.sessionKey(sessionId);\n',
    }
    assert _syntax_errors(node_modules, {"syntax": sources.pop("syntax")})["syntax"] != []
    errors = _typecheck(node_modules, tmp_path, sources)
    assert [code for code, _ in errors["option-shape"]] == ["2769"]
    assert [code for code, _ in errors["helper-args"]] == ["2345"]
    assert [code for code, _ in errors["no-builder"]][0] == "2339"
    assert _real_errors(errors["no-import"]) != []  # getClient is an API name: it must be imported
    assert errors["free-names-only"] != [] and _real_errors(errors["free-names-only"]) == []


@ts_ids
def test_typescript_examples_differ(rule):
    assert ts_code(rule, "bad").strip() != ts_code(rule, "good").strip()


def test_bare_packages_are_checked_with_their_types():
    """Every package a bare `uses` entry may name is installed for the type check."""
    assert set(TS_PACKAGES) <= set(NODE_PACKAGES)


@ts_ids
def test_typescript_uses_resolve(rule, node_modules):
    """Every `uses` entry is a generated module (or a name it exports) or an installed package."""
    for kind in ("bad", "good"):
        for use in rule.examples["typescript"][kind].get("uses", []):
            module, dot, name = use.partition(".")
            if module in TS_MODULES:
                assert not dot or name in API_NAMES[module], f"{rule.id} {kind}: {use} is not in TS_API"
                continue
            spec = use.partition("#")[0]
            if spec.startswith("node:"):
                continue  # a Node built-in (its types come with @types/node, checked by tsc)
            assert (node_modules / spec / "package.json").is_file(), f"{rule.id} {kind}: package {spec} not installed"


@ts_ids
def test_typescript_examples_call_the_api(rule):
    """Every `keys.x`, `cache.x`, `rateLimit.x`... and `TTL.x` an example names is in TS_API."""
    for kind in ("bad", "good"):
        code = rule.examples["typescript"][kind]["code"]
        for binding, name in NAMESPACE_CALL.findall(code):
            assert name in API_NAMES[binding], f"{rule.id} {kind}: {binding}.{name} is not in TS_API"
        for member in re.findall(r"(?<![\w.$])TTL\.(\w+)", code):
            assert member in TTL_MEMBERS, f"{rule.id} {kind}: TTL.{member}"


@ts_ids
def test_typescript_receiver_is_recognisably_redis(rule):
    """Snippets that call r.<command> get r from getClient() (imported from the generated index), new Redis(...)
    or createClient(...) - what lint judges receivers by."""
    for kind in ("bad", "good"):
        code = ts_code(rule, kind)
        if re.search(r"\br\s*\.\w+\(", code):
            assert re.search(r"const r = (getClient\(\)|new Redis\(|createClient\()", code), f"{rule.id} {kind}"
            if "getClient" in code:
                assert 'import { getClient } from "@/db/redis";' in code, f"{rule.id} {kind}"


TCP_CLIENTS = re.compile(r"""\b(new Redis\(|createClient\(|from "(ioredis|redis|@redis/client)")""")


@ts_ids
def test_good_typescript_never_builds_its_own_tcp_client(rule):
    """The fix goes through the generated modules: a good example never constructs an ioredis or node-redis
    client (the process-wide one comes from getClient()); edge code may use @upstash/redis."""
    good = ts_code(rule, "good")
    assert not TCP_CLIENTS.search(good), f"{rule.id}: good example constructs its own client:\n{good}"


def test_ts_api_mirrors_the_python_modules():
    """keys.ts mirrors keys.py (camelCase) and TTL's members are the default TTL classes in camelCase."""

    def camel(name: str) -> str:
        head, *rest = name.split("_")
        return head + "".join(part.title() for part in rest)

    if KEYS_TEMPLATE.is_file():
        python = set(re.findall(r"^def (\w+)", KEYS_TEMPLATE.read_text(encoding="utf-8"), flags=re.M))
        functions = set(re.findall(r"^export declare function (\w+)", TS_API["keys"], flags=re.M))
        assert functions <= {camel(name) for name in python}
    ttl_classes = next(q for q in load_questions(ROOT) if q.name == "ttl_classes").default
    assert TTL_MEMBERS == {camel(name) for name in ttl_classes} | {"default"}
