"""Assistant rule files of TypeScript projects: the TypeScript stack, the module map with TypeScript calls,
rule lines worded for TypeScript, TypeScript examples laid out as `redis_rules.rulesets.render_example`
does, and every `module.name` they mention exported by a generated module.

The rule-file templates are shared with the Python target (templates/_includes/agent_files/); the Python
side is covered by test_agent_files.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from redis_rules.agent_files import BEGIN_PREFIX, END_LINE, validate_frontmatter
from redis_rules.rulesets import load_rules, ttl_names, ttl_spelling
from tests.conftest import render

ALL_AGENTS = "claude,agents_md,cursor,copilot"
RULE_FILES = {
    "claude": "CLAUDE.md",
    "claude_rules": ".claude/rules/redis.md",
    "agents_md": "AGENTS.md",
    "cursor": ".cursor/rules/redis.mdc",
    "copilot": ".github/instructions/redis.instructions.md",
}
PROJECTS = {
    "largest": {"flavour": "cluster", "edge": "true", "agents": ALL_AGENTS},
    "serverless-node-redis": {
        "client": "node-redis",
        "flavour": "elasticache-serverless",
        "agents": ALL_AGENTS + ",gemini",
    },
    "upstash": {"client": "upstash", "agents": ALL_AGENTS},
    "cache-only": {
        "modules": "cache",
        "agents": ALL_AGENTS,
        "claude_hooks": "false",
        "ttl_classes": "{a: 1, long_one: 86400}",
    },
    "streams-pubsub-elsewhere": {"modules": "streams,pubsub", "module_path": "lib/redis", "agents": ALL_AGENTS},
}
# Python names of the generated API, and Python idioms: none may reach a TypeScript project's rule files
# (a rule's title and check name, e.g. RR022's pickle-values, are its identity and stay).
PYTHON_ISMS = re.compile(
    r"\b(get_client|get_or_set|write_through|add_dependency|invalidate_tag|check_rate_limit|create_session"
    r"|get_session|extend_session|update_session|destroy_session|destroy_user_sessions|acquire_lock|release_lock"
    r"|extend_lock|emit_event|consume_batch|reclaim_stale|ensure_consumer_group|subscribe_invalidations"
    r"|publish_invalidation|read_dead_letters|requeue_dead_letter|session_key|cache_key|rate_limit_key|lock_key"
    r"|hash_tag|scan_iter|json\.dumps|json\.loads|pickle\.\w+|time\.time|fail_open|retry_after|keys\.py|client\.py"
    r"|pipeline\(transaction|cache_short|cache_medium|cache_long)\b|```python|\bex=|\bNone\b"
)
# `cache.getOrSet`, `rateLimit.checkRateLimit`, `keys.TTL` (a file name like keys.ts is not a member)
MODULE_FILES = {
    "keys": "keys.ts",
    "cache": "cache.ts",
    "rateLimit": "rate-limit.ts",
    "sessions": "sessions.ts",
    "locks": "locks.ts",
    "streams": "streams.ts",
    "pubsub": "pubsub.ts",
}
NAMED = re.compile(r"\b(" + "|".join(MODULE_FILES) + r")\.([A-Za-z_$][\w$]*)")
EXPORT = re.compile(r"^export (?:async )?(?:function\*? |const |let |class |interface |type )([A-Za-z_$][\w$]*)", re.M)


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("ts-agents")
    return {name: render(base / name, language="typescript", **answers) for name, answers in PROJECTS.items()}


def section(text: str) -> str:
    start = text.index(BEGIN_PREFIX)
    return text[start : text.index(END_LINE, start)]


def exports(module: Path) -> set[str]:
    text = module.read_text(encoding="utf-8")
    names = set(EXPORT.findall(text))
    for group in re.findall(r"^export \{([^}]*)\}", text, re.M):
        names.update(part.split(" as ")[-1].strip() for part in group.split(",") if part.strip())
    return names


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_rule_files_validate_and_name_the_typescript_stack(projects: dict[str, Path], name: str) -> None:
    project = projects[name]
    for rel in RULE_FILES.values():
        path = project / rel
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        assert validate_frontmatter(rel, text) == [], rel
        if rel != ".claude/rules/redis.md":
            assert "Language: TypeScript" in text, rel
            assert "getClient()" in text, rel
    claude = (project / "CLAUDE.md").read_text(encoding="utf-8")
    assert len(claude.splitlines()) < 200
    assert len((project / "AGENTS.md").read_bytes()) < 32 * 1024
    assert '"**/*.ts"' in (project / ".claude/rules/redis.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_no_python_names_in_typescript_rule_files(projects: dict[str, Path], name: str) -> None:
    found = []
    for rel in RULE_FILES.values():
        path = projects[name] / rel
        if path.is_file():
            found += [f"{rel}: {m.group(0)}" for m in PYTHON_ISMS.finditer(section(path.read_text(encoding="utf-8")))]
    assert found == []


def test_the_python_names_check_works() -> None:
    assert PYTHON_ISMS.search("call cache.get_or_set(key)") and PYTHON_ISMS.search("```python")
    assert not PYTHON_ISMS.search("call cache.getOrSet(key) with TTL.cacheShort")


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_every_module_member_named_is_exported(projects: dict[str, Path], name: str) -> None:
    project = projects[name]
    module_path = str(PROJECTS[name].get("module_path", "src/db/redis"))
    missing, checked = [], 0
    for rel in RULE_FILES.values():
        path = project / rel
        if not path.is_file():
            continue
        for module, member in sorted(set(NAMED.findall(section(path.read_text(encoding="utf-8"))))):
            if member in ("ts", "js"):
                continue  # keys.ts: a file name
            checked += 1
            file = project / module_path / MODULE_FILES[module]
            if not file.is_file():
                missing.append(f"{rel}: {module}.{member} ({MODULE_FILES[module]} not generated)")
            elif member not in exports(file):
                missing.append(f"{rel}: {module}.{member} (not exported by {MODULE_FILES[module]})")
    assert checked
    assert missing == []


def test_typescript_examples_equal_the_python_rendering(projects: dict[str, Path]) -> None:
    """The Jinja `ts_example` macro and rulesets.render_example lay out the same TypeScript text."""
    rules = {rule.id: rule for rule in load_rules()}
    checked = 0
    for name, module_path, spec in (
        ("largest", "src/db/redis", "@/db/redis"),
        ("streams-pubsub-elsewhere", "lib/redis", "lib/redis"),
    ):
        text = (projects[name] / "AGENTS.md").read_text(encoding="utf-8")
        blocks = re.findall(r"^### (RR\d{3}) .*?```ts\n(.*?)```", text, flags=re.S | re.M)
        assert len(blocks) >= 15, name
        for rule_id, code in blocks:
            assert code.strip() == rules[rule_id].code("good", "typescript", spec).strip(), (name, module_path, rule_id)
            checked += 1
    assert checked >= 30


def test_rules_that_apply_to_typescript(projects: dict[str, Path]) -> None:
    text = (projects["largest"] / "CLAUDE.md").read_text(encoding="utf-8")
    ids = set(re.findall(r"^- \*\*(RR\d{3})\*\*", text, re.M))
    assert "RR029" in ids  # edge code: TypeScript only
    assert "RR020" in ids  # cluster hash tags
    python = (projects["cache-only"] / "CLAUDE.md").read_text(encoding="utf-8")
    assert "RR013" not in set(re.findall(r"^- \*\*(RR\d{3})\*\*", python, re.M))  # rate limiting not generated


# Every file that lists the rules (rule files, GEMINI.md, the skill and its long form), relative to the project.
RULE_LISTS = (
    *RULE_FILES.values(),
    "GEMINI.md",
    ".claude/skills/redis/SKILL.md",
    ".claude/skills/redis/references/rules.md",
)


@pytest.mark.parametrize("name", ["serverless-node-redis", "cache-only", "upstash"])
def test_the_edge_rule_only_where_edge_modules_are_generated(projects: dict[str, Path], name: str) -> None:
    """RR029 names "the edge folder" and "the generated edge modules": only the edge answer renders them (fresh-user
    trial: a node-redis project without them had the line in CLAUDE.md and AGENTS.md)."""
    project = projects[name]
    assert not (project / "src/edge").exists()
    listed = [rel for rel in RULE_LISTS if (project / rel).is_file()]
    assert "CLAUDE.md" in listed and ".claude/skills/redis/SKILL.md" in listed
    assert name != "serverless-node-redis" or "GEMINI.md" in listed
    for rel in listed:
        text = (project / rel).read_text(encoding="utf-8")
        assert "RR029" not in text and "edge module" not in text, rel
    edge = projects["largest"]
    assert (edge / "src/edge/redis/client.ts").is_file()
    for rel in RULE_LISTS:
        if (edge / rel).is_file():
            assert "RR029" in (edge / rel).read_text(encoding="utf-8"), rel


def test_rule_files_name_only_the_projects_ttl_classes(projects: dict[str, Path]) -> None:
    """ttl_classes {a, long_one}: keys.TTL has a, longOne and default; rule lines and examples name only those
    (the first class stands in for one the rule text names that the project lacks)."""
    project = projects["cache-only"]
    named: dict[str, set[str]] = {}
    for path in sorted(project.rglob("*")):
        if path.is_file() and "node_modules" not in path.parts:
            for member in re.findall(r"\bTTL\.([A-Za-z_$][\w$]*)", path.read_text(encoding="utf-8")):
                named.setdefault(member, set()).add(path.relative_to(project).as_posix())
    assert set(named) <= {"a", "longOne", "default"}, named
    assert "CLAUDE.md" in named["a"] and ".claude/skills/redis/references/rules.md" in named["a"]
    assert "(e.g. EX TTL.a)" in (project / "CLAUDE.md").read_text(encoding="utf-8")  # RR002
    rules = {rule.id: rule for rule in load_rules()}
    text = (project / "AGENTS.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^### (RR\d{3}) .*?```ts\n(.*?)```", text, flags=re.S | re.M)
    assert blocks
    for rule_id, code in blocks:  # the Jinja `ttl` macro and rulesets.ttl_names agree
        expected = rules[rule_id].code("good", "typescript", "@/db/redis", ["a", "long_one"])
        assert code.strip() == expected.strip(), rule_id


def test_ttl_names_spells_the_projects_classes() -> None:
    spelling = ttl_spelling(["a", "cache_short"], "typescript")
    assert spelling == {"a": "a", "cache_short": "cacheShort"}
    text = "EX TTL.cache_short, TTL.cacheShort, TTL.session, TTL.default, keys.TTL."
    assert ttl_names(text, spelling) == "EX TTL.cacheShort, TTL.cacheShort, TTL.a, TTL.default, keys.TTL."
    clash = ttl_spelling(["cache_short", "cache__short"], "typescript")  # both cacheShort: the answers' names
    assert clash == {"cache_short": "cache_short", "cache__short": "cache__short"}
    assert ttl_names("ex=TTL.session", ttl_spelling(["b", "session"], "python")) == "ex=TTL.session"
