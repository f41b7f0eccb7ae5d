"""`redis-rules check`: every kind of drift gives exit 1, `redis-rules update` brings it back to exit 0.

Real copier, real git, the template tagged in a throwaway repository. Also: `update --set
claude_hooks=false` takes out only our hook entries (the team's permissions and hooks stay), and the
other assistants' hook files follow their documented schemas.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from redis_rules import cli
from redis_rules.claude_settings import merge_hooks
from tests.conftest import git, make_template_repo

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("own_cache")]
RunCli = Callable[..., tuple[int, str, str]]
AGENTS = "[claude,agents_md,cursor,copilot,gemini]"
TEAM_SETTINGS = {
    "permissions": {"allow": ["Bash(make test)"], "deny": ["Read(./.env)"]},
    "env": {"APP_ENV": "dev"},
    "hooks": {
        "PostToolUse": [{"matcher": "Write", "hooks": [{"type": "command", "command": "npx prettier --write ."}]}]
    },
}


def new_project(dest: Path, template: Path, **data: str) -> Path:
    argv = ["new", str(dest), "--defaults", "--template", str(template)]
    for key, value in {"modules": "[cache]", "agents": AGENTS, **data}.items():
        argv += ["--data", f"{key}={value}"]
    with contextlib.redirect_stdout(io.StringIO()):
        assert cli.main(argv) == 0
    git(dest, "init", "-q", "-b", "main")
    commit(dest, "rendered by redis-rules")
    return dest


def commit(project: Path, message: str) -> None:
    git(project, "add", "-A")
    git(project, "commit", "-qm", message, "--allow-empty")


def check(run_cli: RunCli, project: Path) -> tuple[int, dict[str, object]]:
    code, out, err = run_cli("check", str(project), "--format", "json")
    assert code in (0, 1), err
    return code, json.loads(out)


def kinds(report: dict[str, object]) -> set[tuple[str, str | None]]:
    problems = report["problems"]
    assert isinstance(problems, list)
    return {(p["kind"], p["path"]) for p in problems}


def edit_settings(project: Path, rel: str, change: Callable[[dict[str, object]], None]) -> None:
    path = project / rel
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


# each drift: (name, what it does to the project, the (kind, path) check must report)
def _edit_skill(p: Path) -> None:
    with (p / ".claude/skills/redis/SKILL.md").open("a") as fh:
        fh.write("\nAlso: KEYS is fine in scripts.\n")


def _delete_command(p: Path) -> None:
    (p / ".claude/skills/redis-lint/SKILL.md").unlink()


def _edit_section(p: Path) -> None:
    path = p / "CLAUDE.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Never", "Rarely", 1), encoding="utf-8")


def _drop_markers(p: Path) -> None:
    path = p / "AGENTS.md"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(x for x in lines if not x.startswith(("<!-- BEGIN redis-rules", "<!-- END redis-rules"))))


def _weaken_hook(p: Path) -> None:
    def change(data: dict[str, object]) -> None:
        hooks = data["hooks"]
        assert isinstance(hooks, dict)
        del hooks["Stop"]

    edit_settings(p, ".claude/settings.json", change)


def _cursor_hook(p: Path) -> None:
    def change(data: dict[str, object]) -> None:
        hooks = data["hooks"]
        assert isinstance(hooks, dict)
        hooks["beforeShellExecution"] = []

    edit_settings(p, ".cursor/hooks.json", change)


def _policy_value(p: Path) -> None:
    path = p / ".redis-rules.yml"
    path.write_text(path.read_text().replace("default_ttl: 3600", "default_ttl: 99999"), encoding="utf-8")


def _reviewer(p: Path) -> None:
    path = p / ".claude/agents/redis-reviewer.md"
    path.write_text(path.read_text().replace("tools: Read, Grep, Glob, Bash", "tools: Read, Edit, Bash"))


def _legacy_script(p: Path) -> None:
    (p / ".claude/hooks/redis_lint.py").write_text("print('v0.1.0')\n")


def _stale_cursor(p: Path) -> None:  # answers say no cursor, the file still has our entries
    answers = p / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace("- cursor\n", ""), encoding="utf-8")


DRIFTS = [
    ("skill edited", _edit_skill, ("drift", ".claude/skills/redis/SKILL.md")),
    ("command skill deleted", _delete_command, ("missing", ".claude/skills/redis-lint/SKILL.md")),
    ("rule section edited", _edit_section, ("drift", "CLAUDE.md")),
    ("markers removed", _drop_markers, ("drift", "AGENTS.md")),
    ("our Claude hook removed", _weaken_hook, ("drift", ".claude/settings.json")),
    ("our Cursor hook removed", _cursor_hook, ("drift", ".cursor/hooks.json")),
    ("policy value edited", _policy_value, ("drift", ".redis-rules.yml")),
    ("reviewer given Edit", _reviewer, ("drift", ".claude/agents/redis-reviewer.md")),
    ("v0.1.0 hook script left", _legacy_script, ("stale", ".claude/hooks/redis_lint.py")),
    ("cursor dropped from the answers", _stale_cursor, ("stale", ".cursor/hooks.json")),
]


def test_a_fresh_project_is_current(tmp_path: Path, template: Path, run_cli: RunCli) -> None:
    project = new_project(tmp_path / "svc", template)
    code, report = check(run_cli, project)
    assert (code, report["ok"], report["problems"]) == (0, True, [])
    assert report["template"] == {"recorded": "v1.0.0", "newest": "v1.0.0", "behind": False}
    code, out, _ = run_cli("check", str(project))
    assert code == 0 and "is current (template v1.0.0)" in out
    assert git(project, "status", "--porcelain") == ""  # check changes nothing


def test_check_as_a_git_pre_commit_hook_leaves_the_commit_alone(tmp_path: Path, template: Path) -> None:
    """Trial 16: git gives a pre-commit hook an absolute GIT_INDEX_FILE for `commit -a` and `commit FILE`; the
    template's git runs (and Copier's) inherited it and wrote the template into the commit ("invalid object ...
    for 'rulesets/10-keys.yml'"). The hook here is a plain script, as pre-commit's `language: system` runs it."""
    project = new_project(tmp_path / "svc", template)
    hook = project / ".git" / "hooks" / "pre-commit"
    hook.write_text(f"#!/bin/sh\nexec {sys.executable} -m redis_rules check .\n")
    hook.chmod(0o755)
    tracked = set(git(project, "ls-files").split())
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    for argv in (["commit", "-qam", "note"], ["commit", "-qm", "named", "notes.py"]):
        path = project / "notes.py"
        path.write_text(path.read_text() + "# x\n" if path.exists() else "X = 1\n")
        if argv[1] == "-qam":
            git(project, "add", "notes.py")
            path.write_text("X = 2\n")  # `commit -a` stages this edit in the hook's own index
        proc = subprocess.run(["git", "-c", "commit.gpgsign=false", *argv], cwd=project, capture_output=True, env=env)
        assert proc.returncode == 0, proc.stderr.decode()
        assert set(git(project, "ls-files").split()) == tracked | {"notes.py"}
        assert git(project, "status", "--porcelain") == ""


@pytest.mark.parametrize(("name", "make", "expected"), DRIFTS, ids=[d[0] for d in DRIFTS])
def test_each_drift_is_found_and_update_fixes_it(
    tmp_path: Path, template: Path, run_cli: RunCli, name: str, make: Callable[[Path], None], expected: tuple[str, str]
) -> None:
    project = new_project(tmp_path / "svc", template)
    team_note = "\n## Team notes\n\nAsk the platform team first.\n"
    with (project / "CLAUDE.md").open("a") as fh:
        fh.write(team_note)  # the team's text outside the markers must survive the repair
    commit(project, "team notes")
    make(project)
    commit(project, name)

    code, report = check(run_cli, project)
    assert code == 1 and expected in kinds(report), report
    text_code, text_out, _ = run_cli("check", str(project))
    assert text_code == 1 and expected[0] in text_out and "redis-rules update" in text_out

    code, out, err = run_cli("update", str(project))
    assert code == 0, out + err
    commit(project, "redis-rules update")
    code, report = check(run_cli, project)
    assert (code, report["problems"]) == (0, []), report
    assert (project / "CLAUDE.md").read_text(encoding="utf-8").endswith(team_note)


def problem(report: dict[str, object], path: str) -> dict[str, str]:
    problems = report["problems"]
    assert isinstance(problems, list)
    found = [p for p in problems if p["path"] == path]
    assert len(found) == 1, problems
    return found[0]  # type: ignore[no-any-return]


def follow(project: Path, detail: str, run_cli: RunCli, which: str = "git") -> None:
    """Run the command of a problem's detail that starts with `which`, as the user would, in the project: a git
    command, the render command (`R=...`, its redis-rules found on PATH as in this venv), or redis-rules itself."""
    commands = re.findall(r"`((?:git|redis-rules|R=)[^`]+)`", detail)
    command = next((c for c in commands if c.startswith(which)), None)
    assert command is not None, detail
    if which in ("git", "R="):
        env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
        subprocess.run(command, shell=True, cwd=project, check=True, capture_output=True, env=env)
    else:
        code, out, err = run_cli(*shlex.split(command)[1:], str(project))
        assert code == 0, out + err


def test_a_deleted_module_is_reported_and_git_brings_it_back(tmp_path: Path, template: Path, run_cli: RunCli) -> None:
    """Fresh-user trial: `rm keys.py cache.py` and check said "current". Generated modules are the team's to
    edit (never compared), but a deleted one is not an edit. Copier's update keeps a deletion, so the advice
    is git, and following it makes check pass."""
    project = new_project(tmp_path / "svc", template, modules="[cache, rate_limit]")
    deleted = ["my_service/db/redis/keys.py", "my_service/db/redis/cache.py"]
    for rel in deleted:
        (project / rel).unlink()
    commit(project, "remove modules")
    gone = git(project, "rev-parse", "--short", "HEAD").strip()

    code, report = check(run_cli, project)
    assert code == 1 and report["ok"] is False
    assert kinds(report) == {("deleted", rel) for rel in deleted}, report
    keys = problem(report, deleted[0])["detail"]
    assert f"`git checkout {gone}^ -- my_service/db/redis/keys.py` restores it" in keys
    assert "modules=" not in keys  # keys.py is rendered whatever the modules
    cache = problem(report, deleted[1])["detail"]
    assert '`redis-rules update --set "modules=[rate_limit]"`' in cache
    code, out, _ = run_cli("check", str(project))
    assert code == 1 and "deleted   my_service/db/redis/keys.py" in out
    assert "`redis-rules update` keeps deletions" in out and "puts the generated parts back" not in out

    # what `redis-rules update` does with a deleted module: nothing (Copier keeps the deletion), so it is no fix
    code, out, err = run_cli("update", str(project))
    assert code == 0, out + err
    assert not any((project / rel).exists() for rel in deleted)
    assert kinds(check(run_cli, project)[1]) == {("deleted", rel) for rel in deleted}

    follow(project, keys, run_cli)  # git brings keys.py back
    code, report = check(run_cli, project)
    assert kinds(report) == {("deleted", deleted[1])}, report
    follow(project, problem(report, deleted[1])["detail"], run_cli)
    commit(project, "modules back")
    code, report = check(run_cli, project)
    assert (code, report["problems"]) == (0, []), report

    # the other fix: answers that no longer render the module (update deletes its test as well)
    (project / "my_service/db/redis/rate_limit.py").unlink()
    code, report = check(run_cli, project)
    detail = problem(report, "my_service/db/redis/rate_limit.py")["detail"]
    assert code == 1 and "since the last commit: `git checkout HEAD -- my_service/db/redis/rate_limit.py`" in detail
    commit(project, "no rate limiting after all")
    follow(project, problem(check(run_cli, project)[1], "my_service/db/redis/rate_limit.py")["detail"], run_cli,
           "redis-rules")  # fmt: skip
    commit(project, "modules=[cache]")
    assert not (project / "tests/redis/test_rate_limit.py").exists()
    code, report = check(run_cli, project)
    assert (code, report["problems"]) == (0, []), report


def test_a_deleted_file_git_never_held_gets_a_render_command_that_restores_it(
    tmp_path: Path, template: Path, run_cli: RunCli
) -> None:
    """A generated file deleted before its first commit: git cannot bring it back, and the advice was "copy it
    from a render of the same answers" without saying how. The detail now holds the exact command (the
    recorded template and ref); run as written, in the project, it restores the file and check passes."""
    dest = tmp_path / "svc"
    with contextlib.redirect_stdout(io.StringIO()):
        assert cli.main(["new", str(dest), "--defaults", "--template", str(template), "--data", "modules=[cache]"]) == 0
    rel = "my_service/db/redis/cache.py"
    original = (dest / rel).read_bytes()
    (dest / rel).unlink()
    git(dest, "init", "-q", "-b", "main")
    commit(dest, "rendered by redis-rules, cache.py dropped before the first commit")

    code, report = check(run_cli, dest)
    detail = problem(report, rel)["detail"]
    assert code == 1 and "never committed, so git cannot restore it" in detail, detail
    command = re.search(r"`(R=[^`]+)`", detail)
    assert command is not None and f"--template {template} --vcs-ref v1.0.0" in command.group(1), detail
    follow(dest, detail, run_cli, "R=")
    assert (dest / rel).read_bytes() == original
    commit(dest, "cache.py back")
    code, report = check(run_cli, dest)
    assert (code, report["problems"]) == (0, []), report


def test_a_module_deleted_before_an_answer_change_is_restored_for_todays_answers(
    tmp_path: Path, template: Path, run_cli: RunCli
) -> None:
    """Trial 19: locks.py deleted, then the client switched from valkey-py to redis-py-async; check's `git checkout
    COMMIT^` brought back the sync module of the old answers, and check then said "current". After an answer
    change the detail gives the render command instead, which writes today's module (and removes its folder)."""
    project = new_project(tmp_path / "svc", template, modules="[cache, locks]", client="valkey-py")
    rel = "my_service/db/redis/locks.py"
    (project / rel).unlink()
    commit(project, "no locks")
    code, out, err = run_cli("update", str(project), "--set", "client=redis-py-async")
    assert code == 0, out + err
    commit(project, "asyncio")

    code, report = check(run_cli, project)
    detail = problem(report, rel)["detail"]
    assert code == 1 and "the answers changed since" in detail and "git checkout" not in detail, detail
    command = re.search(r"`(R=[^`]+)`", detail)
    assert command is not None, detail
    follow(project, detail, run_cli, "R=")
    assert "async def acquire_lock" in (project / rel).read_text()
    commit(project, "locks back")
    code, report = check(run_cli, project)
    assert (code, report["problems"]) == (0, []), report


def test_deleted_gate_files_are_reported(tmp_path: Path, template: Path, run_cli: RunCli) -> None:
    """The gate itself (pre-commit config, CI workflow, the conflict-marker script) deleted: check fails instead
    of saying "current"; a deleted hook settings file is an owned part `update` writes back. Starter files
    (copier's _skip_if_exists: .gitignore, pyproject.toml) are the team's once rendered, and a team file the
    template never wrote is none of check's business."""
    project = new_project(tmp_path / "svc", template)
    gates = [".pre-commit-config.yaml", ".github/workflows/redis-rules.yml", "scripts/check_conflict_markers.py"]
    for rel in [*gates, ".claude/settings.json", ".gitignore", "tests/__init__.py"]:
        (project / rel).unlink()
    (project / "my_service/db/redis/extra.py").write_text("X = 1\n", encoding="utf-8")
    commit(project, "no gate")

    code, report = check(run_cli, project)
    assert code == 1
    assert kinds(report) == {*(("deleted", rel) for rel in gates), ("missing", ".claude/settings.json")}, report
    for rel in gates:
        detail = problem(report, rel)["detail"]
        assert "git checkout" in detail and "redis-rules update" not in detail, detail
        follow(project, detail, run_cli)
    commit(project, "gate back")
    assert kinds(check(run_cli, project)[1]) == {("missing", ".claude/settings.json")}
    code, out, err = run_cli("update", str(project))  # the owned hook file: update writes it back
    assert code == 0, out + err
    commit(project, "hooks back")
    code, report = check(run_cli, project)
    assert (code, report["problems"]) == (0, []), report


def test_a_typescript_project_is_current_until_a_module_is_deleted(
    tmp_path: Path, template: Path, run_cli: RunCli
) -> None:
    project = new_project(tmp_path / "svc-ts", template, language="typescript", modules="[cache, rate_limit]")
    code, report = check(run_cli, project)
    assert (code, report["problems"]) == (0, []), report

    (project / "src/db/redis/rate-limit.ts").unlink()  # not committed
    code, report = check(run_cli, project)
    assert code == 1 and kinds(report) == {("deleted", "src/db/redis/rate-limit.ts")}, report
    detail = problem(report, "src/db/redis/rate-limit.ts")["detail"]
    assert "`git checkout HEAD -- src/db/redis/rate-limit.ts` restores it" in detail
    assert '`redis-rules update --set "modules=[cache]"`' in detail
    follow(project, detail, run_cli)
    code, report = check(run_cli, project)
    assert (code, report["problems"]) == (0, []), report


def test_conflict_leftovers_fail_until_resolved(tmp_path: Path, template: Path, run_cli: RunCli) -> None:
    project = new_project(tmp_path / "svc", template)
    keys = project / "my_service/db/redis/keys.py"
    original = keys.read_text(encoding="utf-8")
    keys.write_text(original + "<<<<<<< before updating\nA = 1\n=======\nA = 2\n>>>>>>> after updating\n")
    (project / "pyproject.toml.rej").write_text("@@ -1 +1 @@\n-x\n+y\n")
    code, report = check(run_cli, project)
    assert code == 1
    assert {("conflict", "my_service/db/redis/keys.py"), ("conflict", "pyproject.toml.rej")} <= kinds(report)
    keys.write_text(original)
    (project / "pyproject.toml.rej").unlink()
    assert check(run_cli, project)[0] == 0


def test_behind_the_template_until_upgraded(tmp_path: Path, template: Path, run_cli: RunCli) -> None:
    project = new_project(tmp_path / "svc", template)
    newer = tmp_path / "tpl-newer"
    git(tmp_path, "clone", "-q", str(template), str(newer))
    git(newer, "commit", "-q", "--allow-empty", "-m", "template v1.1.0")
    git(newer, "tag", "v1.1.0")
    answers = project / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace(str(template), str(newer)), encoding="utf-8")
    commit(project, "template moved")

    code, report = check(run_cli, project)
    assert code == 1 and ("behind", None) in kinds(report)
    assert report["template"] == {"recorded": "v1.0.0", "newest": "v1.1.0", "behind": True}

    code, out, err = run_cli("update", str(project), "--upgrade")
    assert code == 0, out + err
    commit(project, "upgrade")
    code, report = check(run_cli, project)
    assert (code, report["ok"]) == (0, True), report["problems"]


def test_hooks_off_takes_out_only_our_entries(tmp_path: Path, template: Path, run_cli: RunCli) -> None:
    project = new_project(tmp_path / "svc", template)
    settings = project / ".claude/settings.json"
    team = merge_hooks(json.dumps(TEAM_SETTINGS, indent=2), settings.read_text(encoding="utf-8"))
    assert team is not None
    settings.write_text(team, encoding="utf-8")  # the team's own file with our hooks merged in
    gemini = project / ".gemini/settings.json"
    gemini_team = {"model": {"name": "gemini-2.5-pro"}, **json.loads(gemini.read_text(encoding="utf-8"))}
    gemini.write_text(json.dumps(gemini_team, indent=2) + "\n", encoding="utf-8")
    commit(project, "team settings")
    assert check(run_cli, project)[0] == 0

    code, out, err = run_cli("update", str(project), "--set", "claude_hooks=false")
    assert code == 0, out + err
    assert json.loads(settings.read_text(encoding="utf-8")) == TEAM_SETTINGS  # permissions, env, their hook
    assert json.loads(gemini.read_text(encoding="utf-8")) == {"model": {"name": "gemini-2.5-pro"}}
    assert not (project / ".cursor/hooks.json").exists()  # held nothing but ours
    assert not (project / ".github/hooks/redis-rules.json").exists()
    assert (project / ".cursor/rules/redis.mdc").is_file()
    commit(project, "hooks off")
    assert check(run_cli, project)[0] == 0

    code, out, err = run_cli("update", str(project), "--set", "claude_hooks=true")
    assert code == 0, out + err
    assert "were replaced by the render" not in out, out  # trial 12: our entries came back, nothing was edited
    data = json.loads(settings.read_text(encoding="utf-8"))
    assert data["permissions"] == TEAM_SETTINGS["permissions"] and data["env"] == TEAM_SETTINGS["env"]
    assert data["hooks"]["PostToolUse"][0] == TEAM_SETTINGS["hooks"]["PostToolUse"][0]
    assert {e for e in data["hooks"]} == {"PreToolUse", "PostToolUse", "Stop", "SessionStart"}


def test_bad_input_is_exit_2(tmp_path: Path, run_cli: RunCli) -> None:
    code, _, err = run_cli("check", str(tmp_path))
    assert code == 2 and ".copier-answers.yml" in err and err.count("\n") == 1
    (tmp_path / ".copier-answers.yml").write_text("- a list\n")
    code, _, err = run_cli("check", str(tmp_path))
    assert code == 2 and "mapping" in err


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (("  ignore: []\n", "  ignore: RR007\n"), "lint.ignore"),
        (("  ignore: []\n", "  ignore: [RR999]\n"), "lint.ignore"),
        (("lint:\n", "surprise: 1\nlint:\n"), "surprise"),
    ],
    ids=["ignore-not-a-list", "unknown-rule", "unknown-key"],
)
def test_a_policy_lint_refuses_is_refused_by_check(
    tmp_path: Path, template: Path, run_cli: RunCli, edit: tuple[str, str], field: str
) -> None:
    """The team's lint: section is not compared with a render, so `check` said "current" (exit 0) over a policy
    that makes `lint` and `audit` exit 2: a green gate with a broken linter. Found by the fresh-user trial."""
    project = new_project(tmp_path / "svc", template)
    policy = project / ".redis-rules.yml"
    text = policy.read_text()
    assert edit[0] in text
    policy.write_text(text.replace(edit[0], edit[1], 1))
    commit(project, "team edits the policy")
    code, out, err = run_cli("check", str(project))
    assert code == 2 and out == "" and err.count("\n") == 1 and field in err, err
    assert run_cli("lint", str(project))[0] == 2


# ---------------------------------------------------------------- the other assistants' hook files
CURSOR_EVENTS = {
    "beforeShellExecution", "afterShellExecution", "beforeMCPExecution", "afterMCPExecution", "beforeReadFile",
    "afterFileEdit", "beforeSubmitPrompt", "stop", "afterAgentResponse", "afterAgentThought", "beforeTabFileRead",
    "afterTabFileEdit", "sessionStart", "sessionEnd", "preToolUse", "postToolUse", "postToolUseFailure",
    "subagentStart", "subagentStop", "preCompact",
}  # fmt: skip
# https://cursor.com/docs/agent/hooks: {"version": 1, "hooks": {event: [{"command": ...}]}}
CURSOR_SCHEMA = {
    "type": "object",
    "required": ["version", "hooks"],
    "additionalProperties": False,
    "properties": {
        "version": {"const": 1},
        "hooks": {
            "type": "object",
            "propertyNames": {"enum": sorted(CURSOR_EVENTS)},
            "additionalProperties": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["command"],
                    "additionalProperties": False,
                    "properties": {"command": {"type": "string", "minLength": 1}},
                },
            },
        },
    },
}
GEMINI_EVENTS = {
    "SessionStart", "SessionEnd", "BeforeAgent", "AfterAgent", "BeforeModel", "AfterModel", "BeforeToolSelection",
    "BeforeTool", "AfterTool", "PreCompress", "Notification",
}  # fmt: skip
# https://geminicli.com/docs/hooks/reference: hook definition {matcher?, sequential?, hooks: [configuration]},
# configuration {type: "command", command, name?, timeout? (milliseconds), description?}
GEMINI_SCHEMA = {
    "type": "object",
    "properties": {
        "hooks": {
            "type": "object",
            "propertyNames": {"enum": sorted(GEMINI_EVENTS)},
            "additionalProperties": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["hooks"],
                    "additionalProperties": False,
                    "properties": {
                        "matcher": {"type": "string"},
                        "sequential": {"type": "boolean"},
                        "hooks": {
                            "type": "array",
                            "minItems": 1,
                            "items": {
                                "type": "object",
                                "required": ["type", "command"],
                                "additionalProperties": False,
                                "properties": {
                                    "type": {"const": "command"},
                                    "command": {"type": "string", "minLength": 1},
                                    "name": {"type": "string"},
                                    "timeout": {"type": "integer", "minimum": 1000},
                                    "description": {"type": "string"},
                                },
                            },
                        },
                    },
                },
            },
        }
    },
}
COPILOT_EVENTS = {"sessionStart", "sessionEnd", "userPromptSubmitted", "preToolUse", "postToolUse", "errorOccurred"}
# docs.github.com/en/copilot/reference/hooks-configuration: {"version": 1, "hooks": {event: [command hook]}}
COPILOT_SCHEMA = {
    "type": "object",
    "required": ["version", "hooks"],
    "additionalProperties": False,
    "properties": {
        "version": {"const": 1},
        "hooks": {
            "type": "object",
            "propertyNames": {"enum": sorted(COPILOT_EVENTS)},
            "additionalProperties": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["type"],
                    "anyOf": [{"required": ["bash"]}, {"required": ["powershell"]}],
                    "additionalProperties": False,
                    "properties": {
                        "type": {"const": "command"},
                        "bash": {"type": "string"},
                        "powershell": {"type": "string"},
                        "cwd": {"type": "string"},
                        "env": {"type": "object", "additionalProperties": {"type": "string"}},
                        "timeoutSec": {"type": "number", "exclusiveMinimum": 0},
                    },
                },
            },
        },
    },
}


def test_other_assistants_hook_files_follow_their_documented_schemas(tmp_path: Path, template: Path) -> None:
    import jsonschema

    project = new_project(tmp_path / "svc", template)
    for rel, schema in (
        (".cursor/hooks.json", CURSOR_SCHEMA),
        (".gemini/settings.json", GEMINI_SCHEMA),
        (".github/hooks/redis-rules.json", COPILOT_SCHEMA),
    ):
        data = json.loads((project / rel).read_text(encoding="utf-8"))
        jsonschema.validate(data, schema)
        commands = [
            hook.get("command") or hook.get("bash")
            for groups in data["hooks"].values()
            for group in groups
            for hook in group.get("hooks", [group])
        ]
        assert commands and all("hook" in c and "--agent" in c for c in commands), rel
    gemini = json.loads((project / ".gemini/settings.json").read_text(encoding="utf-8"))["hooks"]
    assert gemini["BeforeTool"][0]["matcher"] == "run_shell_command"
    assert gemini["AfterTool"][0]["matcher"] == "write_file|replace"
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["agents"] == [
        "claude",
        "agents_md",
        "cursor",
        "copilot",
        "gemini",
    ]


def test_the_teams_own_skill_at_our_path_is_never_replaced(tmp_path: Path, template: Path, run_cli: RunCli) -> None:
    repo = tmp_path / "shop"
    team_skill = "---\nname: redis\ndescription: Our own Redis notes.\n---\nUse the ops runbook.\n"
    (repo / ".claude/skills/redis").mkdir(parents=True)
    (repo / ".claude/skills/redis/SKILL.md").write_text(team_skill, encoding="utf-8")
    (repo / "README.md").write_text("# shop\n", encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "the team's repo")
    code, out, err = run_cli("new", "--into", str(repo), "--template", str(template), "--defaults")
    assert code == 0, err
    assert "skip  .claude/skills/redis/SKILL.md" in out
    commit(repo, "adopt")
    code, report = check(run_cli, repo)
    assert ".claude/skills/redis/SKILL.md" not in {p["path"] for p in report["problems"]}, report  # type: ignore[union-attr]
    code, out, err = run_cli("update", str(repo), "--set", "default_ttl=900")
    assert code == 0, out + err
    assert (repo / ".claude/skills/redis/SKILL.md").read_text(encoding="utf-8") == team_skill


def test_a_relative_template_path_recorded_by_stock_copier(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`copier copy ./redis-rules svc` records `_src_path: redis-rules` (as typed, read back from the current
    folder): `check` and `update` run inside the project (pre-commit, CI) still find the template; where it is
    absent (a CI runner), the installed redis-rules stands in when it is the recorded release, and otherwise the
    error names `_src_path`, not a --template nobody passed (fresh-user trial 4)."""
    import copier

    import redis_rules.commands.check as check_cmd

    work = tmp_path / "work"
    make_template_repo(work / "redis-rules", "v1.0.0")
    monkeypatch.chdir(work)
    copier.run_copy("redis-rules", "svc", data={"modules": ["cache"]}, defaults=True, quiet=True, unsafe=False)
    project = work / "svc"
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["_src_path"] == "redis-rules"
    git(project, "init", "-q", "-b", "main")
    commit(project, "rendered by copier")

    monkeypatch.chdir(project)
    code, out, err = run_cli("check")
    assert (code, err) == (0, ""), err
    code, out, err = run_cli("update", "--set", "default_ttl=1800")
    assert code == 0, err
    assert "default_ttl: 3600 -> 1800" in out
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["_src_path"] == "redis-rules"
    commit(project, "ttl")
    monkeypatch.chdir(project / "my_service")  # a subfolder: named, not "render it first"
    code, _, err = run_cli("check")
    assert code == 2 and f"the project is {project}: run there or pass it as DEST" in err

    monkeypatch.chdir(project)
    (work / "redis-rules").rename(work / "elsewhere")  # a CI runner: no template where the path points
    code, _, err = run_cli("check")
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("redis-rules: error: _src_path in .copier-answers.yml: redis-rules is not a template folder")
    assert "--template" not in err

    # the installed redis-rules is that release (a checkout holding the tag): it is the reference
    monkeypatch.setattr(check_cmd, "installed_tag", lambda: "v1.0.0")
    monkeypatch.setattr(check_cmd, "bundled_template_root", lambda: work / "elsewhere")
    code, out, err = run_cli("check")
    assert (code, err) == (0, ""), err
    assert "is current (template v1.0.0)" in out
    (project / "CLAUDE.md").write_text((project / "CLAUDE.md").read_text().replace("RR001", "RR999"))
    code, out, err = run_cli("check")
    assert code == 1 and "CLAUDE.md" in out

    # a recorded URL with a token: used as recorded, never printed (it was refused as a --template)
    answers_file = project / ".copier-answers.yml"
    answers_file.write_text(
        answers_file.read_text().replace(
            "_src_path: redis-rules", "_src_path: https://u:s3cretTok@example.invalid/t.git"
        )
    )
    code, out, err = run_cli("check")
    assert code == 2 and err.startswith("redis-rules: error: _src_path in .copier-answers.yml: cannot fetch https://u:")
    assert "s3cretTok" not in out + err and "--template" not in err


def test_an_empty_source_or_a_missing_tag_is_exit_2_naming_it(tmp_path: Path, template: Path, run_cli: RunCli) -> None:
    # fresh-user trial 5: an empty _src_path said "current"; a git+file:// source at a missing tag was exit 3
    project = new_project(tmp_path / "p", template)
    answers_file = project / ".copier-answers.yml"
    recorded = answers_file.read_text()
    answers_file.write_text(recorded.replace(f"_src_path: {template}", "_src_path: ''"))
    code, _, err = run_cli("check", str(project))
    assert code == 2 and "_src_path in .copier-answers.yml: none recorded" in err
    for src in (str(template), f"git+file://{template}"):
        answers_file.write_text(
            recorded.replace(f"_src_path: {template}", f"_src_path: {src}").replace(
                "_commit: v1.0.0", "_commit: v0.0.9"
            )
        )
        code, _, err = run_cli("check", str(project))
        assert code == 2 and err.count("\n") == 1, err
        assert "v0.0.9" in err and "Traceback" not in err and "internal error" not in err and "Stderr" not in err
