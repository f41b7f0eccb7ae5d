"""`redis-rules new --into EXISTING_REPO`: adopt redis-rules into a project that already has its own
CLAUDE.md, .claude/settings.json, code and pyproject — write only our files, merge, never clobber."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from redis_rules.agent_files import BEGIN_PREFIX, END_LINE
from tests.conftest import git, make_template_repo

USER_CLAUDE = "# Shop API\n\nRun `make test` before you push. Use tabs in Makefiles.\n"
USER_SETTINGS = {
    "permissions": {"allow": ["Bash(make test)", "Bash(git status)"], "deny": ["Read(./.env)"]},
    "hooks": {
        "PostToolUse": [{"matcher": "Write|Edit", "hooks": [{"type": "command", "command": "npx prettier --write ."}]}],
        "Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}],
    },
}
USER_FILES = {
    "CLAUDE.md": USER_CLAUDE,
    ".claude/settings.json": json.dumps(USER_SETTINGS, indent=2) + "\n",
    "pyproject.toml": "[project]\nname = 'shop-api'\nversion = '1.2.3'\n",
    "README.md": "# Shop API\n",
    "shop_api/__init__.py": "VERSION = '1.2.3'\n",
    "shop_api/app.py": "def main() -> None:\n    print('hi')\n",
    ".github/workflows/ci.yml": "name: ci\n",
    "tests/__init__.py": "",
    "tests/test_app.py": "def test_ok() -> None:\n    assert True\n",
}
RULE_OUTPUTS = {
    "CLAUDE.md",
    "AGENTS.md",
    ".claude/rules/redis.md",
    ".claude/settings.json",
    ".claude/hooks/redis_rules_hook.py",
    ".claude/agents/redis-reviewer.md",
    *(
        f".claude/skills/{s}/SKILL.md"
        for s in ("redis", "redis-lint", "redis-audit", "redis-rule", "redis-key", "redis-update")
    ),
    ".claude/skills/redis/references/rules.md",
    ".claude/skills/redis/references/api.md",
    ".agents/skills/redis/SKILL.md",
    ".agents/skills/redis/references/rules.md",
    ".agents/skills/redis/references/api.md",
    ".copier-answers.yml",
    ".redis-rules.yml",
}


def make_repo(root: Path) -> Path:
    repo = root / "shop-api"
    for rel, text in USER_FILES.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text, encoding="utf-8")
    git(repo.parent, "init", "-q", str(repo))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "the team's project")
    return repo


def changed(repo: Path) -> set[str]:
    """Paths git sees as modified or new (untracked files listed one by one)."""
    out = git(repo, "status", "--porcelain", "--untracked-files=all")
    return {line[3:] for line in out.splitlines()}


def snapshot(repo: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(repo)): p.read_bytes()
        for p in repo.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(repo).parts
    }


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path)


ADOPT = ("--defaults", "--data", "package=shop_api", "--data", "project_name=shop-api")


def test_adopt_writes_only_our_files(repo: Path, run_cli) -> None:
    code, out, err = run_cli("new", "--into", str(repo), *ADOPT)
    assert code == 0, err
    assert changed(repo) == RULE_OUTPUTS
    for rel in (
        "pyproject.toml",
        "README.md",
        "shop_api/__init__.py",
        "shop_api/app.py",
        ".github/workflows/ci.yml",
    ):
        assert (repo / rel).read_text(encoding="utf-8") == USER_FILES[rel], rel
    assert not (repo / "shop_api/db").exists()  # modules only with --with-modules
    assert "merge  CLAUDE.md" in out and "merge  .claude/settings.json" in out
    assert "--with-modules" in out

    claude = (repo / "CLAUDE.md").read_text(encoding="utf-8")
    assert claude.startswith(USER_CLAUDE)
    assert claude.count(BEGIN_PREFIX) == 1 and claude.rstrip().endswith(END_LINE)
    assert "`from shop_api.db.redis.client import get_client`" in claude

    policy = yaml.safe_load((repo / ".redis-rules.yml").read_text(encoding="utf-8"))
    assert isinstance(policy, dict)
    answers = yaml.safe_load((repo / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert answers["package"] == "shop_api"


def test_existing_hooks_and_permissions_are_kept_ours_added_once(repo: Path, run_cli) -> None:
    for _ in range(2):
        code, _, err = run_cli("new", "--into", str(repo), *ADOPT)
        assert code == 0, err
    settings = json.loads((repo / ".claude/settings.json").read_text(encoding="utf-8"))
    assert settings["permissions"] == USER_SETTINGS["permissions"]
    assert settings["hooks"]["Stop"][0] == USER_SETTINGS["hooks"]["Stop"][0]  # theirs first, untouched
    assert [g["hooks"][0]["command"].split()[-1] for g in settings["hooks"]["Stop"][1:]] == ["stop-gate"]
    post = settings["hooks"]["PostToolUse"]
    assert post[0] == USER_SETTINGS["hooks"]["PostToolUse"][0]  # theirs first, untouched
    commands = [h["command"] for group in post for h in group["hooks"]]
    assert commands.count("npx prettier --write .") == 1
    assert sum(c.endswith(" lint-edit") for c in commands) == 1
    (ours,) = [g for g in post if any(h["command"].endswith(" lint-edit") for h in g["hooks"])]
    assert ours["matcher"] == "Edit|MultiEdit|Write"
    pre = [h["command"] for group in settings["hooks"]["PreToolUse"] for h in group["hooks"]]
    assert sum(c.endswith(" shell-guard") for c in pre) == 1


def test_adopting_twice_is_idempotent(repo: Path, run_cli) -> None:
    code, _, _ = run_cli("new", "--into", str(repo), *ADOPT)
    assert code == 0
    first = snapshot(repo)
    code, out, _ = run_cli("new", "--into", str(repo), *ADOPT)
    assert code == 0
    second = snapshot(repo)
    first.pop(".copier-answers.yml"), second.pop(".copier-answers.yml")  # records the template commit
    assert second == first
    assert "unchanged  CLAUDE.md" in out and "unchanged  .claude/settings.json" in out


def test_user_edits_outside_the_markers_survive_regeneration(repo: Path, run_cli) -> None:
    run_cli("new", "--into", str(repo), *ADOPT)
    text = (repo / "CLAUDE.md").read_text(encoding="utf-8")
    edited = text.replace("Use tabs in Makefiles.", "Use tabs in Makefiles. Deploy on Fridays: never.")
    edited += "\n## Our own appendix\n"
    (repo / "CLAUDE.md").write_text(edited, encoding="utf-8")
    code, _, _ = run_cli("new", "--into", str(repo), *ADOPT, "--data", "default_ttl=120")
    assert code == 0
    again = (repo / "CLAUDE.md").read_text(encoding="utf-8")
    before, _, after = again.partition(BEGIN_PREFIX)
    assert before == edited.partition(BEGIN_PREFIX)[0]
    assert after.endswith(f"{END_LINE}\n\n## Our own appendix\n")
    assert "| `TTL.default` | 120 |" in again


def test_with_modules_adds_modules_and_tests_but_skips_existing(repo: Path, run_cli) -> None:
    code, out, err = run_cli("new", "--into", str(repo), *ADOPT, "--with-modules")
    assert code == 0, err
    new = changed(repo)
    assert RULE_OUTPUTS <= new
    assert "shop_api/db/redis/keys.py" in new and "shop_api/db/redis/client.py" in new
    assert "tests/redis/test_keys.py" in new
    assert not any(rel in new for rel in ("pyproject.toml", "shop_api/__init__.py", "tests/__init__.py"))
    assert all(rel in RULE_OUTPUTS or rel.startswith(("shop_api/db/redis/", "tests/redis/")) for rel in new), new

    (repo / "shop_api/db/redis/client.py").write_text("# ours now\n", encoding="utf-8")
    code, out, _ = run_cli("new", "--into", str(repo), *ADOPT, "--with-modules")
    assert code == 0
    assert (repo / "shop_api/db/redis/client.py").read_text(encoding="utf-8") == "# ours now\n"
    assert "skip  shop_api/db/redis/client.py" in out


def test_pretend_shows_the_plan_and_writes_nothing(repo: Path, run_cli) -> None:
    before = snapshot(repo)
    code, out, _ = run_cli("new", "--into", str(repo), *ADOPT, "--pretend")
    assert code == 0
    assert "merge  CLAUDE.md" in out and "create  AGENTS.md" in out
    assert snapshot(repo) == before and changed(repo) == set()


def test_unparseable_settings_json_stops_before_writing(repo: Path, run_cli) -> None:
    (repo / ".claude/settings.json").write_text('{"hooks": {,}}\n', encoding="utf-8")
    git(repo, "commit", "-qam", "broken settings")
    code, _, err = run_cli("new", "--into", str(repo), *ADOPT)
    assert code == 2
    assert err.count("\n") == 1 and ".claude/settings.json" in err and "not valid JSON" in err
    assert changed(repo) == set()


def test_foreign_answers_file_is_refused(repo: Path, run_cli) -> None:
    (repo / ".copier-answers.yml").write_text("_src_path: gh:acme/python-template\nproject: shop\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "other template")
    code, _, err = run_cli("new", "--into", str(repo), *ADOPT)
    assert code == 2 and "gh:acme/python-template" in err
    assert changed(repo) == set()


def test_usage_errors(repo: Path, tmp_path: Path, run_cli) -> None:
    code, _, err = run_cli("new", str(tmp_path / "x"), "--defaults", "--with-modules")
    assert code == 2 and "--with-modules" in err
    code, _, err = run_cli("new", "--into", str(tmp_path / "missing"), "--defaults")
    assert code == 2 and "--into" in err
    code, _, err = run_cli("new", str(tmp_path / "y"), "--into", str(repo), "--defaults")
    assert code == 2 and "--into" in err


def test_update_after_adoption_touches_only_our_files(tmp_path: Path, run_cli) -> None:
    """`redis-rules update` (copier's 3-way merge) on an adopted repo: our sections change, the
    team's text stays, and the files adoption left out (pyproject, modules) are not brought back."""

    template = make_template_repo(tmp_path / "tpl")
    repo = make_repo(tmp_path)
    code, _, err = run_cli("new", "--into", str(repo), "--template", str(template), *ADOPT)
    assert code == 0, err
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "adopt redis-rules")
    code, _, err = run_cli("update", str(repo), "--set", "default_ttl=900")
    assert code == 0, err
    skills = {".claude/skills/redis/SKILL.md", ".agents/skills/redis/SKILL.md"}  # they carry the TTL table
    assert changed(repo) <= {".copier-answers.yml", ".redis-rules.yml", "CLAUDE.md", "AGENTS.md", *skills}
    claude = (repo / "CLAUDE.md").read_text(encoding="utf-8")
    assert claude.startswith(USER_CLAUDE) and "| `TTL.default` | 900 |" in claude
    assert claude.count(BEGIN_PREFIX) == 1
    assert (repo / "pyproject.toml").read_text(encoding="utf-8") == USER_FILES["pyproject.toml"]
    assert not (repo / "shop_api/db").exists()
