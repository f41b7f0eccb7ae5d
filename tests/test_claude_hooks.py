"""The generated Claude Code hooks, driven with recorded hook inputs (tests/hook_events/*.json).

`.claude/settings.json` registers four hooks, each `python3 .claude/hooks/redis_rules_hook.py NAME`: the
launcher runs the installed `redis-rules hook NAME`. PostToolUse lints the edited file (exit 2 + findings),
the Stop gate blocks the turn end once while rule errors remain in changed files (honouring
`stop_hook_active`), SessionStart adds the policy summary, PreToolUse guards Bash (tests/test_shell_guard.py).
No hook blocks because of its own problem (issue 14: malformed, huge, deep or non-UTF-8 events, missing
fields, a FIFO path, redis-rules missing).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from redis_rules.claude_settings import DELETE, is_ours, merge_hooks, our_entries, remove_hooks
from redis_rules.errors import UserError
from redis_rules.template_status import template_status
from tests.conftest import git, render

VENV_BIN = str(Path(sys.executable).parent)
EVENTS = Path(__file__).parent / "hook_events"
BAD = 'import redis\n\nr = redis.Redis.from_url("redis://localhost:6379/0")\nnames = r.keys("*")\n'
CLEAN = "import json\n\n\ndef load(text: str) -> object:\n    return json.loads(text)\n"
LAUNCHER = ".claude/hooks/redis_rules_hook.py"
# Claude Code's hook events (https://code.claude.com/docs/en/hooks), the ones a settings file may name
CLAUDE_EVENTS = {
    "PreToolUse", "PostToolUse", "PostToolUseFailure", "PermissionRequest", "UserPromptSubmit", "Notification",
    "Stop", "SubagentStart", "SubagentStop", "PreCompact", "PostCompact", "SessionStart", "SessionEnd", "Setup",
}  # fmt: skip
# the documented shape of `hooks` in settings.json: event -> [{matcher?, hooks: [{type, command, timeout?}]}]
CLAUDE_HOOKS_SCHEMA = {
    "type": "object",
    "required": ["hooks"],
    "properties": {
        "hooks": {
            "type": "object",
            "propertyNames": {"enum": sorted(CLAUDE_EVENTS)},
            "additionalProperties": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["hooks"],
                    "additionalProperties": False,
                    "properties": {
                        "matcher": {"type": "string"},
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
                                    "timeout": {"type": "number", "exclusiveMinimum": 0},
                                },
                            },
                        },
                    },
                },
            },
        }
    },
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = render(tmp_path_factory.mktemp("hooks") / "svc")
    git(out, "init", "-q", "-b", "main")
    git(out, "add", "-A")
    git(out, "commit", "-qm", "rendered")
    return out


def recorded(name: str, **fields: object) -> dict[str, object]:
    """A recorded hook input with some fields replaced (`tool_input__file_path` sets a nested field)."""
    event = json.loads((EVENTS / name).read_text(encoding="utf-8"))
    for dotted, value in fields.items():
        target = event
        *parents, last = dotted.split("__")
        for part in parents:
            target = target[part]
        target[last] = value
    return event


def run_hook(
    project: Path,
    name: str,
    payload: object,
    *,
    python: str = sys.executable,
    path: str | None = None,
    extra_env: dict[str, str] | None = None,
    launcher_of: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the launcher as Claude Code does: `python3 "$CLAUDE_PROJECT_DIR/.claude/hooks/..." NAME`."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_RULES_HOOKS", "VIRTUAL_ENV")}
    env["PATH"] = path if path is not None else VENV_BIN + os.pathsep + env.get("PATH", "")
    env["CLAUDE_PROJECT_DIR"] = str(project)
    env.update(extra_env or {})
    stdin = payload if isinstance(payload, str) else json.dumps(payload)
    return subprocess.run(
        [python, str((launcher_of or project) / LAUNCHER), name],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=project,
        env=env,
        timeout=120,
    )


def write(project: Path, rel: str, content: str) -> Path:
    path = project / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return path


# ---------------------------------------------------------------- settings.json
def test_settings_json_follows_the_documented_schema(project: Path) -> None:
    import jsonschema

    settings = json.loads((project / ".claude/settings.json").read_text(encoding="utf-8"))
    jsonschema.validate(settings, CLAUDE_HOOKS_SCHEMA)
    registered = {
        (event, group.get("matcher"), hook["command"].split()[-1])
        for event, groups in settings["hooks"].items()
        for group in groups
        for hook in group["hooks"]
    }
    assert registered == {
        ("PreToolUse", "Bash", "shell-guard"),
        ("PostToolUse", "Edit|MultiEdit|Write", "lint-edit"),
        ("Stop", None, "stop-gate"),
        ("SessionStart", None, "session-start"),
    }
    for groups in settings["hooks"].values():
        for group in groups:
            for hook in group["hooks"]:
                assert hook["command"].startswith('python3 "$CLAUDE_PROJECT_DIR/.claude/hooks/redis_rules_hook.py" ')
                assert is_ours(hook)


def test_no_settings_when_hooks_are_off_but_the_launcher_stays(tmp_path: Path) -> None:
    out = render(tmp_path / "p", claude_hooks="false")
    assert not (out / ".claude/settings.json").exists()
    assert (out / LAUNCHER).is_file()  # the reviewer and /redis-audit use it in their own frontmatter
    assert (out / ".claude/rules/redis.md").is_file()


def test_launcher_passes_ruff_and_mypy_strict_and_uses_the_standard_library(project: Path) -> None:
    import ast

    launcher = str(project / LAUNCHER)
    ruff = subprocess.run([sys.executable, "-m", "ruff", "check", launcher], capture_output=True, text=True)
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", launcher], capture_output=True, text=True
    )
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr
    for node in ast.walk(ast.parse((project / LAUNCHER).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            assert all(n.split(".")[0] in sys.stdlib_module_names for n in names)


# ---------------------------------------------------------------- PostToolUse: lint the edited file
def test_write_of_a_keys_call_is_reported_to_the_assistant(project: Path) -> None:
    path = write(project, "my_service/scan.py", BAD)
    event = recorded("claude_posttooluse_write.json", tool_input__file_path=str(path), cwd=str(project))
    proc = run_hook(project, "lint-edit", event)
    assert proc.returncode == 2, proc.stderr
    assert "RR007" in proc.stderr and "my_service/scan.py" in proc.stderr and "redis-rules rules" in proc.stderr
    assert proc.stdout == ""


def test_a_suppression_naming_no_rule_is_reported_to_the_assistant(project: Path) -> None:
    """E903 is the author's: the assistant that wrote `ignore[RR07]` believes the finding hidden."""
    path = write(project, "my_service/typo.py", "x = 1  # redis-rules: ignore[RR07x]\n")
    proc = run_hook(project, "lint-edit", recorded("claude_posttooluse_write.json", tool_input__file_path=str(path)))
    assert proc.returncode == 2 and "E903" in proc.stderr and "'RR07x'" in proc.stderr, proc.stderr
    assert "redis-rules rules E903" not in proc.stderr and "ignore[E903]" not in proc.stderr  # no rule to explain
    path.unlink()  # the project is shared: the stop-gate tests see every changed file


def test_edit_with_a_relative_path_is_linted(project: Path) -> None:
    write(project, "my_service/scan_rel.py", BAD)
    event = recorded("claude_posttooluse_edit.json", tool_input__file_path="my_service/scan_rel.py")
    proc = run_hook(project, "lint-edit", event)
    assert proc.returncode == 2 and "RR007" in proc.stderr


@pytest.mark.parametrize("suffix", [".ts", ".tsx", ".mts", ".cts"])
def test_typescript_edits_are_linted_too(project: Path, suffix: str) -> None:
    code = 'import Redis from "ioredis";\nconst r = new Redis(process.env.REDIS_URL!);\n'
    code += 'export async function all() {\n  return r.keys("*");\n}\n'
    path = write(project, f"web/cache{suffix}", code)
    proc = run_hook(project, "lint-edit", recorded("claude_posttooluse_write.json", tool_input__file_path=str(path)))
    assert proc.returncode == 2 and "RR007" in proc.stderr and f"web/cache{suffix}" in proc.stderr, proc.stderr
    # the suppression it offers is TypeScript's: `#` is a syntax error there (fresh-user trial 12)
    assert "`// redis-rules: ignore[RR007]`" in proc.stderr and "# redis-rules" not in proc.stderr, proc.stderr
    path.unlink()


def test_clean_and_generated_files_pass_silently(project: Path) -> None:
    for rel, content in (
        ("my_service/clean.py", CLEAN),
        ("my_service/db/redis/client.py", (project / "my_service/db/redis/client.py").read_text(encoding="utf-8")),
    ):
        path = write(project, rel, content)
        proc = run_hook(project, "lint-edit", recorded("claude_posttooluse_edit.json", tool_input__file_path=str(path)))
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", ""), rel


@pytest.mark.parametrize("rel", ["README.md", "notes/keys.txt", "my_service/config.json", "web/app.d.ts"])
def test_files_lint_does_not_read_are_ignored(project: Path, rel: str) -> None:
    path = write(project, rel, 'r.keys("*")\n')
    proc = run_hook(project, "lint-edit", recorded("claude_posttooluse_write.json", tool_input__file_path=str(path)))
    assert (proc.returncode, proc.stderr) == (0, "")


def test_a_fifo_or_a_missing_path_is_never_opened(project: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    for target in (fifo, project / "gone.py", project / "my_service"):
        proc = run_hook(
            project, "lint-edit", recorded("claude_posttooluse_write.json", tool_input__file_path=str(target))
        )
        assert (proc.returncode, proc.stderr) == (0, ""), target


HOSTILE_EVENTS = [
    "not json",
    "",
    "[1, 2]",
    '{"tool_input": "x"}',
    '{"tool_input": {"file_path": 42, "command": ["redis-cli", "flushall"]}}',
    '{"tool_input": {"file_path": "a\\u0000b.py"}}',
    "[" * 100_000 + "]" * 100_000,
    '{"tool_input": {"content": "' + "x" * 3_000_000 + '"}}',
    '{"n": 1' + "0" * 5000 + "}",
]


@pytest.mark.parametrize("payload", HOSTILE_EVENTS, ids=range(len(HOSTILE_EVENTS)))
@pytest.mark.parametrize("name", ["lint-edit", "shell-guard", "stop-gate", "session-start"])
def test_hostile_events_never_block_or_crash(project: Path, name: str, payload: str) -> None:
    proc = run_hook(project, name, payload)
    assert proc.returncode == 0, (name, proc.stderr)
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) <= 1


def test_non_utf8_and_oversized_events_say_so_in_one_line(project: Path) -> None:
    launcher = [sys.executable, str(project / LAUNCHER), "lint-edit"]
    env = {**os.environ, "PATH": VENV_BIN + os.pathsep + os.environ["PATH"], "CLAUDE_PROJECT_DIR": str(project)}
    proc = subprocess.run(launcher, input=b'{"a": "\xff\xfe"}', capture_output=True, env=env, timeout=60)
    assert proc.returncode == 0 and b"not UTF-8" in proc.stderr
    big = b'{"x": "' + b"a" * (17 * 1024 * 1024) + b'"}'
    proc = subprocess.run(launcher, input=big, capture_output=True, env=env, timeout=60)
    assert proc.returncode == 0 and b"larger than 16 MiB" in proc.stderr


def test_without_redis_rules_installed_a_notice_and_exit_0(project: Path, tmp_path: Path) -> None:
    python = shutil.which("python3", path="/usr/bin:/bin")
    if python is None:
        pytest.skip("no system python3")
    if subprocess.run([python, "-c", "import redis_rules"], cwd=tmp_path, capture_output=True).returncode == 0:
        pytest.skip("the system python3 has redis-rules installed")
    path = write(project, "my_service/scan_noinstall.py", BAD)
    event = recorded("claude_posttooluse_write.json", tool_input__file_path=str(path))
    proc = run_hook(project, "lint-edit", event, python=python, path="/usr/bin:/bin")
    assert proc.returncode == 0
    assert proc.stderr.strip().count("\n") == 0 and "redis-rules is not installed" in proc.stderr


def test_an_older_redis_rules_without_the_hook_never_blocks(project: Path, tmp_path: Path) -> None:
    old = tmp_path / "bin" / "redis-rules"  # a redis-rules that predates `hook`: argparse's exit 2
    old.parent.mkdir()
    old.write_text(
        "#!/bin/sh\necho 'usage: redis-rules [-h] VERB' >&2\n"
        "echo \"redis-rules: error: argument VERB: invalid choice: 'hook'\" >&2\nexit 2\n"
    )
    old.chmod(0o755)
    event = recorded("claude_pretooluse_bash.json", tool_input__command="redis-cli flushall")
    proc = run_hook(project, "shell-guard", event, path=f"{old.parent}{os.pathsep}/usr/bin:/bin")
    assert proc.returncode == 0 and "could not run this hook" in proc.stderr and "invalid choice" in proc.stderr
    blocked = run_hook(project, "shell-guard", event)  # the real one still blocks
    assert blocked.returncode == 2 and blocked.stderr.startswith("Blocked by redis-rules")
    unknown = run_hook(project, "a-hook-from-a-newer-template", event)
    assert unknown.returncode == 0 and "invalid choice" in unknown.stderr


def test_hooks_can_be_switched_off(project: Path) -> None:
    path = write(project, "my_service/scan_off.py", BAD)
    event = recorded("claude_posttooluse_write.json", tool_input__file_path=str(path))
    proc = run_hook(project, "lint-edit", event, extra_env={"REDIS_RULES_HOOKS": "off"})
    assert (proc.returncode, proc.stderr) == (0, "")


def test_a_broken_policy_file_is_reported_not_blocking(tmp_path: Path) -> None:
    out = render(tmp_path / "broken")
    (out / ".redis-rules.yml").write_text("lint: [not, a, mapping\n", encoding="utf-8")
    path = write(out, "svc.py", BAD)
    proc = run_hook(out, "lint-edit", recorded("claude_posttooluse_write.json", tool_input__file_path=str(path)))
    assert (
        proc.returncode == 0
        and proc.stderr.count("\n") == 1
        and "lint could not check" in proc.stderr
        and "not valid YAML" in proc.stderr
    )


# ---------------------------------------------------------------- Stop: the gate blocks once, then lets go
def test_stop_gate_blocks_once_on_a_violation_and_lets_go_after_a_fix(project: Path) -> None:
    for leftover in ("scan.py", "scan_rel.py", "scan_off.py", "scan_noinstall.py"):
        (project / "my_service" / leftover).unlink(missing_ok=True)
    stop = recorded("claude_stop.json", cwd=str(project))
    assert run_hook(project, "stop-gate", stop).stdout == ""  # nothing changed yet: lets go silently

    write(project, "my_service/report.py", BAD)
    first = run_hook(project, "stop-gate", stop)
    assert first.returncode == 0, first.stderr
    answer = json.loads(first.stdout)
    assert answer["decision"] == "block" and "RR007" in answer["reason"] and "my_service/report.py" in answer["reason"]

    again = run_hook(project, "stop-gate", {**stop, "stop_hook_active": True})  # the assistant tried again
    assert again.returncode == 0 and "decision" not in json.loads(again.stdout)  # no loop: lets go
    assert "2 Redis rule errors left" in json.loads(again.stdout)["systemMessage"]

    write(project, "my_service/report.py", CLEAN)
    fixed = run_hook(project, "stop-gate", stop)
    assert (fixed.returncode, fixed.stdout) == (0, "")


def test_stop_gate_outside_git_lets_go(tmp_path: Path) -> None:
    out = render(tmp_path / "nogit")
    write(out, "svc.py", BAD)
    proc = run_hook(out, "stop-gate", recorded("claude_stop.json", cwd=str(out)))
    assert (proc.returncode, proc.stdout) == (0, "")


# ---------------------------------------------------------------- SessionStart
def test_session_start_adds_a_five_line_policy_summary(project: Path) -> None:
    proc = run_hook(project, "session-start", recorded("claude_sessionstart.json", cwd=str(project)))
    assert proc.returncode == 0, proc.stderr
    output = json.loads(proc.stdout)["hookSpecificOutput"]
    assert output["hookEventName"] == "SessionStart"
    lines = output["additionalContext"].splitlines()
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    behind = template_status(answers).behind  # a commit to this checkout since the render makes it behind
    assert len(lines) == 5 + behind
    assert "{app}:{env}:{domain}:{entity}:{id}" in lines[1] and "session 604800s" in lines[2]
    assert "$REDIS_URL" in lines[0] and "redis-rules lint" in lines[4]


def test_session_start_warns_when_the_project_is_behind(tmp_path: Path) -> None:
    out = render(tmp_path / "old")
    answers = out / ".copier-answers.yml"
    text = answers.read_text(encoding="utf-8")
    commit = next(line for line in text.splitlines() if line.startswith("_commit:"))
    answers.write_text(text.replace(commit, "_commit: v0.0.1"), encoding="utf-8")
    proc = run_hook(out, "session-start", recorded("claude_sessionstart.json", cwd=str(out)))
    lines = json.loads(proc.stdout)["hookSpecificOutput"]["additionalContext"].splitlines()
    assert len(lines) == 6 and lines[-1].startswith("Warning: the project was rendered from template v0.0.1")
    assert "redis-rules update --upgrade" in lines[-1] and "v0.0.1" in proc.stderr


def test_session_start_outside_a_project_adds_nothing(project: Path, tmp_path: Path) -> None:
    event = recorded("claude_sessionstart.json", cwd=str(tmp_path))
    proc = run_hook(tmp_path, "session-start", event, launcher_of=project)
    assert (proc.returncode, proc.stdout) == (0, "")


# ---------------------------------------------------------------- the settings merge (unit)
V1_LINT = 'python3 "$CLAUDE_PROJECT_DIR/.claude/hooks/redis_lint.py"'
V1_GUARD = 'python3 "$CLAUDE_PROJECT_DIR/.claude/hooks/redis_bash_guard.py"'
OURS = json.dumps(
    {
        "hooks": {
            "PreToolUse": [
                {"matcher": "Bash", "hooks": [{"type": "command", "command": "redis-rules hook shell-guard"}]}
            ],
            "PostToolUse": [
                {
                    "matcher": "Edit|MultiEdit|Write",
                    "hooks": [{"type": "command", "command": "redis-rules hook lint-edit"}],
                }
            ],
        }
    }
)
TEAM = {
    "permissions": {"allow": ["Bash(npm test)"], "deny": ["Read(.env)"]},
    "hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "audit-log"}]}]},
    "model": "opus",
}


def test_merge_keeps_the_team_and_adds_ours_in_groups_of_their_own() -> None:
    text = json.dumps(TEAM, indent=4)
    merged = merge_hooks(text, OURS)
    assert merged is not None and merged.startswith('{\n    "permissions"')  # the file's own indent
    data = json.loads(merged)
    assert data["permissions"] == TEAM["permissions"] and data["model"] == "opus"
    pre = data["hooks"]["PreToolUse"]
    assert pre[0] == TEAM["hooks"]["PreToolUse"][0]  # the team's group, untouched
    assert pre[1] == {"matcher": "Bash", "hooks": [{"type": "command", "command": "redis-rules hook shell-guard"}]}
    assert merge_hooks(merged, OURS) is None  # second run: nothing to change


def test_a_team_hook_that_mentions_our_script_is_the_teams() -> None:
    team = {
        "hooks": {
            "PostToolUse": [
                {
                    "matcher": "Write",  # narrower than ours
                    "hooks": [
                        {"type": "command", "command": "python3 tools/wrap.py --then redis_lint.py"},
                        {"type": "command", "command": "echo redis-rules hook lint-edit >> log.txt"},
                    ],
                }
            ]
        }
    }
    data = json.loads(merge_hooks(json.dumps(team), OURS) or "{}")
    post = data["hooks"]["PostToolUse"]
    assert post[0] == team["hooks"]["PostToolUse"][0]  # kept byte for byte, not taken for ours
    assert post[1]["matcher"] == "Edit|MultiEdit|Write"  # ours did not inherit their matcher
    assert [h["command"] for h in post[1]["hooks"]] == ["redis-rules hook lint-edit"]


def test_merge_replaces_ours_in_place_and_gives_back_a_team_group() -> None:
    old = {
        "hooks": {
            "PostToolUse": [
                {"matcher": "Write", "hooks": [{"type": "command", "command": "npx prettier --write ."}]},
                {
                    "matcher": "Edit|MultiEdit|Write",  # v0.1.0 scripts: ours, recognised and replaced
                    "hooks": [
                        {"type": "command", "command": 'python3 "$CLAUDE_PROJECT_DIR/.claude/hooks/redis_lint.py"'}
                    ],
                },
            ],
            "PreToolUse": [
                {
                    "matcher": "Bash",  # an older version put ours into the team's group
                    "hooks": [
                        {"type": "command", "command": "audit-log"},
                        {
                            "type": "command",
                            "command": 'python3 "$CLAUDE_PROJECT_DIR/.claude/hooks/redis_bash_guard.py"',
                        },
                    ],
                }
            ],
        }
    }
    data = json.loads(merge_hooks(json.dumps(old), OURS) or "{}")
    assert data["hooks"]["PostToolUse"][0]["hooks"][0]["command"] == "npx prettier --write ."
    assert data["hooks"]["PostToolUse"][1]["hooks"] == [{"type": "command", "command": "redis-rules hook lint-edit"}]
    assert data["hooks"]["PreToolUse"][0] == {"matcher": "Bash", "hooks": [{"type": "command", "command": "audit-log"}]}
    assert len(our_entries(json.dumps(data), "s")) == 2


def test_remove_takes_out_only_our_entries() -> None:
    merged = merge_hooks(json.dumps(TEAM, indent=2), OURS)
    assert merged is not None
    removed = remove_hooks(merged)
    assert removed is not None and json.loads(removed) == TEAM
    assert remove_hooks(json.dumps(TEAM)) is None  # nothing of ours: unchanged
    only_ours = merge_hooks("", OURS)
    assert only_ours is not None and remove_hooks(only_ours) == DELETE


def test_flat_cursor_files_merge_too() -> None:
    ours = json.dumps({"version": 1, "hooks": {"stop": [{"command": "redis-rules hook stop-gate --agent cursor"}]}})
    team = {"version": 1, "hooks": {"stop": [{"command": "./hooks/audit.sh"}]}}
    merged = merge_hooks(json.dumps(team), ours, ".cursor/hooks.json", "flat")
    data = json.loads(merged or "{}")
    assert data["hooks"]["stop"] == [
        {"command": "./hooks/audit.sh"},
        {"command": "redis-rules hook stop-gate --agent cursor"},
    ]
    assert json.loads(remove_hooks(merged or "", ".cursor/hooks.json", "flat") or "{}") == team


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{ not json", "not valid JSON"),
        ("[]", "must be a JSON object"),
        ('{"hooks": []}', "'hooks' must be a JSON object"),
        ('{"hooks": {"PreToolUse": {}}}', "'hooks.PreToolUse' must be a list"),
        ("[" * 100_000, "not valid JSON"),
    ],
)
def test_merge_refuses_what_it_cannot_read(text: str, message: str) -> None:
    with pytest.raises(UserError, match=message) as info:
        merge_hooks(text, OURS, ".claude/settings.json")
    assert str(info.value).startswith(".claude/settings.json: ") and "nothing was written" in str(info.value)
