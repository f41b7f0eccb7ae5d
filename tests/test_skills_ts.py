"""Skills, subagent and hooks of TypeScript projects: the same files as a Python project's (shared
templates under templates/_includes/enforce/), worded for TypeScript where they name code, and the API
reference (`references/api.md`) checked against the generated TypeScript modules with the TypeScript
compiler's type checker (tests/ts_tools/signatures.mjs).

The formats themselves (frontmatter keys, hook schema, allowlists) are covered by test_skills.py and
test_claude_hooks.py on a Python render; the files are the same templates.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests import ts_toolchain
from tests.conftest import render
from tests.test_agent_files_ts import PYTHON_ISMS
from tests.test_claude_hooks import recorded, run_hook
from tests.test_skills import COMMANDS, frontmatter

ALL_MODULES = "cache,rate_limit,sessions,locks,streams,pubsub"
SIGNATURES = Path(__file__).parent / "ts_tools" / "signatures.mjs"
# `await cache.getOrSet(key, ttl, fetch, { beta, lockTtl })`, `keys.build(...)`, `getClient()`
ENTRY = re.compile(r"`(?:await )?(?:[a-z][A-Za-z]*\.)?([a-z][A-Za-z0-9]*)\(([^`]*?)\)")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(
        tmp_path_factory.mktemp("skills-ts") / "svc",
        language="typescript",
        modules=ALL_MODULES,
        edge="true",
        agents="claude,agents_md,cursor,copilot,gemini",
    )


def test_the_same_skills_hooks_and_reviewer_as_a_python_project(project: Path) -> None:
    for rel in (
        ".claude/skills/redis/SKILL.md",
        ".claude/agents/redis-reviewer.md",
        ".claude/hooks/redis_rules_hook.py",
        ".cursor/hooks.json",
        ".gemini/settings.json",
        ".github/hooks/redis-rules.json",
        "GEMINI.md",
        *(f".claude/skills/{name}/SKILL.md" for name in COMMANDS),
    ):
        assert (project / rel).is_file(), rel
    for rel in ("SKILL.md", "references/rules.md", "references/api.md"):
        claude, agents = project / ".claude/skills/redis" / rel, project / ".agents/skills/redis" / rel
        assert claude.read_text(encoding="utf-8") == agents.read_text(encoding="utf-8")
    settings = json.loads((project / ".claude/settings.json").read_text(encoding="utf-8"))
    commands = [h["command"] for groups in settings["hooks"].values() for g in groups for h in g["hooks"]]
    assert commands and all(".claude/hooks/redis_rules_hook.py" in c for c in commands)
    _, skill = frontmatter(project / ".claude/skills/redis/SKILL.md")
    assert "`await cache.getOrSet(" in skill  # the policy in TypeScript terms
    for rel in ("SKILL.md", "references/rules.md", "references/api.md"):
        text = (project / ".claude/skills/redis" / rel).read_text(encoding="utf-8")
        assert not PYTHON_ISMS.search(text), (rel, PYTHON_ISMS.search(text))
    assert not PYTHON_ISMS.search((project / "GEMINI.md").read_text(encoding="utf-8"))
    data, key_skill = frontmatter(project / ".claude/skills/redis-key/SKILL.md")
    assert "src/db/redis/keys.ts" in key_skill and "keys.py" not in key_skill
    assert "Bash(npx vitest:*)" in str(data["allowed-tools"])


def test_an_edited_typescript_file_is_linted_by_the_hook(project: Path) -> None:
    path = project / "src/app/scan.ts"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        'import { getClient } from "../db/redis/index.js";\n'
        'export async function all(): Promise<string[]> {\n  return getClient().keys("*");\n}\n',
        encoding="utf-8",
    )
    try:
        event = recorded("claude_posttooluse_write.json", tool_input__file_path=str(path))
        proc = run_hook(project, "lint-edit", event)
        assert proc.returncode == 2 and "RR007" in proc.stderr and "src/app/scan.ts" in proc.stderr, proc.stderr
    finally:
        path.unlink()
    generated = project / "src/db/redis/cache.ts"
    event = recorded("claude_posttooluse_edit.json", tool_input__file_path=str(generated))
    proc = run_hook(project, "lint-edit", event)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr


# ---------------------------------------------------------------- references/api.md matches the code
def signatures(project: Path, files: list[Path]) -> dict[str, dict[str, list[str]]]:
    """file name -> exported function -> parameters (`options` as "{a,b}"), from the type checker."""
    typescript = ts_toolchain.node_modules() / "typescript"
    proc = subprocess.run(
        ["node", str(SIGNATURES), str(typescript), *(str(f) for f in files)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return {Path(f).name: fns for f, fns in json.loads(proc.stdout).items()}


def listed_parameters(text: str) -> list[str]:
    """`key, ttl, fetch, { beta, lockTtl }` -> ["key", "ttl", "fetch", "{beta,lockTtl}"]."""
    words, depth, current = [], 0, ""
    for char in text + ",":
        if char == "," and depth == 0:
            if current.strip():
                words.append(current.strip())
            current = ""
            continue
        depth += {"{": 1, "}": -1}.get(char, 0)
        current += char

    def field_names(word: str) -> str:
        return "{" + ",".join(sorted(p.strip() for p in word.strip("{} ").split(",") if p.strip())) + "}"

    return [field_names(w) if w.startswith("{") else w for w in words]


@pytest.mark.parametrize(
    ("client", "flavour"),
    [
        ("ioredis", "self-hosted"),
        ("ioredis", "cluster"),
        ("node-redis", "self-hosted"),
        ("node-redis", "cluster"),
        ("node-redis", "sentinel"),
        ("upstash", "upstash"),
    ],
)
def test_api_reference_matches_the_generated_modules(tmp_path: Path, client: str, flavour: str) -> None:
    if ts_toolchain.node_binaries() is None:
        pytest.skip("node and npm are not on PATH: the TypeScript compiler reads the generated modules")
    rest = client == "upstash"
    out = render(
        tmp_path / "p",
        language="typescript",
        client=client,
        flavour=flavour,
        modules=ALL_MODULES,
        edge="false" if rest else "true",
    )
    api = (out / ".claude/skills/redis/references/api.md").read_text(encoding="utf-8")
    modules = out / "src/db/redis"
    found = signatures(out, sorted(modules.glob("*.ts")))
    listed = 0
    sections = api.split("\n### ")[1:]
    for section in sections:
        module = section.split(":", 1)[0].split(" ", 1)[0]
        if module == "edge":
            continue
        own = found[f"{module}.ts"]
        for name, params in ENTRY.findall(section):
            if name not in own:
                continue  # e.g. `keys.cacheKey` named in a sentence of another module
            assert listed_parameters(params) == own[name], (module, name, params, own[name])
            listed += 1
    public = {name for file, fns in found.items() if not file.startswith("_") for name in fns}
    mentioned = {name for name, _ in ENTRY.findall(api)}
    assert public <= mentioned, public - mentioned  # every exported function is documented
    assert listed >= 40
    if not rest:  # the edge folder: the same calls (its section says so)
        edge = signatures(out, sorted((out / "src/edge/redis").glob("*.ts")))
        for name in ("cache.ts", "rate-limit.ts", "sessions.ts"):
            assert edge[name] == found[name], name
        assert "### edge folder (`src/edge/redis/`)" in api
