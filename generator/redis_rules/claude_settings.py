"""Merge redis-rules' Claude Code hooks into an existing `.claude/settings.json`.

Our hooks are recognised by their script names (`.claude/hooks/redis_lint.py`,
`.claude/hooks/redis_bash_guard.py`), so a re-run finds them and replaces them in place
(no duplicates), a template upgrade updates their command, and every other key, hook
and permission of the file is kept. When nothing changes the file keeps its exact bytes.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from .errors import UserError

SETTINGS_FILE = ".claude/settings.json"
OUR_SCRIPTS = ("redis_lint.py", "redis_bash_guard.py")


def _script_of(hook: Any) -> str | None:
    if not isinstance(hook, dict):
        return None
    command = hook.get("command")
    if not isinstance(command, str):
        return None
    return next((name for name in OUR_SCRIPTS if re.search(r"\b" + re.escape(name) + r"\b", command)), None)


def _load(text: str, where: str) -> dict[str, Any]:
    try:
        data = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as exc:
        raise UserError(
            f"{where}: not valid JSON ({exc.msg}, line {exc.lineno} column {exc.colno}); "
            "fix it or move it away, nothing was written"
        ) from exc
    if not isinstance(data, dict):
        raise UserError(f"{where}: must be a JSON object; nothing was written")
    return data


def _indent_of(text: str) -> int:
    match = re.search(r"^\{\s*\n( +)\"", text)
    return len(match.group(1)) if match else 2


def merge_hooks(existing_text: str, ours_text: str, where: str = SETTINGS_FILE) -> str | None:
    """The merged settings text, or None when `existing_text` already has our hooks exactly."""
    existing = _load(existing_text, where)
    ours = _load(ours_text, "rendered settings.json")
    merged = copy.deepcopy(existing)
    hooks = merged.setdefault("hooks", {})
    if not isinstance(hooks, dict):
        raise UserError(f"{where}: 'hooks' must be a JSON object; nothing was written")
    for event, our_groups in ours.get("hooks", {}).items():
        groups = hooks.setdefault(event, [])
        if not isinstance(groups, list):
            raise UserError(f"{where}: 'hooks.{event}' must be a list; nothing was written")
        for our_group in our_groups:
            for our_hook in our_group.get("hooks", []):
                _place(groups, our_group.get("matcher"), our_hook, where, event)
    if merged == existing:
        return None
    return json.dumps(merged, indent=_indent_of(existing_text), ensure_ascii=False) + "\n"


def _place(groups: list[Any], matcher: str | None, hook: dict[str, Any], where: str, event: str) -> None:
    """Put one of our hooks into the event's groups: replace ours where it is, else add it once."""
    script = _script_of(hook)
    found = False
    for group in groups:
        if not isinstance(group, dict):
            raise UserError(f"{where}: every entry of 'hooks.{event}' must be an object; nothing was written")
        entries = group.get("hooks")
        if not isinstance(entries, list):
            continue
        kept = []
        for entry in entries:
            if script is not None and _script_of(entry) == script:
                if found:
                    continue  # a duplicate of ours (an older run): drop it
                found = True
                kept.append(hook)
            else:
                kept.append(entry)
        group["hooks"] = kept
    if found:
        return
    for group in groups:
        if group.get("matcher") == matcher and isinstance(group.get("hooks"), list):
            group["hooks"].append(hook)
            return
    new_group: dict[str, Any] = {"hooks": [hook]}
    if matcher is not None:
        new_group = {"matcher": matcher, **new_group}
    groups.append(new_group)
