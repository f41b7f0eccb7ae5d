"""Assistant rule files: each format rendered and validated, one rule list everywhere, size budgets,
the generated notice, and the marker merge that never clobbers a project's own text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from redis_rules.agent_files import (
    BEGIN_PREFIX,
    END_LINE,
    MarkerError,
    merge_section,
    parse_frontmatter,
    validate_frontmatter,
)
from redis_rules.policy import DEFAULT_TTL_CLASSES
from redis_rules.rulesets import load_rules
from tests.conftest import render

ALL_AGENTS = "claude,agents_md,cursor,copilot"
LARGEST = {
    "flavour": "cluster",
    "agents": ALL_AGENTS,
    "modules": "cache,rate_limit,sessions,locks,streams,pubsub",
    "persistent_keys": (
        '[{pattern: "my-service:*:config:*", reason: "feature flags, rewritten on every deploy"},'
        ' {pattern: "my-service:*:geo:*", reason: "reference data loaded once from the GeoNames export"}]'
    ),
}
RULE_FILES = {
    "claude": "CLAUDE.md",
    "claude_rules": ".claude/rules/redis.md",
    "agents_md": "AGENTS.md",
    "cursor": ".cursor/rules/redis.mdc",
    "copilot": ".github/instructions/redis.instructions.md",
}
IDS = re.compile(r"\bRR\d{3}\b")


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("agents")
    return {
        "default": render(base / "default"),
        "largest": render(base / "largest", **LARGEST),
        # cluster mode and managed TLS together: the most rules apply
        "largest-serverless": render(base / "serverless", **{**LARGEST, "flavour": "elasticache-serverless"}),
        "cursor-only": render(base / "cursor", agents="claude,cursor", flavour="elasticache", claude_hooks="false"),
    }


def section(text: str) -> str:
    start = text.index(BEGIN_PREFIX)
    return text[start : text.index(END_LINE, start)]


def rule_ids(text: str) -> set[str]:
    """Rule ids the file gives rules for (headings or bullets), not ids mentioned in passing."""
    body = section(text)
    return set(re.findall(r"^(?:- \*\*|#+ )(RR\d{3})\b", body, re.MULTILINE))


def expected_ids(**answers: object) -> set[str]:
    values = {
        "client": "redis-py",
        "flavour": "self-hosted",
        "modules": ["cache", "rate_limit", "sessions", "locks", "streams", "pubsub"],
        "agents": ["claude", "agents_md"],
        "cluster_mode": False,
        "managed_tls": False,
        "claude_hooks": True,
        **answers,
    }
    return {rule.id for rule in load_rules() if rule.applies_to(values)}


def test_agents_answer_selects_the_files(projects: dict[str, Path]) -> None:
    default = projects["default"]
    assert (default / "CLAUDE.md").is_file() and (default / "AGENTS.md").is_file()
    assert (default / ".claude/rules/redis.md").is_file()
    assert not (default / ".cursor").exists() and not (default / ".github/instructions").exists()
    largest = projects["largest"]
    for rel in RULE_FILES.values():
        assert (largest / rel).is_file(), rel
    cursor_only = projects["cursor-only"]
    assert (cursor_only / ".cursor/rules/redis.mdc").is_file()
    assert not (cursor_only / "AGENTS.md").exists()
    assert not (cursor_only / ".github/instructions").exists()
    assert not (cursor_only / ".claude/settings.json").exists() and not (cursor_only / ".cursor/hooks.json").exists()
    assert not any(p.name.startswith("_macros") for p in largest.rglob("*"))


@pytest.mark.parametrize("name", ["default", "largest", "largest-serverless", "cursor-only"])
def test_every_rule_file_validates(projects: dict[str, Path], name: str) -> None:
    project = projects[name]
    for rel in RULE_FILES.values():
        path = project / rel
        if path.is_file():
            assert validate_frontmatter(rel, path.read_text(encoding="utf-8")) == [], rel


def test_cursor_frontmatter(projects: dict[str, Path]) -> None:
    text = (projects["largest"] / ".cursor/rules/redis.mdc").read_text(encoding="utf-8")
    assert text.startswith("---\n")
    meta = parse_frontmatter(text)
    assert meta is not None and set(meta) == {"description", "globs", "alwaysApply"}
    assert meta["alwaysApply"] is False  # a real YAML boolean, not the string "false"
    assert re.search(r"^alwaysApply: false$", text, re.MULTILINE)
    assert isinstance(meta["description"], str) and "Redis" in meta["description"]
    globs = meta["globs"].split(",") if isinstance(meta["globs"], str) else meta["globs"]
    assert "**/*.py" in globs


def test_copilot_frontmatter(projects: dict[str, Path]) -> None:
    text = (projects["largest"] / ".github/instructions/redis.instructions.md").read_text(encoding="utf-8")
    meta = parse_frontmatter(text)
    assert meta is not None and set(meta) <= {"applyTo", "description", "excludeAgent"}
    assert isinstance(meta["applyTo"], str) and "**/*.py" in meta["applyTo"].split(",")


def test_claude_rules_frontmatter(projects: dict[str, Path]) -> None:
    text = (projects["default"] / ".claude/rules/redis.md").read_text(encoding="utf-8")
    meta = parse_frontmatter(text)
    assert meta is not None and set(meta) == {"paths"}
    assert isinstance(meta["paths"], list) and all(isinstance(p, str) for p in meta["paths"])
    assert "**/*.py" in meta["paths"]
    assert '  - "**/*.py"' in text  # quoted globs: an unquoted leading '*' is a YAML alias


@pytest.mark.parametrize("name", ["default", "largest"])
def test_plain_markdown_files_have_no_frontmatter(projects: dict[str, Path], name: str) -> None:
    for rel in ("CLAUDE.md", "AGENTS.md"):
        text = (projects[name] / rel).read_text(encoding="utf-8")
        assert parse_frontmatter(text) is None
        assert text.startswith(BEGIN_PREFIX)


def test_claude_md_links_the_long_form(projects: dict[str, Path]) -> None:
    text = (projects["default"] / "CLAUDE.md").read_text(encoding="utf-8")
    assert "](.claude/rules/redis.md)" in text


@pytest.mark.parametrize(
    ("name", "answers"),
    [
        ("default", {"agents": ["claude", "agents_md"]}),
        ("largest", {"flavour": "cluster", "cluster_mode": True, "agents": ALL_AGENTS.split(",")}),
        ("cursor-only", {"flavour": "elasticache", "managed_tls": True, "claude_hooks": False}),
        (
            "largest-serverless",
            {
                "flavour": "elasticache-serverless",
                "cluster_mode": True,
                "managed_tls": True,
                "agents": ALL_AGENTS.split(","),
            },
        ),
    ],
)
def test_same_rule_ids_in_every_file(projects: dict[str, Path], name: str, answers: dict[str, object]) -> None:
    project = projects[name]
    expected = expected_ids(**answers)
    assert expected, "no rules apply?"
    for rel in RULE_FILES.values():
        path = project / rel
        if path.is_file():
            assert rule_ids(path.read_text(encoding="utf-8")) == expected, rel
    if name == "largest":
        assert "RR020" in expected  # cluster hash tags
    if name in ("cursor-only", "largest-serverless"):
        assert "RR027" in expected  # TLS for managed flavours


def test_long_forms_carry_why_and_a_correct_example(projects: dict[str, Path]) -> None:
    rules = {rule.id: rule for rule in load_rules()}
    for rel in ("AGENTS.md", ".claude/rules/redis.md"):
        text = (projects["largest"] / rel).read_text(encoding="utf-8")
        why = " ".join(rules["RR007"].why.split())
        assert why in text, rel
        assert "```python" in text
        assert "from my_service.db.redis.client import get_client" in text  # examples use this project's path
        assert "myapp" not in text


@pytest.mark.parametrize("name", ["default", "largest", "largest-serverless"])
def test_size_budgets(projects: dict[str, Path], name: str) -> None:
    project = projects[name]
    claude = (project / "CLAUDE.md").read_text(encoding="utf-8")
    assert len(claude.splitlines()) < 200
    agents = (project / "AGENTS.md").read_bytes()
    assert len(agents) < 32 * 1024  # Codex reads the first 32 KiB of AGENTS.md by default
    for rel in (".cursor/rules/redis.mdc", ".github/instructions/redis.instructions.md"):
        if (project / rel).is_file():
            assert len((project / rel).read_text(encoding="utf-8").splitlines()) < 200, rel


@pytest.mark.parametrize("name", ["default", "largest"])
def test_each_file_says_generated_and_how_to_regenerate(projects: dict[str, Path], name: str) -> None:
    for rel in RULE_FILES.values():
        path = projects[name] / rel
        if path.is_file():
            begin = next(
                line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith(BEGIN_PREFIX)
            )
            assert "generated" in begin and "redis-rules update" in begin, rel


# ---------------------------------------------------------------- frontmatter validation
@pytest.mark.parametrize(
    ("rel", "text", "problem"),
    [
        (
            ".cursor/rules/redis.mdc",
            '---\ndescription: x\nglobs: "**/*.py"\nalwaysApply: "true"\n---\n',
            "alwaysApply",
        ),
        (
            ".cursor/rules/redis.mdc",
            "---\ndescription: x\nalwaysApply: true\nglob: x\n---\n",
            "'glob' is not read",
        ),
        (".cursor/rules/redis.mdc", "# no frontmatter\n", "needs a frontmatter"),
        (".cursor/rules/redis.mdc", "---\ndescription: x\n---\n", "missing 'alwaysApply'"),
        (".cursor/rules/redis.mdc", "---\nglobs: **/*.py\nalwaysApply: false\n---\n", "not valid YAML"),
        (".github/instructions/redis.instructions.md", '---\napplyTo: ["**/*.py"]\n---\n', "applyTo"),
        (".github/instructions/redis.instructions.md", "---\ndescription: x\n---\n", "missing 'applyTo'"),
        (
            ".github/instructions/redis.instructions.md",
            '---\napplyTo: "*.py"\nexcludeAgent: all\n---\n',
            "excludeAgent",
        ),
        (".claude/rules/redis.md", '---\npaths: "**/*.py"\n---\n', "'paths' must be a list"),
        (".claude/rules/redis.md", '---\nglobs: ["**/*.py"]\n---\n', "'globs' is not read by Claude Code"),
        ("CLAUDE.md", "---\ntitle: x\n---\n# hi\n", "must not start with a frontmatter"),
    ],
)
def test_frontmatter_problems_are_reported(rel: str, text: str, problem: str) -> None:
    problems = validate_frontmatter(rel, text)
    assert any(problem in p for p in problems), problems


def test_valid_frontmatter_passes() -> None:
    assert (
        validate_frontmatter(".cursor/rules/x.mdc", "---\nglobs: ['a/*.py', 'b/*.py']\nalwaysApply: true\n---\n") == []
    )
    assert validate_frontmatter(".github/instructions/a.instructions.md", '---\napplyTo: "**/*.py,*.pyi"\n---\n') == []
    assert validate_frontmatter(".claude/rules/x.md", "# no frontmatter: always loaded\n") == []


# ---------------------------------------------------------------- marker merge (unit)
RENDERED = (
    '---\npaths:\n  - "**/*.py"\n---\n'
    f"{BEGIN_PREFIX} (generated; regenerate: `redis-rules update`) -->\n# Redis v1\n{END_LINE}\n"
)
RENDERED_V2 = RENDERED.replace("Redis v1", "Redis v2\n- more")


def test_merge_appends_to_a_file_without_markers() -> None:
    user = "# My project\n\nUse tabs."  # no trailing newline
    merged = merge_section(user, RENDERED, "CLAUDE.md")
    assert merged.startswith("---\npaths:")  # a file without frontmatter gets ours so the tool loads it
    assert user in merged and merged.index(user) < merged.index(BEGIN_PREFIX)
    assert merged.endswith(f"# Redis v1\n{END_LINE}\n")
    assert merge_section(merged, RENDERED, "CLAUDE.md") == merged  # idempotent


def test_merge_replaces_only_the_section_and_keeps_user_edits() -> None:
    first = merge_section("intro\n", RENDERED, "x.md")
    edited = "edited intro\r\nwith CRLF\n" + first.split("intro\n", 1)[1] + "\n## Mine, after\n"
    second = merge_section(edited, RENDERED_V2, "x.md")
    assert second.startswith("edited intro\r\nwith CRLF\n")
    assert second.endswith(f"- more\n{END_LINE}\n\n## Mine, after\n")
    assert "Redis v1" not in second
    assert merge_section(second, RENDERED_V2, "x.md") == second


def test_merge_keeps_an_existing_frontmatter() -> None:
    user = '---\npaths:\n  - "src/**/*.py"\n---\n# Mine\n'
    merged = merge_section(user, RENDERED, ".claude/rules/redis.md")
    assert merged.startswith(user)
    assert merged.count("---\n") == 2


def test_merge_into_an_empty_file_is_the_rendered_file() -> None:
    assert merge_section("", RENDERED, "x.md") == RENDERED


@pytest.mark.parametrize(
    "broken",
    [
        f"{BEGIN_PREFIX} x -->\nno end\n",
        f"{END_LINE}\n{BEGIN_PREFIX} x -->\n",
        f"{BEGIN_PREFIX} x -->\n{END_LINE}\n{BEGIN_PREFIX} y -->\n{END_LINE}\n",
    ],
)
def test_broken_markers_are_refused(broken: str) -> None:
    with pytest.raises(MarkerError, match="CLAUDE.md: .*nothing was written"):
        merge_section(broken, RENDERED, "CLAUDE.md")


# ---------------------------------------------------------------- marker merge through `new --into`
def test_existing_claude_md_is_merged_not_clobbered(tmp_path: Path, run_cli) -> None:
    user = "# Team notes\n\nRun `make test` before pushing.\n<!-- a comment of ours -->\n"
    (tmp_path / "CLAUDE.md").write_text(user, encoding="utf-8")
    code, _, err = run_cli("new", "--into", str(tmp_path), "--defaults")
    assert code == 0, err
    first = (tmp_path / "CLAUDE.md").read_text(encoding="utf-8")
    assert first.startswith(user)  # byte for byte
    assert first.count(BEGIN_PREFIX) == 1 and first.count(END_LINE) == 1
    assert "**RR007**" in section(first)

    code, _, _ = run_cli("new", "--into", str(tmp_path), "--defaults")
    assert code == 0
    assert (tmp_path / "CLAUDE.md").read_text(encoding="utf-8") == first  # idempotent

    edited = "# Team notes (edited)\n" + first.split("\n", 1)[1] + "\n## Added after the Redis section\n"
    (tmp_path / "CLAUDE.md").write_text(edited, encoding="utf-8")
    code, _, _ = run_cli("new", "--into", str(tmp_path), "--defaults", "--data", "default_ttl=900")
    assert code == 0
    third = (tmp_path / "CLAUDE.md").read_text(encoding="utf-8")
    assert third.startswith("# Team notes (edited)\n\nRun `make test` before pushing.\n")
    assert third.endswith(f"{END_LINE}\n\n## Added after the Redis section\n")
    assert "| `TTL.default` | 900 |" in third and third.count(BEGIN_PREFIX) == 1


def test_regenerating_a_generated_project_keeps_one_section(tmp_path: Path, run_cli) -> None:
    project = render(tmp_path / "p", agents=ALL_AGENTS)
    before = {rel: (project / rel).read_bytes() for rel in RULE_FILES.values()}
    code, _, _ = run_cli("new", str(project), "--defaults", "--overwrite", "--data", f"agents={ALL_AGENTS}")
    assert code == 0
    assert {rel: (project / rel).read_bytes() for rel in RULE_FILES.values()} == before


def test_broken_markers_stop_new_before_writing(tmp_path: Path, run_cli) -> None:
    (tmp_path / "AGENTS.md").write_text(f"# Agents\n{BEGIN_PREFIX} old -->\nno end marker\n", encoding="utf-8")
    code, _, err = run_cli("new", "--into", str(tmp_path), "--defaults")
    assert code == 2
    assert "AGENTS.md" in err and "nothing was written" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["AGENTS.md"]


def test_long_rule_examples_equal_the_python_rendering(tmp_path: Path) -> None:
    """AGENTS.md's examples come from the Jinja `example` macro; redis_rules.rulesets.render_example lays out
    the same snippets for `redis-rules rules` and lint. Both must give the same text."""
    project = render(tmp_path / "p", module_path="my_service/infra/cache_layer", modules="cache,rate_limit,locks")
    text = (project / "AGENTS.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^### (RR\d{3}) .*?```python\n(.*?)```", text, flags=re.S | re.M)
    assert len(blocks) >= 20
    rules = {rule.id: rule for rule in load_rules()}
    for rule_id, code in blocks:
        assert code.strip() == rules[rule_id].code("good", "python", "my_service.infra.cache_layer").strip(), rule_id


# --- every module.function an agent file names exists in the generated package (issue 11 item 9) ---------------

GENERATED = ("keys", "client", "cache", "rate_limit", "sessions", "locks", "streams", "pubsub")
# `streams.emit_event`, `keys.TTL.session`; `keys.py` is a file name, not a member
NAMED = re.compile(r"\b(" + "|".join(GENERATED) + r")\.([A-Za-z_]\w*)")
SUBSETS = {
    "cache-only": {"modules": "cache"},
    "no-streams-no-pubsub": {"modules": "cache,rate_limit,sessions,locks"},
    "streams-only": {"modules": "streams"},
    "pubsub-only": {"modules": "pubsub"},
    "locks-only": {"modules": "locks"},
    "all-on-upstash": {"client": "upstash", "flavour": "upstash"},  # pubsub is not generated over REST
    "all-cluster-async": {"client": "redis-py-async", "flavour": "cluster"},
}


def _members(module: Path) -> set[str]:
    """Top-level names a generated module defines (functions, classes, constants, imports)."""
    import ast

    names: set[str] = set()
    for node in ast.parse(module.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def named_members(text: str) -> set[tuple[str, str]]:
    return {(module, name) for module, name in NAMED.findall(text) if name != "py"}


@pytest.fixture(scope="module")
def subset_projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("subsets")
    return {name: render(base / name, agents=ALL_AGENTS, **answers) for name, answers in SUBSETS.items()}


@pytest.mark.parametrize("name", sorted(SUBSETS))
def test_agent_files_name_only_generated_modules_and_functions(subset_projects: dict[str, Path], name: str) -> None:
    project = subset_projects[name]
    package = project / "my_service" / "db" / "redis"
    missing = []
    checked = 0
    for rel in RULE_FILES.values():
        text = (project / rel).read_text(encoding="utf-8")
        for module, member in sorted(named_members(text)):
            checked += 1
            path = package / f"{module}.py"
            if not path.is_file():
                missing.append(f"{rel}: {module}.{member} (no {module}.py generated)")
            elif member not in _members(path):
                missing.append(f"{rel}: {module}.{member} (not in {module}.py)")
    assert checked, "no module.function found: the pattern no longer matches the files"
    assert not missing, "\n".join(missing)


def test_the_check_catches_a_module_that_was_not_generated(subset_projects: dict[str, Path]) -> None:
    """The checker itself: streams.emit_event named in a cache-only project is reported."""
    package = subset_projects["cache-only"] / "my_service" / "db" / "redis"
    assert ("streams", "emit_event") in named_members("call `streams.emit_event(type, data)` then keys.py")
    assert ("keys", "py") not in named_members("keys.py")
    assert not (package / "streams.py").exists()
    assert "get_or_set" in _members(package / "cache.py") and "nope" not in _members(package / "cache.py")


def test_answers_that_overflow_agents_md_are_refused(tmp_path: Path, run_cli) -> None:
    """Each answer within its bounds, together past the 32 KiB Codex reads (fresh-user trial 12 saw 36,970
    bytes): exit 2 naming the fields, nothing written; without AGENTS.md the same answers render."""
    import yaml

    reason = "kept without a TTL because the team reloads it from the source of truth on every deploy " * 3
    answers = {"persistent_keys": [{"pattern": f"*:config{i}:*", "reason": reason.strip()[:300]} for i in range(40)]}
    data = tmp_path / "answers.yml"
    data.write_text(yaml.safe_dump(answers), encoding="utf-8")
    code, out, err = run_cli("new", str(tmp_path / "big"), "--defaults", "--data-file", str(data))
    assert code == 2, out + err
    assert err.startswith("redis-rules: error: persistent_keys, ttl_classes, environments: AGENTS.md would be ")
    assert "over the 32 KiB Codex reads" in err and err.count("\n") == 1
    assert not (tmp_path / "big").exists()
    code, out, err = run_cli(
        "new", str(tmp_path / "big"), "--defaults", "--data-file", str(data), "--data", "agents=[claude]"
    )
    assert code == 0, out + err


# --- every TTL class a generated file names is one the project defines (fresh-user trial: TTL.session named in a
# project whose ttl_classes were {a: 1}) -------------------------------------------------------------------------

TTL_NAMED = re.compile(r"\bTTL\.([A-Za-z_]\w*)")


def ttl_classes_named(project: Path) -> dict[str, set[str]]:
    """Each `TTL.<class>` any generated text file names -> the files naming it."""
    found: dict[str, set[str]] = {}
    for path in sorted(project.rglob("*")):
        if path.is_file() and ".git" not in path.parts and "node_modules" not in path.parts:
            for name in TTL_NAMED.findall(path.read_text(encoding="utf-8", errors="replace")):
                found.setdefault(name, set()).add(path.relative_to(project).as_posix())
    return found


def test_generated_files_name_only_the_projects_ttl_classes(tmp_path: Path) -> None:
    """Rule lines, the skill, the long forms' examples and the modules' docstrings name the project's own TTL
    classes: the answers' first class stands in for one the rule text names that the project lacks."""
    project = render(tmp_path / "p", ttl_classes="{a: 1, long_one: 86400}", agents=ALL_AGENTS + ",gemini")
    named = ttl_classes_named(project)
    assert set(named) <= {"a", "long_one", "default"}, {k: v for k, v in named.items() if k not in ("a", "long_one")}
    assert {"CLAUDE.md", "AGENTS.md", "GEMINI.md", ".claude/skills/redis/references/rules.md"} <= named["a"]
    claude = (project / "CLAUDE.md").read_text(encoding="utf-8")
    assert "(e.g. ex=TTL.a)" in claude  # RR002 names the first class
    text = (project / "AGENTS.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^### (RR\d{3}) .*?```python\n(.*?)```", text, flags=re.S | re.M)
    rules = {rule.id: rule for rule in load_rules()}
    for rule_id, code in blocks:  # the Jinja `ttl` macro and rulesets.ttl_names agree
        expected = rules[rule_id].code("good", "python", "my_service.db.redis", ["a", "long_one"])
        assert code.strip() == expected.strip(), rule_id
    default = ttl_classes_named(render(tmp_path / "default"))  # the default answers' classes, as written
    assert set(default) == set(DEFAULT_TTL_CLASSES) | {"default"}
