"""The parts of a project redis-rules owns, compared with a fresh render (`check`) and put back (`update`).

Owned, and nothing else:
- whole files, by name: the Redis skill and command skills, the reviewer subagent, the hook launcher,
  the Copilot hook file (ENFORCEMENT_PREFIXES);
- the marked Redis section of each rule file (CLAUDE.md, AGENTS.md, GEMINI.md, ...): text outside the
  markers is the team's;
- our hook entries in the settings files (.claude/settings.json, .gemini/settings.json,
  .cursor/hooks.json): every other key and hook is the team's;
- the policy part of `.redis-rules.yml` (everything before its `lint:` section, rendered from the
  answers); the `lint:` and `audit:` sections are the team's.
Generated modules, tests, CI and pre-commit files are the team's to edit (copier's 3-way merge).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import agent_files, claude_settings
from .errors import UserError

POLICY_FILE = ".redis-rules.yml"
ANSWERS_FILE = ".copier-answers.yml"
ENFORCEMENT_PREFIXES = (
    ".claude/skills/redis/",
    ".claude/skills/redis-lint/",
    ".claude/skills/redis-audit/",
    ".claude/skills/redis-rule/",
    ".claude/skills/redis-key/",
    ".claude/skills/redis-update/",
    ".agents/skills/redis/",
    ".claude/agents/redis-reviewer.md",
    ".claude/hooks/redis_rules_hook.py",
    ".github/hooks/redis-rules.json",
)
LEGACY_FILES = (".claude/hooks/redis_lint.py", ".claude/hooks/redis_bash_guard.py")  # template v0.1.0
_LINT_SECTION = re.compile(r"^lint:[ \t]*(#.*)?$", re.MULTILINE)


def is_enforcement_file(rel: str) -> bool:
    rel = rel.replace("\\", "/")
    return any(rel == p or (p.endswith("/") and rel.startswith(p)) for p in ENFORCEMENT_PREFIXES)


def is_owned(rel: str) -> bool:
    """A file redis-rules owns in whole or in part (see the module doc)."""
    rel = rel.replace("\\", "/")
    return (
        is_enforcement_file(rel)
        or agent_files.is_marked_file(rel)
        or rel in claude_settings.HOOK_FILES
        or rel == POLICY_FILE
        or rel in LEGACY_FILES
    )


@dataclass(frozen=True)
class Problem:
    kind: str  # drift | missing | stale | conflict | behind
    path: str | None
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "path": self.path, "detail": self.detail}


def _read(path: Path) -> str | None:
    try:
        if not path.is_file():
            return None
        with path.open(encoding="utf-8", newline="") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n")


def _walk(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def policy_top(text: str) -> str:
    """`.redis-rules.yml` up to its `lint:` section (the part rendered from the answers)."""
    match = _LINT_SECTION.search(text)
    return text[: match.start()] if match else text


def splice_policy(project_text: str, rendered_text: str) -> str:
    """The rendered policy part, followed by the project's own `lint:`/`audit:` sections."""
    match = _LINT_SECTION.search(project_text)
    if match is None:
        return rendered_text
    return policy_top(rendered_text) + project_text[match.start() :]


def _policy_values(text: str) -> dict[str, Any] | None:
    try:
        data = yaml.safe_load(policy_top(text))
    except yaml.YAMLError:
        return None
    return data if isinstance(data, dict) else None


# ---------------------------------------------------------------- compare (check)
def compare(dest: Path, rendered: Path) -> list[Problem]:
    """Drift, missing and stale owned parts of `dest` against the render in `rendered`."""
    problems: list[Problem] = []
    files = _walk(rendered)
    for rel in files:
        if not is_owned(rel):
            continue
        new = (rendered / rel).read_text(encoding="utf-8")
        old = _read(dest / rel)
        if old is None:
            problems.append(Problem("missing", rel, "not in the project; `redis-rules update` writes it"))
            continue
        detail = _differs(rel, _lf(old), _lf(new))
        if detail:
            problems.append(Problem("drift", rel, detail))
    problems += _stale(dest, set(files))
    return problems


def _differs(rel: str, old: str, new: str) -> str | None:
    if agent_files.is_marked_file(rel):
        try:
            span = agent_files.find_section(old, rel)
            _, section = agent_files.section_of(new, rel)
        except agent_files.MarkerError as exc:
            return str(exc)
        if span is None:
            return "no redis-rules section (the BEGIN/END marker lines are gone)"
        mine = old[span[0] : span[1]]
        return None if mine.rstrip("\n") == section.rstrip("\n") else "the redis-rules section differs from the render"
    if rel in claude_settings.HOOK_FILES:
        shape = claude_settings.HOOK_FILES[rel]
        try:
            mine_entries = claude_settings.our_entries(old, rel, shape)
        except UserError as exc:
            return str(exc)
        if mine_entries != claude_settings.our_entries(new, rel, shape):
            return "redis-rules' hook entries differ from the render (edited, missing or out of date)"
        return None
    if rel == POLICY_FILE:
        mine_values, theirs = _policy_values(old), _policy_values(new)
        if mine_values is None:
            return "not a YAML mapping"
        keys = sorted(k for k in set(mine_values) | set(theirs or {}) if mine_values.get(k) != (theirs or {}).get(k))
        return f"policy values differ from the answers: {', '.join(map(str, keys))}" if keys else None
    return None if old == new else "edited or out of date (the whole file is generated)"


def _stale(dest: Path, rendered: set[str]) -> list[Problem]:
    """Owned parts the current answers no longer render, still in the project."""
    problems: list[Problem] = []
    for rel in LEGACY_FILES:
        if (dest / rel).exists():
            problems.append(
                Problem("stale", rel, "a hook script of an older template; `redis-rules update` removes it")
            )
    for prefix in ENFORCEMENT_PREFIXES:
        base = dest / prefix.rstrip("/")
        found = (
            [base] if base.is_file() else (sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else [])
        )
        for path in found:
            rel = path.relative_to(dest).as_posix()
            if rel not in rendered:
                problems.append(Problem("stale", rel, "not rendered by the current answers"))
    for rel in [*claude_settings.HOOK_FILES, *agent_files.MARKED_FILES]:
        if rel in rendered:
            continue
        text = _read(dest / rel)
        if text is None:
            continue
        if rel in claude_settings.HOOK_FILES:
            try:
                ours = claude_settings.our_entries(text, rel, claude_settings.HOOK_FILES[rel])
            except UserError:
                continue
            if ours:
                problems.append(Problem("stale", rel, "redis-rules hook entries the current answers do not render"))
        else:
            try:
                section = agent_files.find_section(text, rel)
            except agent_files.MarkerError:
                section = (0, 0)
            if section is not None:
                problems.append(Problem("stale", rel, "a redis-rules section the current answers do not render"))
    return problems


# ---------------------------------------------------------------- reconcile (update)
def reconcile(dest: Path, rendered: Path, before: Callable[[str], str | None]) -> list[str]:
    """Put the owned parts of `dest` back to the render; `before(rel)` is the file as committed.

    Team text around them comes from `before` (the pre-update commit), so a conflict copier wrote into
    an owned part is replaced by the right text. Returns the paths written or deleted.
    """
    changed: list[str] = []
    files = set(_walk(rendered))
    for rel in sorted(files):
        if not is_owned(rel):
            continue
        new = (rendered / rel).read_text(encoding="utf-8")
        base = before(rel)
        if base is None:
            base = _read(dest / rel)
        if agent_files.is_marked_file(rel):
            text = new if base is None else agent_files.merge_section(base, new, rel)
        elif rel in claude_settings.HOOK_FILES:
            merged = (
                None if base is None else claude_settings.merge_hooks(base, new, rel, claude_settings.HOOK_FILES[rel])
            )
            text = new if base is None else (base if merged is None else merged)
        elif rel == POLICY_FILE:
            text = new if base is None else splice_policy(base, new)
        else:
            text = new
        if _write(dest / rel, text):
            changed.append(rel)
    for rel in [*claude_settings.HOOK_FILES, *agent_files.MARKED_FILES]:
        if rel in files:
            continue
        base = before(rel)
        if base is None:
            continue
        remaining = _without_ours(rel, base)
        if remaining is None:
            continue
        if remaining == claude_settings.DELETE:
            if (dest / rel).exists():
                (dest / rel).unlink()
                changed.append(rel)
        elif _write(dest / rel, remaining):
            changed.append(rel)
    for rel in LEGACY_FILES:
        if (dest / rel).exists():
            (dest / rel).unlink()
            changed.append(rel)
    return changed


def _without_ours(rel: str, text: str) -> str | None:
    """`text` with our part taken out; None when it has none; DELETE when nothing else is left."""
    if rel in claude_settings.HOOK_FILES:
        try:
            return claude_settings.remove_hooks(text, rel, claude_settings.HOOK_FILES[rel])
        except UserError:
            return None
    try:
        span = agent_files.find_section(text, rel)
    except agent_files.MarkerError:
        return None
    if span is None:
        return None
    rest = text[: span[0]] + text[span[1] :]
    _, body = agent_files.split_frontmatter(rest)
    return rest if body.strip() else claude_settings.DELETE


def _write(path: Path, text: str) -> bool:
    current = _read(path)
    if current == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".redis-rules-tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    if path.exists():
        shutil.copymode(path, tmp)
    tmp.replace(path)
    return True


# ---------------------------------------------------------------- the reference render
@contextmanager
def reference_render(src: str, data: dict[str, Any], vcs_ref: str | None) -> Iterator[Path]:
    """Render the template (`src` at `vcs_ref`) with `data` into a temporary folder; removed afterwards."""
    from .render import copier_copy

    with tempfile.TemporaryDirectory(prefix="redis-rules-reference-") as tmp:
        out = Path(tmp) / "out"
        copier_copy(src, out, data, vcs_ref=vcs_ref)
        yield out


def answers_data(answers: dict[str, Any]) -> dict[str, Any]:
    """The recorded answers copier takes as data (its own `_` keys left out)."""
    return {k: v for k, v in answers.items() if isinstance(k, str) and not k.startswith("_")}
