"""Hook events in, hook answers out, for each assistant that documents command hooks.

Every assistant sends one JSON object on stdin and reads the answer from the exit code, stdout
(JSON) or stderr. The shapes differ; this module turns them into one `Event` and writes each
`Answer` back in the assistant's own form:

- Claude Code (`.claude/settings.json`; https://code.claude.com/docs/en/hooks): input `tool_input`,
  `stop_hook_active`, `cwd`; exit 2 with stderr blocks PreToolUse and tells the assistant after
  PostToolUse; Stop blocks with stdout `{"decision": "block", "reason": ...}`; SessionStart adds
  `hookSpecificOutput.additionalContext`.
- Cursor (`.cursor/hooks.json` version 1; https://cursor.com/docs/agent/hooks): beforeShellExecution
  gets `command`/`cwd` and answers `{"permission": "allow"|"deny", "user_message", "agent_message"}`;
  afterFileEdit gets `file_path` (no answer read); stop gets `status`/`loop_count` and may answer
  `{"followup_message": ...}`; `workspace_roots` names the project.
- Gemini CLI (`.gemini/settings.json`; https://geminicli.com/docs/hooks/reference): BeforeTool and
  AfterTool get `tool_name`/`tool_input`; BeforeTool denies with `{"decision": "deny", "reason"}`;
  AfterTool appends `hookSpecificOutput.additionalContext` to the tool result; AfterAgent
  (`stop_hook_active`) retries with `{"decision": "deny", "reason"}`; stdout holds only JSON.
- GitHub Copilot (`.github/hooks/*.json` version 1; docs.github.com/en/copilot/reference/
  hooks-configuration): preToolUse gets `toolName` and `toolArgs` (a JSON string) and denies with
  `{"permissionDecision": "deny", "permissionDecisionReason": ...}`; postToolUse output is ignored.

Reading is defensive (issue 14): at most MAX_EVENT_BYTES, within READ_TIMEOUT seconds, UTF-8 JSON
objects only; anything else is a `BadEvent` and the hook lets the action go.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..redact import scrub

AGENTS = ("claude", "cursor", "gemini", "copilot")
MAX_EVENT_BYTES = 16 * 1024 * 1024  # a Write event carries the whole file
READ_TIMEOUT = 10.0  # seconds to wait for the end of stdin
PREFIX = "redis-rules hook:"


class BadEvent(Exception):
    """The event on stdin could not be read; the hook allows and says so in one line."""


@dataclass
class Event:
    agent: str
    raw: dict[str, Any]
    project: Path  # the project folder (the assistant's project dir, else the event's cwd)
    command: str | None = None  # the shell command of a shell tool call
    file_path: str | None = None  # the file an edit tool wrote
    stop_active: bool = False  # the assistant is already continuing because a stop hook asked


@dataclass
class Answer:
    """What a hook decided. `block` blocks (shell) or asks the assistant to go on (stop/edit)."""

    block: bool = False
    message: str = ""  # to the assistant when blocking; else a note for the user ("" for none)
    context: str = ""  # added to the assistant's context (session start)
    notes: list[str] = field(default_factory=list)  # one-line notices for the user (stderr)


def read_stdin(limit: int = MAX_EVENT_BYTES, timeout: float = READ_TIMEOUT, fd: int = 0) -> bytes:
    """All of stdin, raw; BadEvent when it is larger than `limit` or does not end within `timeout`.

    Read with os.read in a daemon thread: a writer that never closes the pipe cannot hang the hook,
    and no buffered-reader lock is held at exit.
    """
    chunks: list[bytes] = []
    state: dict[str, Any] = {"size": 0, "done": False, "error": None}

    def reader() -> None:
        try:
            while True:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                chunks.append(chunk)
                state["size"] += len(chunk)
                if state["size"] > limit:
                    break
        except OSError as exc:
            state["error"] = exc
        state["done"] = True

    thread = threading.Thread(target=reader, name="redis-rules-stdin", daemon=True)
    thread.start()
    thread.join(timeout)
    if not state["done"]:
        raise BadEvent(f"no complete event on stdin within {timeout:g} s")
    if state["error"] is not None:
        raise BadEvent(f"cannot read stdin ({state['error'].strerror or state['error']})")
    if state["size"] > limit:
        raise BadEvent(f"the event is larger than {limit // (1024 * 1024)} MiB")
    return b"".join(chunks)


def parse_event(data: bytes) -> dict[str, Any]:
    """The event object; BadEvent for empty input, non-UTF-8 bytes, invalid or non-object JSON."""
    if not data.strip():
        raise BadEvent("no event on stdin")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadEvent(f"the event is not UTF-8 (byte {exc.start})") from None
    try:
        event = json.loads(text)
    except RecursionError:
        raise BadEvent("the event nests too deeply") from None
    except ValueError as exc:
        raise BadEvent(f"the event is not JSON ({str(exc).split(':')[0]})") from None
    if not isinstance(event, dict):
        raise BadEvent("the event is not a JSON object")
    return event


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _project(env_var: str | None, *candidates: Any) -> Path:
    for value in [os.environ.get(env_var) if env_var else None, *candidates]:
        if isinstance(value, str) and value and "\0" not in value:
            try:
                path = Path(value)
                if path.is_absolute() and path.is_dir():
                    return path
            except (OSError, ValueError):
                continue
    return Path.cwd()


def to_event(agent: str, raw: dict[str, Any]) -> Event:
    """The event in one shape; missing or mistyped fields are simply absent."""
    if agent == "claude":
        tool = _dict(raw.get("tool_input"))
        return Event(
            agent,
            raw,
            _project("CLAUDE_PROJECT_DIR", raw.get("cwd")),
            command=_str(tool.get("command")) if raw.get("tool_name", "Bash") == "Bash" else None,
            file_path=_str(tool.get("file_path")) or _str(tool.get("notebook_path")),
            stop_active=raw.get("stop_hook_active") is True,
        )
    if agent == "cursor":
        roots = raw.get("workspace_roots")
        root = roots[0] if isinstance(roots, list) and roots else None
        loops = raw.get("loop_count")
        return Event(
            agent,
            raw,
            _project(None, root, raw.get("cwd")),
            command=_str(raw.get("command")),
            file_path=_str(raw.get("file_path")),
            stop_active=isinstance(loops, int) and not isinstance(loops, bool) and loops > 0,
        )
    if agent == "gemini":
        tool = _dict(raw.get("tool_input"))
        name = raw.get("tool_name")
        return Event(
            agent,
            raw,
            _project("GEMINI_PROJECT_DIR", raw.get("cwd")),
            command=_str(tool.get("command")) if name in (None, "run_shell_command") else None,
            file_path=_str(tool.get("file_path")),
            stop_active=raw.get("stop_hook_active") is True,
        )
    if agent == "copilot":
        args: Any = raw.get("toolArgs")
        if isinstance(args, str):
            try:
                args = json.loads(args)
            except (ValueError, RecursionError):
                args = {}
        args = _dict(args)
        name = raw.get("toolName")
        return Event(
            agent,
            raw,
            _project(None, raw.get("cwd")),
            command=_str(args.get("command")) if name in (None, "bash", "shell") else None,
            file_path=_str(args.get("path")) or _str(args.get("file_path")),
        )
    raise ValueError(f"unknown agent {agent!r}")


# ---------------------------------------------------------------- answers, per assistant and hook
Writer = Callable[[str], None]


def _emit(out: Writer, payload: dict[str, Any]) -> None:
    out(json.dumps(payload, ensure_ascii=False) + "\n")


def deliver(agent: str, hook: str, answer: Answer, out: Writer, err: Writer) -> int:
    """Write the answer the way `agent` reads it for `hook`; the exit code to return."""
    for note in answer.notes:
        err(f"{PREFIX} {note}\n")
    if hook in ("shell-guard", "reviewer-shell", "audit-shell"):
        return _shell(agent, answer, out, err)
    if hook == "lint-edit":
        return _edit(agent, answer, out, err)
    if hook == "stop-gate":
        return _stop(agent, answer, out)
    if hook == "session-start":
        if answer.context and agent in ("claude", "gemini"):
            event = "SessionStart"
            _emit(out, {"hookSpecificOutput": {"hookEventName": event, "additionalContext": answer.context}})
        elif answer.context:
            out(answer.context + "\n")
        return 0
    raise ValueError(f"unknown hook {hook!r}")


def _shell(agent: str, answer: Answer, out: Writer, err: Writer) -> int:
    text = f"Blocked by redis-rules: {answer.message}"
    if agent == "claude":
        if answer.block:
            err(text + "\n")
            return 2
        return 0
    if agent == "cursor":
        payload: dict[str, Any] = {"permission": "allow"}
        if answer.block:
            payload = {"permission": "deny", "user_message": text, "agent_message": text}
        _emit(out, payload)
        return 0
    if agent == "gemini":
        _emit(out, {"decision": "deny", "reason": text} if answer.block else {"decision": "allow"})
        return 0
    if answer.block:  # copilot
        _emit(out, {"permissionDecision": "deny", "permissionDecisionReason": text})
    return 0


def _edit(agent: str, answer: Answer, out: Writer, err: Writer) -> int:
    if agent == "claude":
        if answer.block:
            err(answer.message + "\n")
            return 2
        return 0
    if agent == "gemini":
        payload: dict[str, Any] = {}
        if answer.block:
            payload = {"hookSpecificOutput": {"hookEventName": "AfterTool", "additionalContext": answer.message}}
        _emit(out, payload)
        return 0
    # Cursor's afterFileEdit and Copilot's postToolUse read no answer: the findings go to the hook log,
    # and the stop gate brings them back to the assistant
    if answer.block:
        err(answer.message + "\n")
    if agent == "cursor":
        _emit(out, {})
    return 0


def _stop(agent: str, answer: Answer, out: Writer) -> int:
    if agent == "claude":
        if answer.block:
            _emit(out, {"decision": "block", "reason": answer.message})
        elif answer.message:
            _emit(out, {"systemMessage": answer.message})
        return 0
    if agent == "cursor":
        _emit(out, {"followup_message": answer.message} if answer.block else {})
        return 0
    if agent == "gemini":
        payload: dict[str, Any] = {}
        if answer.block:
            payload = {"decision": "deny", "reason": answer.message}
        elif answer.message:
            payload = {"systemMessage": answer.message}
        _emit(out, payload)
        return 0
    return 0


def allow_default(agent: str, hook: str, out: Writer) -> None:
    """The neutral answer for assistants that expect JSON on stdout whatever happens."""
    if agent == "cursor" and hook in ("shell-guard", "reviewer-shell", "audit-shell"):
        _emit(out, {"permission": "allow"})
    elif agent == "cursor":
        _emit(out, {})
    elif agent == "gemini":
        _emit(out, {"decision": "allow"} if hook.endswith("shell") or hook == "shell-guard" else {})


def stderr(text: str) -> None:
    sys.stderr.write(scrub(text))  # a quoted command line may hold a Redis URL with its password
    sys.stderr.flush()


def stdout(text: str) -> None:
    sys.stdout.write(scrub(text))
    sys.stdout.flush()
