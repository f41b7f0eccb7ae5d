"""Is a project behind its template? The answers' `_commit` against the newest template version known here.

`_commit` is what copier recorded: a tag (`v0.2.0`) or `git describe` output (`v0.1.0-18-gc7e7ff1`,
18 commits after v0.1.0). The newest version known here is, for a project rendered from the installed
template (this checkout or the cache repo of installed versions), the installed one; for another
local git template, its newest tag (only when `look_up_source`, which runs git). A remote template is
not looked up (no network): its status is unknown.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from . import template_source  # looked up at call time: the one seam for where the installed template is
from .gitenv import git_env
from .template_source import installed_tag, same_source, template_cache_repo

_DESCRIBE = re.compile(r"^v?(?P<version>\d+(?:\.\d+)*(?:[a-z]+\d+)?)(?:-(?P<distance>\d+)-g[0-9a-f]+)?(?:\+.*)?$")
GIT_TIMEOUT = 10.0


@dataclass(frozen=True)
class TemplateStatus:
    recorded: str | None  # the answers' _commit
    newest: str | None  # the newest version known here, None when unknown
    behind: bool

    def message(self) -> str:
        if self.behind:
            return (
                f"the project was rendered from template {self.recorded}; {self.newest} is available: "
                "run `redis-rules update --upgrade`"
            )
        if self.newest is None:
            return f"template {self.recorded or '(unrecorded)'}: no newer version known here"
        return f"template {self.recorded} is current ({self.newest} is the newest known here)"


def parse_ref(ref: str | None) -> tuple[Version, int] | None:
    """(version, commits after it) of a tag or `git describe` output; None for a bare commit hash."""
    if not ref:
        return None
    match = _DESCRIBE.match(ref.strip())
    if not match:
        return None
    try:
        return Version(match.group("version")), int(match.group("distance") or 0)
    except InvalidVersion:
        return None


def _git(*args: str, cwd: Path) -> str | None:
    try:
        proc = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=GIT_TIMEOUT, env=git_env()
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def installed_ref() -> str:
    """The installed template's version: `git describe` of a checkout with a tag, else the package's tag
    (a wheel, or a clone made without tags, as CI systems often make)."""
    root = template_source.bundled_template_root()
    if (root / ".git").exists():
        described = _git("describe", "--tags", cwd=root)
        if described:
            return described
    return installed_tag()


def newest_tag(repo: Path) -> str | None:
    tags = (_git("tag", "--list", cwd=repo) or "").split()
    versions = [(parsed, tag) for tag in tags if (parsed := parse_ref(tag)) is not None and parsed[1] == 0]
    return max(versions)[1] if versions else None


def is_installed_source(src: str) -> bool:
    try:
        root = template_source.bundled_template_root()
    except RuntimeError:
        return False
    return same_source(src, root) or same_source(src, template_cache_repo())


def template_status(answers: dict[str, Any], *, look_up_source: bool = False) -> TemplateStatus:
    """Compare `_commit` with the newest version known here (see the module doc)."""
    recorded = answers.get("_commit")
    recorded = str(recorded) if recorded else None
    src = str(answers.get("_src_path") or "")
    newest: str | None = None
    if src and is_installed_source(src):
        newest = installed_ref()
    elif src and look_up_source:
        local = Path(src.removeprefix("git+file://")).expanduser()
        if "://" not in src.removeprefix("git+file://") and (local / ".git").exists():
            newest = newest_tag(local)
    mine, theirs = parse_ref(recorded), parse_ref(newest)
    behind = mine is not None and theirs is not None and mine < theirs
    return TemplateStatus(recorded=recorded, newest=newest, behind=behind)
