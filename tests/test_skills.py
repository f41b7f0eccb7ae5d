"""The project Redis skill, the command skills and the redis-reviewer subagent, checked against the
formats their readers document.

- Claude Code skills (https://code.claude.com/docs/en/skills): frontmatter keys name, description,
  when_to_use, argument-hint, arguments, disable-model-invocation, user-invocable, allowed-tools, model,
  effort, context, agent, hooks, paths, shell; SKILL.md under 500 lines with details in supporting files
  (Anthropic's skill authoring best practices); name and description within the Agent Skills limits.
- Agent Skills (https://agentskills.io/specification), read from `.agents/skills` by Codex
  (https://developers.openai.com/codex/skills): name (1-64 chars, lowercase letters, digits and single
  hyphens, the folder's name), description (1-1024 chars), license, compatibility, metadata, allowed-tools.
- Claude Code subagents (https://code.claude.com/docs/en/sub-agents): name, description, tools,
  disallowedTools, model, permissionMode, maxTurns, skills, mcpServers, hooks, memory, background, effort,
  isolation, color, initialPrompt.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from redis_rules.agent_files import split_frontmatter
from tests.conftest import render
from tests.test_claude_hooks import CLAUDE_HOOKS_SCHEMA

CLAUDE_SKILL_KEYS = {
    "name", "description", "when_to_use", "argument-hint", "arguments", "disable-model-invocation",
    "user-invocable", "allowed-tools", "model", "effort", "context", "agent", "hooks", "paths", "shell",
}  # fmt: skip
AGENT_SKILL_KEYS = {"name", "description", "license", "compatibility", "metadata", "allowed-tools"}
SUBAGENT_KEYS = {
    "name", "description", "tools", "disallowedTools", "model", "permissionMode", "maxTurns", "skills",
    "mcpServers", "hooks", "memory", "background", "effort", "isolation", "color", "initialPrompt",
}  # fmt: skip
COMMANDS = ("redis-lint", "redis-audit", "redis-rule", "redis-key", "redis-update")
NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
VENV_BIN = str(Path(sys.executable).parent)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory.mktemp("skills") / "svc")


def frontmatter(path: Path) -> tuple[dict[str, object], str]:
    text = path.read_text(encoding="utf-8")
    block, body = split_frontmatter(text)
    assert block, f"{path} has no frontmatter"
    data = yaml.safe_load(block.strip().strip("-"))
    assert isinstance(data, dict)
    return data, body


def check_agent_skill_core(path: Path, data: dict[str, object]) -> None:
    name, description = data["name"], data["description"]
    assert isinstance(name, str) and NAME.fullmatch(name) and len(name) <= 64, name
    assert name == path.parent.name  # the spec: the name is the folder's name
    assert isinstance(description, str) and 1 <= len(description) <= 1024


def test_redis_skill_for_claude_and_for_agent_skills_readers(project: Path) -> None:
    for root, keys in ((".claude/skills/redis", CLAUDE_SKILL_KEYS), (".agents/skills/redis", AGENT_SKILL_KEYS)):
        skill = project / root / "SKILL.md"
        data, body = frontmatter(skill)
        assert set(data) <= keys and {"name", "description"} <= set(data), (root, set(data) - keys)
        check_agent_skill_core(skill, data)
        assert "Use for any code" in str(data["description"])  # says when to load it
        assert len(skill.read_text(encoding="utf-8").splitlines()) < 500
        for link in re.findall(r"\]\((references/[^)]+)\)", body):
            assert (skill.parent / link).is_file(), link
        assert "{app}:{env}:{domain}:{entity}:{id}" in body and "## TTL policy" in body and "**RR007**" in body
    for rel in ("SKILL.md", "references/rules.md", "references/api.md"):  # one skill, two folders
        claude, agents = project / ".claude/skills/redis" / rel, project / ".agents/skills/redis" / rel
        assert claude.read_text(encoding="utf-8") == agents.read_text(encoding="utf-8")


def test_no_agent_skills_folder_without_agents_md(tmp_path: Path) -> None:
    out = render(tmp_path / "p", agents="[claude]")
    assert not (out / ".agents").exists() and (out / ".claude/skills/redis/SKILL.md").is_file()


def test_command_skills_are_user_invoked_with_narrow_tools(project: Path) -> None:
    import jsonschema

    for name in COMMANDS:
        skill = project / ".claude/skills" / name / "SKILL.md"
        data, body = frontmatter(skill)
        assert set(data) <= CLAUDE_SKILL_KEYS, set(data) - CLAUDE_SKILL_KEYS
        check_agent_skill_core(skill, data)
        assert data["disable-model-invocation"] is True
        tools = [t.strip() for t in str(data["allowed-tools"]).split(",")]
        assert tools and "Bash" not in tools and "Write" not in tools  # Bash only with a command pattern
        assert all(re.fullmatch(r"(Read|Edit|Grep|Glob)|Bash\([a-z][\w .-]*:\*\)", t) for t in tools), tools
        assert "$ARGUMENTS" in body and isinstance(data.get("argument-hint"), str)
        if "hooks" in data:
            jsonschema.validate({"hooks": data["hooks"]}, CLAUDE_HOOKS_SCHEMA)
    audit, body = frontmatter(project / ".claude/skills/redis-audit/SKILL.md")
    assert audit["allowed-tools"] == "Bash(redis-rules audit:*), Bash(redis-rules rules:*)"
    assert "never pass `--url`" in body and "$REDIS_URL" in body
    key, body = frontmatter(project / ".claude/skills/redis-key/SKILL.md")
    assert "my_service/db/redis/keys.py" in body and "tests/redis/test_keys.py" in body


def test_reviewer_subagent_is_read_only(project: Path) -> None:
    import jsonschema

    data, body = frontmatter(project / ".claude/agents/redis-reviewer.md")
    assert set(data) <= SUBAGENT_KEYS and {"name", "description"} <= set(data)
    assert data["name"] == "redis-reviewer"
    tools = {t.strip() for t in str(data["tools"]).split(",")}
    assert tools == {"Read", "Grep", "Glob", "Bash"}  # no Edit, Write or NotebookEdit
    jsonschema.validate({"hooks": data["hooks"]}, CLAUDE_HOOKS_SCHEMA)
    (group,) = data["hooks"]["PreToolUse"]  # type: ignore[index]
    assert group["matcher"] == "Bash" and group["hooks"][0]["command"].endswith("reviewer-shell")
    assert "redis-rules lint" in body and "rule id" in body


REVIEWER = [
    ("redis-rules lint my_service/app.py", True),
    ("git diff $(git merge-base HEAD origin/main) | head -200", True),
    ("git log --oneline -5 && git status --porcelain", True),
    ("redis-rules rules RR007", True),
    ("rm -rf my_service", False),
    ("git commit -am wip", False),
    ("redis-rules lint > report.txt", False),
    ("redis-rules update --set default_ttl=1", False),
    ("sed -i s/a/b/ x.py", False),
    ("python -c 'import os; os.remove(\"x\")'", False),
    ("git branch -D main", False),
    ("$TOOL lint", False),
]
AUDIT = [
    ("redis-rules audit --sample 100000 --format json", True),
    ("redis-rules rules RR002", True),
    ("redis-rules audit --url redis://:secret@db:6379", False),
    ("redis-rules audit --url=redis://db", False),
    ("redis-cli INFO keyspace", False),
    ("redis-rules audit > out.json", False),
]


def run_hook(name: str, event: dict[str, object], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_RULES_HOOKS"}
    env["PATH"] = VENV_BIN + os.pathsep + env.get("PATH", "")
    env["CLAUDE_PROJECT_DIR"] = str(cwd)
    return subprocess.run(
        [sys.executable, str(cwd / ".claude/hooks/redis_rules_hook.py"), name],
        input=json.dumps(event),
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


@pytest.mark.parametrize(("name", "table"), [("reviewer-shell", REVIEWER), ("audit-shell", AUDIT)])
def test_allowlist_hooks(project: Path, name: str, table: list[tuple[str, bool]]) -> None:
    event = json.loads((Path(__file__).parent / "hook_events/claude_pretooluse_bash.json").read_text())
    for command, allowed in table:
        event["tool_input"]["command"] = command
        proc = run_hook(name, event, project)
        assert proc.returncode == (0 if allowed else 2), (command, proc.stderr)
        assert ("Blocked by redis-rules" in proc.stderr) is (not allowed), command


# ---------------------------------------------------------------- references/api.md matches the code
ENTRY = re.compile(r"`(?:await |async with |with )?([a-z_]+)\(([^`]*?)\)")


def module_signatures(module: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for node in ast.parse(module.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("_"):
            a = node.args
            names = [x.arg for x in [*a.posonlyargs, *a.args]]
            if a.vararg:
                names.append("*" + a.vararg.arg)
            elif a.kwonlyargs:
                names.append("*")
            names += [x.arg for x in a.kwonlyargs]
            out[node.name] = names
    return out


@pytest.mark.parametrize("client", ["redis-py", "redis-py-async", "upstash"])
def test_api_reference_matches_the_generated_modules(tmp_path: Path, client: str) -> None:
    out = render(tmp_path / "p", client=client)
    api = (out / ".claude/skills/redis/references/api.md").read_text(encoding="utf-8")
    modules = out / "my_service/db/redis"
    signatures: dict[str, list[str]] = {}
    for path in modules.glob("*.py"):
        if not path.name.startswith("_"):  # _driver.py is the seam, not the project's API
            signatures.update(module_signatures(path))
    listed = 0
    for section in api.split("\n### ")[1:]:
        module = section.split(":", 1)[0].split(" ", 1)[0]
        assert (modules / f"{module}.py").is_file(), module
        own = module_signatures(modules / f"{module}.py")
        for name, params in ENTRY.findall(section):
            if name not in own:
                continue  # e.g. `keys.cache_key` named in a sentence of another module
            words = [p.strip().split("=")[0] for p in params.split(",") if p.strip()]
            assert words == own[name], (module, name, words, own[name])
            listed += 1
    public = {n for n in signatures if not n.startswith("_")}
    mentioned = set(re.findall(r"`(?:await |async with |with )?([a-z_]+)\(", api))
    assert public <= mentioned, public - mentioned  # every public function of the modules is documented
    assert listed >= 20
