"""The session-start summary: five lines of the project's Redis policy, plus a warning when the
project is behind its template.

Read from `.redis-rules.yml` (the policy lint checks against) and `.copier-answers.yml` (modules,
module path); a project without them gets no summary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..answers_file import ANSWERS_FILE
from ..policy import POLICY_FILE, load_policy
from ..template_status import template_status

MAX_ANSWERS_BYTES = 1024 * 1024


def _answers(project: Path) -> dict[str, Any]:
    path = project / ANSWERS_FILE
    try:
        if not path.is_file() or path.stat().st_size > MAX_ANSWERS_BYTES:
            return {}
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def summary(project: Path) -> tuple[str, list[str]]:
    """(the context for the assistant, notes for the user). ('', []) outside a redis-rules project."""
    policy_path = project / POLICY_FILE
    if not policy_path.is_file():
        return "", []
    policy = load_policy(policy_path)  # UserError: the hook reports it and adds nothing
    answers = _answers(project)
    module_path = str(answers.get("module_path") or policy.module_path or "the Redis module folder").strip("/")
    raw_modules = answers.get("modules")
    modules = [str(m) for m in raw_modules] if isinstance(raw_modules, list) else []
    classes = ", ".join(f"{name} {seconds}s" for name, seconds in list(policy.ttl_classes.items())[:8])
    persistent = (
        "; allowed without TTL: " + ", ".join(str(p.get("pattern")) for p in policy.persistent_keys)
        if policy.persistent_keys
        else "; no key lives without a TTL"
    )
    lines = [
        f"Redis policy of this project (redis-rules; full text in the `redis` skill and CLAUDE.md/AGENTS.md): "
        f"client {policy.client} on {policy.flavour}; the URL comes only from ${policy.redis_url_env}, "
        f"through the one client in {module_path}/client.",
        f"Keys: format `{policy.key_format}` ({{env}} one of {', '.join(policy.environments)}), built only with "
        f"the builders in {module_path}/keys; never f-strings or string concatenation.",
        f"TTLs: every write sets its TTL in the same command or script; classes: {classes}; "
        f"default {policy.default_ttl}s{persistent}.",
        "Use the generated modules instead of raw commands"
        + (f" ({', '.join(modules)} in {module_path}/)" if modules else f" (in {module_path}/)")
        + "; never KEYS, FLUSHALL or FLUSHDB (SCAN; delete your own keys by prefix).",
        "Check what you change with `redis-rules lint` (rule ids RR001...; explain one: `redis-rules rules RR007`); "
        "a stop hook lints the files you changed before you finish.",
    ]
    notes = []
    status = template_status(answers) if answers else None
    if status is not None and status.behind:
        warning = f"Warning: {status.message()}."
        lines.append(warning)
        notes.append(status.message())
    return "\n".join(lines), notes
