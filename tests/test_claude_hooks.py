"""The generated Claude Code hooks: run the scripts with the JSON Claude Code sends on stdin.

PostToolUse (Edit|MultiEdit|Write) lints the edited Python file: exit 2 + findings on stderr, else exit 0.
PreToolUse (Bash) blocks `redis-cli ... KEYS`, FLUSHALL and FLUSHDB with exit 2 and a reason.
Neither blocks on its own problem (malformed event, redis-rules missing): a notice and exit 0.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from redis_rules.claude_settings import merge_hooks
from redis_rules.errors import UserError
from tests.conftest import render

VENV_BIN = str(Path(sys.executable).parent)
BAD = 'import redis\n\nr = redis.Redis.from_url("redis://localhost:6379/0")\nnames = r.keys("*")\n'
CLEAN = "import json\n\n\ndef load(text: str) -> object:\n    return json.loads(text)\n"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory.mktemp("hooks") / "svc")


def run_hook(
    project: Path, script: str, payload: object, *, python: str = sys.executable, path: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_RULES_HOOKS", "VIRTUAL_ENV")}
    env["PATH"] = path if path is not None else VENV_BIN + os.pathsep + env.get("PATH", "")
    env["CLAUDE_PROJECT_DIR"] = str(project)
    stdin = payload if isinstance(payload, str) else json.dumps(payload)
    return subprocess.run(
        [python, str(project / ".claude/hooks" / script)],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=project,
        env=env,
        timeout=120,
    )


def write_event(project: Path, rel: str, content: str, tool: str = "Write") -> dict[str, object]:
    path = project / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    tool_input: dict[str, object] = {"file_path": str(path)}
    if tool == "Write":
        tool_input["content"] = content
    else:
        tool_input.update(old_string="x", new_string="y")
    return {
        "session_id": "abc123",
        "transcript_path": "/tmp/transcript.jsonl",
        "cwd": str(project),
        "hook_event_name": "PostToolUse",
        "tool_name": tool,
        "tool_input": tool_input,
        "tool_response": {"filePath": str(path), "success": True},
    }


def bash_event(command: str) -> dict[str, object]:
    return {
        "session_id": "abc123",
        "cwd": "/tmp",
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": command, "description": "run it"},
    }


# ---------------------------------------------------------------- settings.json
def test_settings_json_registers_both_hooks(project: Path) -> None:
    settings = json.loads((project / ".claude/settings.json").read_text(encoding="utf-8"))
    post = settings["hooks"]["PostToolUse"]
    pre = settings["hooks"]["PreToolUse"]
    assert [g["matcher"] for g in post] == ["Edit|MultiEdit|Write"]
    assert [g["matcher"] for g in pre] == ["Bash"]
    for group, script in ((post[0], "redis_lint.py"), (pre[0], "redis_bash_guard.py")):
        (hook,) = group["hooks"]
        assert hook["type"] == "command"
        assert (
            hook["command"].startswith("python3 ") and "$CLAUDE_PROJECT_DIR/.claude/hooks/" + script in hook["command"]
        )
        assert (project / ".claude/hooks" / script).is_file()


def test_no_hooks_when_turned_off(tmp_path: Path) -> None:
    out = render(tmp_path / "p", claude_hooks="false")
    assert not (out / ".claude/settings.json").exists()
    assert not (out / ".claude/hooks").exists()
    assert (out / ".claude/rules/redis.md").is_file()


# ---------------------------------------------------------------- PostToolUse: lint the edited file
def test_write_of_a_keys_call_is_reported_to_the_assistant(project: Path) -> None:
    proc = run_hook(project, "redis_lint.py", write_event(project, "my_service/scan.py", BAD))
    assert proc.returncode == 2, proc.stderr
    assert "RR007" in proc.stderr and "my_service/scan.py" in proc.stderr
    assert proc.stdout == ""


def test_edit_is_linted_too(project: Path) -> None:
    proc = run_hook(project, "redis_lint.py", write_event(project, "my_service/scan_edit.py", BAD, tool="Edit"))
    assert proc.returncode == 2 and "RR007" in proc.stderr


def test_relative_file_path_is_resolved_against_the_project(project: Path) -> None:
    event = write_event(project, "my_service/scan_rel.py", BAD)
    event["tool_input"] = {"file_path": "my_service/scan_rel.py", "content": BAD}
    proc = run_hook(project, "redis_lint.py", event)
    assert proc.returncode == 2 and "RR007" in proc.stderr


def test_clean_file_passes_silently(project: Path) -> None:
    proc = run_hook(project, "redis_lint.py", write_event(project, "my_service/clean.py", CLEAN))
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def test_generated_module_passes(project: Path) -> None:
    client = project / "my_service/db/redis/client.py"
    event = write_event(project, "my_service/db/redis/client.py", client.read_text(encoding="utf-8"), tool="Edit")
    proc = run_hook(project, "redis_lint.py", event)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("rel", ["README.md", "notes/keys.txt", "my_service/config.json"])
def test_non_python_files_are_ignored(project: Path, rel: str) -> None:
    proc = run_hook(project, "redis_lint.py", write_event(project, rel, 'r.keys("*")\n'))
    assert (proc.returncode, proc.stderr) == (0, "")


def test_missing_file_is_ignored(project: Path) -> None:
    event = {"tool_name": "Write", "tool_input": {"file_path": str(project / "gone.py")}}
    assert run_hook(project, "redis_lint.py", event).returncode == 0


@pytest.mark.parametrize("payload", ["not json", "", "[1, 2]", '{"tool_input": "x"}'])
def test_malformed_event_never_blocks(project: Path, payload: str) -> None:
    for script in ("redis_lint.py", "redis_bash_guard.py"):
        proc = run_hook(project, script, payload)
        assert proc.returncode == 0, (script, proc.stderr)
        assert len(proc.stderr.strip().splitlines()) <= 1


def test_malformed_event_says_so(project: Path) -> None:
    proc = run_hook(project, "redis_lint.py", "{not json")
    assert proc.returncode == 0
    assert proc.stderr.startswith("redis-rules hook: could not read the hook event")


def test_without_redis_rules_installed_a_notice_and_exit_0(project: Path, tmp_path: Path) -> None:
    python = shutil.which("python3", path="/usr/bin:/bin")
    if python is None:
        pytest.skip("no system python3")
    probe = subprocess.run([python, "-c", "import redis_rules"], cwd=tmp_path, capture_output=True)
    if probe.returncode == 0:
        pytest.skip("the system python3 has redis-rules installed")
    event = write_event(project, "my_service/scan_noinstall.py", BAD)
    proc = run_hook(project, "redis_lint.py", event, python=python, path="/usr/bin:/bin")
    assert proc.returncode == 0
    assert proc.stderr.strip().count("\n") == 0
    assert "redis-rules is not installed" in proc.stderr


def test_hooks_can_be_switched_off(project: Path) -> None:
    event = write_event(project, "my_service/scan_off.py", BAD)
    env_path = VENV_BIN + os.pathsep + os.environ.get("PATH", "")
    proc = subprocess.run(
        [sys.executable, str(project / ".claude/hooks/redis_lint.py")],
        input=json.dumps(event),
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": env_path, "CLAUDE_PROJECT_DIR": str(project), "REDIS_RULES_HOOKS": "off"},
    )
    assert (proc.returncode, proc.stderr) == (0, "")


# ---------------------------------------------------------------- PreToolUse: guard Bash
@pytest.mark.parametrize(
    "command",
    [
        "redis-cli -h x KEYS '*'",
        "redis-cli FLUSHALL",
        "redis-cli -n 3 flushdb",
        "redis-cli -h cache.internal -p 6380 --tls -a s3cret keys 'user:*'",
        "valkey-cli -u redis://db:6379 KEYS '*'",
        "/usr/local/bin/redis-cli FLUSHDB ASYNC",
        "cd /srv && redis-cli keys '*' | wc -l",
        "docker exec -it cache redis-cli FLUSHALL",
        "sh -c \"redis-cli -h db KEYS 'session:*'\"",
        "echo 'KEYS *' | redis-cli -h db",
        "printf 'FLUSHALL\\n' | valkey-cli",
    ],
)
def test_dangerous_redis_cli_commands_are_blocked(project: Path, command: str) -> None:
    proc = run_hook(project, "redis_bash_guard.py", bash_event(command))
    assert proc.returncode == 2, command
    assert proc.stderr.startswith("Blocked by redis-rules: RR0")
    assert "SCAN" in proc.stderr or "FLUSH" in proc.stderr


def test_keys_reason_points_to_scan(project: Path) -> None:
    proc = run_hook(project, "redis_bash_guard.py", bash_event("redis-cli -h x KEYS '*'"))
    assert "RR007" in proc.stderr and "--scan" in proc.stderr


@pytest.mark.parametrize(
    "command",
    [
        "redis-cli GET k",
        "ls",
        "redis-cli --scan --pattern 'user:*'",
        "redis-cli -h db --pattern keys --scan",
        "redis-cli GET keys",
        "redis-cli HGETALL flushall:report",
        "grep -rn KEYS src/",
        "echo FLUSHALL is dangerous",
        "git commit -m 'stop using KEYS'",
        "pytest tests/redis -k keys",
        "redis-cli --bigkeys",
    ],
)
def test_other_commands_pass(project: Path, command: str) -> None:
    proc = run_hook(project, "redis_bash_guard.py", bash_event(command))
    assert (proc.returncode, proc.stderr) == (0, ""), command


def test_non_bash_events_pass(project: Path) -> None:
    event = {"tool_name": "Read", "tool_input": {"file_path": "/etc/hosts"}}
    assert run_hook(project, "redis_bash_guard.py", event).returncode == 0


# ---------------------------------------------------------------- the scripts themselves
def test_hook_scripts_pass_ruff_and_mypy_strict(project: Path) -> None:
    hooks = [str(project / ".claude/hooks" / s) for s in ("redis_lint.py", "redis_bash_guard.py")]
    ruff = subprocess.run([sys.executable, "-m", "ruff", "check", *hooks], cwd=project, capture_output=True, text=True)
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *hooks],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr


def test_hook_scripts_use_the_standard_library_only(project: Path) -> None:
    import ast

    for script in ("redis_lint.py", "redis_bash_guard.py"):
        tree = ast.parse((project / ".claude/hooks" / script).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] in sys.stdlib_module_names, (script, name)


# ---------------------------------------------------------------- settings merge (unit)
OURS = json.dumps(
    {
        "hooks": {
            "PreToolUse": [
                {
                    "matcher": "Bash",
                    "hooks": [{"type": "command", "command": "python3 x/redis_bash_guard.py"}],
                }
            ],
            "PostToolUse": [
                {
                    "matcher": "Edit|MultiEdit|Write",
                    "hooks": [{"type": "command", "command": "python3 x/redis_lint.py"}],
                }
            ],
        }
    }
)


def test_merge_keeps_existing_hooks_and_adds_ours_once() -> None:
    existing = {
        "permissions": {"allow": ["Bash(npm test)"], "deny": ["Read(.env)"]},
        "hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "audit-log"}]}]},
        "model": "opus",
    }
    text = json.dumps(existing, indent=4)
    merged = merge_hooks(text, OURS)
    assert merged is not None
    data = json.loads(merged)
    assert data["permissions"] == existing["permissions"] and data["model"] == "opus"
    assert [h["command"] for h in data["hooks"]["PreToolUse"][0]["hooks"]] == [
        "audit-log",
        "python3 x/redis_bash_guard.py",
    ]
    assert data["hooks"]["PostToolUse"][0]["matcher"] == "Edit|MultiEdit|Write"
    assert merged.startswith('{\n    "permissions"')  # the file's own indent
    assert merge_hooks(merged, OURS) is None  # second run: nothing to change


def test_merge_updates_our_command_in_place_and_drops_duplicates() -> None:
    old = {
        "hooks": {
            "PostToolUse": [
                {
                    "matcher": "Write",
                    "hooks": [{"type": "command", "command": "python3 old/redis_lint.py --v1"}],
                },
                {"matcher": "Edit", "hooks": [{"type": "command", "command": "python3 old/redis_lint.py"}]},
            ]
        }
    }
    data = json.loads(merge_hooks(json.dumps(old), OURS) or "{}")
    commands = [h["command"] for g in data["hooks"]["PostToolUse"] for h in g["hooks"]]
    assert commands == ["python3 x/redis_lint.py"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{ not json", "not valid JSON"),
        ("[]", "must be a JSON object"),
        ('{"hooks": []}', "'hooks' must be a JSON object"),
        ('{"hooks": {"PreToolUse": {}}}', "'hooks.PreToolUse' must be a list"),
    ],
)
def test_merge_refuses_what_it_cannot_read(text: str, message: str) -> None:
    with pytest.raises(UserError, match=message) as info:
        merge_hooks(text, OURS, ".claude/settings.json")
    assert str(info.value).startswith(".claude/settings.json: ")
    assert "nothing was written" in str(info.value)


def test_empty_settings_file_gets_our_hooks() -> None:
    data = json.loads(merge_hooks("", OURS) or "{}")
    assert set(data["hooks"]) == {"PreToolUse", "PostToolUse"}
