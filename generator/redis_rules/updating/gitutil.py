"""Small git helpers (plain subprocess, no dependency on copier's plumbum wrappers)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..gitenv import git_env


class GitError(Exception):
    pass


def git(*args: str, cwd: Path, check: bool = True) -> str:
    try:
        # file names that are not UTF-8 come back as surrogate escapes (printable via the CLI's stream handler)
        proc = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, errors="surrogateescape", env=git_env()
        )
    except FileNotFoundError as exc:
        raise GitError("git is not installed (needed to update a project)") from exc
    if check and proc.returncode != 0:
        raise GitError(proc.stderr.strip() or f"git {' '.join(args)} failed")
    return proc.stdout


def committed_text(path: str, cwd: Path) -> str | None:
    """The file at `path` (relative to the repository root) as HEAD holds it, byte for byte (CRLF stays CRLF:
    `git` above reads text with universal newlines); None when HEAD has no such file."""
    try:
        proc = subprocess.run(["git", "show", f"HEAD:{path}"], cwd=cwd, capture_output=True, env=git_env())
    except FileNotFoundError as exc:
        raise GitError("git is not installed (needed to update a project)") from exc
    return proc.stdout.decode("utf-8", "surrogateescape") if proc.returncode == 0 else None


def toplevel(path: Path) -> Path | None:
    """The work tree root holding `path`, or None when it is not in a git work tree."""
    try:
        out = git("rev-parse", "--show-toplevel", cwd=path, check=False).strip()
    except GitError:
        return None
    return Path(out).resolve() if out else None


@dataclass(frozen=True)
class StatusEntry:
    code: str  # porcelain XY
    path: str  # relative to the repository root

    @property
    def unmerged(self) -> bool:
        return self.code in {"DD", "AU", "UD", "UA", "DU", "AA", "UU"}

    @property
    def kind(self) -> str:
        if self.unmerged:
            return "conflict"
        if self.code in ("??", "!!") or "A" in self.code:
            return "added"
        if "D" in self.code:
            return "deleted"
        return "modified"


def status(top: Path, under: Path, *, ignored: bool = False) -> list[StatusEntry]:
    """`git status --porcelain -z` entries below `under` (paths relative to `top`)."""
    args = ["status", "--porcelain", "-z", "--untracked-files=all"]
    if ignored:
        args.append("--ignored")
    out = git(*args, "--", str(under), cwd=top)
    entries: list[StatusEntry] = []
    fields = out.split("\0")
    i = 0
    while i < len(fields):
        item = fields[i]
        i += 1
        if len(item) < 4:
            continue
        code, path = item[:2], item[3:]
        if code[0] in "RC":
            i += 1  # the rename's source path follows
        entries.append(StatusEntry(code, path))
    return entries
