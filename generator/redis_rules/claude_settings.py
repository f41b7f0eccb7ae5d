"""Merge redis-rules' hook entries into the assistants' JSON settings files, and take them out again.

Files and shapes (each from the assistant's documentation):

- `.claude/settings.json` (Claude Code) and `.gemini/settings.json` (Gemini CLI): grouped,
  `{"hooks": {EVENT: [{"matcher": M, "hooks": [{"type": "command", "command": C, ...}]}]}}`;
- `.cursor/hooks.json` (Cursor): flat, `{"version": 1, "hooks": {EVENT: [{"command": C}]}}`.

Only what redis-rules wrote is ever replaced or removed. Our entries are recognised by their whole
command (`redis-rules hook NAME ...`, `python3 .../redis_rules_hook.py NAME ...`, or the two script
commands of template v0.1.0), never by a substring, so a team hook whose command merely mentions our
script is the team's. Our entries live in groups of their own with our matcher: they never join a
team group, so they never take its matcher. Everything else (permissions, model, env, the team's hooks
and their order) is kept; when nothing changes the file keeps its exact bytes, otherwise it is
rewritten with its own indent.
"""

from __future__ import annotations

import copy
import json
import re
import shlex
from dataclasses import dataclass
from typing import Any

from .errors import UserError

SETTINGS_FILE = ".claude/settings.json"
GEMINI_SETTINGS = ".gemini/settings.json"
CURSOR_HOOKS = ".cursor/hooks.json"
HOOK_FILES = {SETTINGS_FILE: "grouped", GEMINI_SETTINGS: "grouped", CURSOR_HOOKS: "flat"}
HOOK_NAMES = frozenset({"shell-guard", "lint-edit", "stop-gate", "session-start", "reviewer-shell", "audit-shell"})
LAUNCHER = "redis_rules_hook.py"
LEGACY_SCRIPTS = ("redis_lint.py", "redis_bash_guard.py")  # template v0.1.0
DELETE = "\0delete"  # remove_hooks: the file held nothing but our entries


def is_ours(hook: Any) -> bool:
    """Is this hook entry one redis-rules wrote? Decided on the whole command, token by token."""
    if not isinstance(hook, dict) or not isinstance(hook.get("command"), str):
        return False
    try:
        words = shlex.split(hook["command"])
    except ValueError:
        return False
    if len(words) >= 3 and words[0].rsplit("/", 1)[-1] == "redis-rules" and words[1] == "hook":
        return words[2] in HOOK_NAMES
    if len(words) >= 3 and re.fullmatch(r"python(3(\.\d+)?)?(\.exe)?", words[0].rsplit("/", 1)[-1]):
        return words[1].replace("\\", "/").endswith("/.claude/hooks/" + LAUNCHER) and words[2] in HOOK_NAMES
    if len(words) == 2 and words[0] == "python3":
        return any(words[1] == f"$CLAUDE_PROJECT_DIR/.claude/hooks/{name}" for name in LEGACY_SCRIPTS)
    return False


def _load(text: str, where: str) -> dict[str, Any]:
    try:
        data = json.loads(text) if text.strip() else {}
    except (ValueError, RecursionError) as exc:
        detail = (
            f"{exc.msg}, line {exc.lineno} column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else "too deep"
        )
        raise UserError(f"{where}: not valid JSON ({detail}); fix it or move it away, nothing was written") from exc
    if not isinstance(data, dict):
        raise UserError(f"{where}: must be a JSON object; nothing was written")
    return data


def _indent_of(text: str) -> int:
    match = re.search(r"^\{\s*\n( +)\"", text)
    return len(match.group(1)) if match else 2


def _dump(data: dict[str, Any], like: str) -> str:
    return json.dumps(data, indent=_indent_of(like), ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class _Slot:
    event: str
    index: int
    matcher: Any


def _hooks_of(data: dict[str, Any], where: str, create: bool) -> dict[str, Any] | None:
    hooks = data.get("hooks")
    if hooks is None:
        if not create:
            return None
        hooks = data["hooks"] = {}
    if not isinstance(hooks, dict):
        raise UserError(f"{where}: 'hooks' must be a JSON object; nothing was written")
    return hooks


def _take_out(hooks: dict[str, Any], shape: str, where: str, events: set[str]) -> dict[tuple[str, Any], int]:
    """Remove our entries in place; where a group (or flat entry) of ours was: (event, matcher) -> index."""
    slots: dict[tuple[str, Any], int] = {}
    for event, entries in list(hooks.items()):
        if not isinstance(entries, list):
            if event in events:
                raise UserError(f"{where}: 'hooks.{event}' must be a list; nothing was written")
            continue  # e.g. Gemini's hooks.enabled / hooks.disabled
        kept: list[Any] = []
        for entry in entries:
            if shape == "flat":
                if is_ours(entry):
                    slots.setdefault((event, entry.get("matcher")), len(kept))
                    continue
                kept.append(entry)
                continue
            if not isinstance(entry, dict):
                if event in events:
                    raise UserError(f"{where}: every entry of 'hooks.{event}' must be an object; nothing was written")
                kept.append(entry)
                continue
            group_hooks = entry.get("hooks")
            if not isinstance(group_hooks, list) or not any(is_ours(h) for h in group_hooks):
                kept.append(entry)
                continue
            theirs = [h for h in group_hooks if not is_ours(h)]
            if theirs:
                entry["hooks"] = theirs  # a team group an older version added ours to: give it back
                kept.append(entry)
            else:
                slots.setdefault((event, entry.get("matcher")), len(kept))
        entries[:] = kept
    return slots


def _our_groups(ours: dict[str, Any], shape: str) -> list[tuple[str, Any, Any]]:
    """(event, matcher, entry) of every entry in the rendered file."""
    out = []
    for event, entries in (ours.get("hooks") or {}).items():
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict):
                out.append((event, entry.get("matcher"), entry))
    return out


def merge_hooks(existing_text: str, ours_text: str, where: str = SETTINGS_FILE, shape: str = "grouped") -> str | None:
    """The existing file with our entries put in (replacing ours), or None when it already has them exactly."""
    existing = _load(existing_text, where)
    ours = _load(ours_text, f"rendered {where}")
    merged = copy.deepcopy(existing)
    groups = _our_groups(ours, shape)
    hooks = _hooks_of(merged, where, create=bool(groups))
    if hooks is None:
        return None
    slots = _take_out(hooks, shape, where, {event for event, _, _ in groups})
    shift: dict[str, int] = {}
    for event, matcher, entry in groups:
        entries = hooks.setdefault(event, [])
        if not isinstance(entries, list):
            raise UserError(f"{where}: 'hooks.{event}' must be a list; nothing was written")
        slot = slots.pop((event, matcher), None)
        if slot is None:
            entries.append(copy.deepcopy(entry))
        else:
            entries.insert(slot + shift.get(event, 0), copy.deepcopy(entry))
            shift[event] = shift.get(event, 0) + 1
    if shape == "flat" and "version" in ours and "version" not in merged:
        merged = {"version": ours["version"], **merged}
    _drop_emptied(existing, merged)
    if merged == existing:
        return None
    return _dump(merged, existing_text)


def _drop_emptied(before: dict[str, Any], after: dict[str, Any]) -> None:
    """Event lists (and a hooks object) that only our removal emptied go too."""
    hooks = after.get("hooks")
    old_hooks = before.get("hooks")
    old: dict[str, Any] = old_hooks if isinstance(old_hooks, dict) else {}
    if not isinstance(hooks, dict):
        return
    for event in [e for e, v in hooks.items() if v == [] and old.get(e) not in (None, [])]:
        del hooks[event]
    if not hooks and old:
        del after["hooks"]


def remove_hooks(existing_text: str, where: str = SETTINGS_FILE, shape: str = "grouped") -> str | None:
    """The file without our entries; None when it has none; DELETE when nothing but ours was in it."""
    existing = _load(existing_text, where)
    result = copy.deepcopy(existing)
    hooks = _hooks_of(result, where, create=False)
    if hooks is None:
        return None
    _take_out(hooks, shape, where, set())
    _drop_emptied(existing, result)
    if result == existing:
        return None
    if not result or (shape == "flat" and set(result) == {"version"}):
        return DELETE
    return _dump(result, existing_text)


def our_entries(text: str, where: str, shape: str = "grouped") -> list[tuple[str, Any, str]]:
    """Our entries as (event, matcher, canonical JSON of the entry), sorted: what `check` compares."""
    data = _load(text, where)
    hooks = data.get("hooks")
    found: list[tuple[str, Any, str]] = []
    if not isinstance(hooks, dict):
        return found
    for event, entries in hooks.items():
        for entry in entries if isinstance(entries, list) else []:
            if shape == "flat":
                if is_ours(entry):
                    found.append((event, entry.get("matcher"), json.dumps(entry, sort_keys=True)))
            elif isinstance(entry, dict) and isinstance(entry.get("hooks"), list):
                for hook in entry["hooks"]:
                    if is_ours(hook):
                        found.append((event, entry.get("matcher"), json.dumps(hook, sort_keys=True)))
    return sorted(found, key=lambda item: (item[0], str(item[1]), item[2]))
