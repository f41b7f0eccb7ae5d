"""Find what a merge left unresolved: git's unmerged entries, inline markers, `.rej` files.

Stock `copier update` leaves these behind and exits 0; `redis-rules update` lists them
with their hunk counts and exits 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .gitutil import StatusEntry, git, status

START, MIDDLE, END = "<" * 7, "=" * 7, ">" * 7
_MAX_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Conflict:
    path: str  # relative to DEST
    hunks: int
    rej: str | None = None  # the .rej file holding the rejected hunks (--conflict rej)

    def describe(self) -> str:
        hunks = f"{self.hunks} hunk{'s' if self.hunks != 1 else ''}"
        return f"{self.path} ({hunks}{', see ' + self.rej if self.rej else ''})"


def _is_marker(line: str, marker: str) -> bool:
    return line.startswith(marker) and (len(line) == 7 or line[7] in " \t\r\n")


def count_marker_hunks(text: str) -> int:
    """Complete `<<<<<<<` ... `=======` ... `>>>>>>>` blocks in text."""
    hunks, state = 0, 0  # 0 outside, 1 after start, 2 after middle
    for line in text.splitlines():
        if _is_marker(line, START):
            state = 1
        elif state == 1 and line.rstrip() == MIDDLE:
            state = 2
        elif state and _is_marker(line, END):
            hunks += 1 if state == 2 else 0
            state = 0
    return hunks


def _read_text(path: Path) -> str | None:
    try:
        if not path.is_file() or path.stat().st_size > _MAX_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    if b"\0" in data:
        return None
    return data.decode("utf-8", errors="replace")


def find_conflicts(top: Path, dest: Path) -> list[Conflict]:
    found: dict[str, Conflict] = {}

    def rel(entry: StatusEntry) -> str:
        return (top / entry.path).relative_to(dest).as_posix()

    # .rej files, also when a `*.rej` ignore rule hides them from `git status`
    ignored_rejects = git(
        "ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--", ":(glob)**/*.rej", cwd=dest
    ).split("\0")
    entries = status(top, dest) + [
        StatusEntry("!!", (dest / p).relative_to(top).as_posix()) for p in ignored_rejects if p
    ]
    for entry in entries:
        path = top / entry.path
        if entry.path.endswith(".rej") and entry.code in ("??", "!!"):
            text = _read_text(path) or ""
            hunks = sum(1 for line in text.splitlines() if line.startswith("@@"))
            target = rel(entry)[: -len(".rej")]
            found[target] = Conflict(target, max(hunks, 1), rej=rel(entry))
            continue
        content = _read_text(path)
        hunks = count_marker_hunks(content) if content is not None else 0
        if hunks or entry.unmerged:
            found.setdefault(rel(entry), Conflict(rel(entry), max(hunks, 1)))
    return sorted(found.values(), key=lambda c: c.path)


def changed_files(top: Path, dest: Path) -> list[tuple[str, str]]:
    """(kind, path relative to DEST) per file the update touched; kind: added|modified|deleted|conflict."""
    out = []
    for entry in status(top, dest):
        if entry.path.endswith("/"):
            continue
        out.append((entry.kind, (top / entry.path).relative_to(dest).as_posix()))
    return sorted(out, key=lambda item: item[1])
