"""Cursor, Gemini CLI and GitHub Copilot hooks, driven with their recorded hook inputs.

Each assistant reads a different answer (see redis_rules.hooks.events): Cursor `permission`/
`followup_message`, Gemini `decision`/`reason` and `hookSpecificOutput.additionalContext`, Copilot
`permissionDecision`. The same decisions as Claude Code's: the shell guard, lint on edit, and a stop gate
that asks once (Cursor `loop_count`, Gemini `stop_hook_active`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import render
from tests.test_claude_hooks import BAD, CLEAN, git, recorded

REDIS_RULES = shutil.which("redis-rules")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = render(tmp_path_factory.mktemp("agents") / "svc", agents="[claude,cursor,copilot,gemini]")
    git(out, "init", "-q", "-b", "main")
    git(out, "add", "-A")
    git(out, "commit", "-qm", "rendered")
    return out


def hook(project: Path, name: str, agent: str, event: dict[str, object]) -> subprocess.CompletedProcess[str]:
    assert REDIS_RULES is not None
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_RULES_HOOKS", "CLAUDE_PROJECT_DIR")}
    env["GEMINI_PROJECT_DIR"] = str(project)
    return subprocess.run(
        [REDIS_RULES, "hook", name, "--agent", agent],
        input=json.dumps(event),
        capture_output=True,
        text=True,
        cwd=project,
        env=env,
        timeout=120,
    )


def answer(proc: subprocess.CompletedProcess[str]) -> dict[str, object]:
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) <= 1, proc.stdout  # Gemini: stdout holds the JSON answer and nothing else
    return json.loads(lines[0]) if lines else {}


# ---------------------------------------------------------------- Cursor
def test_cursor_shell_guard(project: Path) -> None:
    root = [str(project)]
    deny = answer(
        hook(
            project,
            "shell-guard",
            "cursor",
            recorded("cursor_before_shell.json", command="redis-cli <<< FLUSHALL", workspace_roots=root),
        )
    )
    assert deny["permission"] == "deny" and "RR011" in str(deny["agent_message"]) and deny["user_message"]
    allow = answer(hook(project, "shell-guard", "cursor", recorded("cursor_before_shell.json", workspace_roots=root)))
    assert allow == {"permission": "allow"}


def test_cursor_edit_and_stop_gate(project: Path) -> None:
    path = project / "my_service/cursor_scan.py"
    path.write_text(BAD, encoding="utf-8")
    root = [str(project)]
    edit = hook(
        project,
        "lint-edit",
        "cursor",
        recorded("cursor_after_file_edit.json", file_path=str(path), workspace_roots=root),
    )
    assert answer(edit) == {} and "RR007" in edit.stderr  # afterFileEdit reads no answer: the hook log shows it
    first = answer(hook(project, "stop-gate", "cursor", recorded("cursor_stop.json", workspace_roots=root)))
    assert "RR007" in str(first["followup_message"])
    again = answer(
        hook(project, "stop-gate", "cursor", recorded("cursor_stop.json", workspace_roots=root, loop_count=1))
    )
    assert again == {}  # asked once already: lets go
    path.write_text(CLEAN, encoding="utf-8")
    assert answer(hook(project, "stop-gate", "cursor", recorded("cursor_stop.json", workspace_roots=root))) == {}
    path.unlink()


# ---------------------------------------------------------------- Gemini CLI
def test_gemini_before_tool_guard(project: Path) -> None:
    event = recorded(
        "gemini_before_tool_shell.json", cwd=str(project), tool_input__command="bash -c 'redis-cli keys \"*\"'"
    )
    deny = answer(hook(project, "shell-guard", "gemini", event))
    assert deny["decision"] == "deny" and "RR007" in str(deny["reason"])
    allow = answer(hook(project, "shell-guard", "gemini", recorded("gemini_before_tool_shell.json", cwd=str(project))))
    assert allow == {"decision": "allow"}


def test_gemini_after_tool_adds_the_findings_to_the_tool_result(project: Path) -> None:
    path = project / "my_service/gemini_scan.py"
    path.write_text(BAD, encoding="utf-8")
    event = recorded("gemini_after_tool_write.json", cwd=str(project), tool_input__file_path=str(path))
    out = answer(hook(project, "lint-edit", "gemini", event))
    specific = out["hookSpecificOutput"]
    assert isinstance(specific, dict) and specific["hookEventName"] == "AfterTool"
    assert "RR007" in specific["additionalContext"]
    first = answer(hook(project, "stop-gate", "gemini", recorded("gemini_after_agent.json", cwd=str(project))))
    assert first["decision"] == "deny" and "RR007" in str(first["reason"])
    again = answer(
        hook(
            project, "stop-gate", "gemini", recorded("gemini_after_agent.json", cwd=str(project), stop_hook_active=True)
        )
    )
    assert "decision" not in again
    path.unlink()
    assert answer(hook(project, "stop-gate", "gemini", recorded("gemini_after_agent.json", cwd=str(project)))) == {}


def test_gemini_session_start(project: Path) -> None:
    out = answer(hook(project, "session-start", "gemini", recorded("gemini_session_start.json", cwd=str(project))))
    specific = out["hookSpecificOutput"]
    assert isinstance(specific, dict) and specific["hookEventName"] == "SessionStart"
    assert len(str(specific["additionalContext"]).splitlines()) == 5


# ---------------------------------------------------------------- GitHub Copilot
def test_copilot_pre_and_post_tool_use(project: Path) -> None:
    args = json.dumps({"command": "printf 'FLUSHDB\\n' | redis-cli", "description": "x"})
    deny = answer(
        hook(project, "shell-guard", "copilot", recorded("copilot_pre_tool_use.json", cwd=str(project), toolArgs=args))
    )
    assert deny["permissionDecision"] == "deny" and "RR011" in str(deny["permissionDecisionReason"])
    assert (
        answer(hook(project, "shell-guard", "copilot", recorded("copilot_pre_tool_use.json", cwd=str(project)))) == {}
    )
    path = project / "my_service/copilot_scan.py"
    path.write_text(BAD, encoding="utf-8")
    post = hook(
        project,
        "lint-edit",
        "copilot",
        recorded("copilot_post_tool_use.json", cwd=str(project), toolArgs=json.dumps({"path": str(path)})),
    )
    assert post.returncode == 0 and post.stdout == "" and "RR007" in post.stderr
    path.unlink()


@pytest.mark.parametrize("agent", ["cursor", "gemini", "copilot"])
def test_malformed_events_get_the_neutral_answer(project: Path, agent: str) -> None:
    proc = subprocess.run(
        [str(REDIS_RULES), "hook", "shell-guard", "--agent", agent],
        input="{not json",
        capture_output=True,
        text=True,
        cwd=project,
        timeout=60,
    )
    assert proc.returncode == 0 and "could not read the hook event" in proc.stderr
    expected = {"cursor": '{"permission": "allow"}\n', "gemini": '{"decision": "allow"}\n', "copilot": ""}[agent]
    assert proc.stdout == expected
