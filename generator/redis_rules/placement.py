"""Putting rendered files into a destination: where each one goes, then all of them or none.

Where (`plan_targets`, before anything is written):
- a file that exists as a symlink is written through it, so the link stays a link (a
  `CLAUDE.md -> AGENTS.md` link keeps pointing at AGENTS.md); when the link points at another file
  that is written too, the link is left alone and that file is written once;
- a link that points outside the destination, dangles, or reaches a non-regular file (a FIFO, a
  folder) is refused, as is a path whose parent folder is a file (`.claude` as a file) or a link
  leaving the destination: one line naming the path, nothing written.

All or nothing (`place`): every replaced file is first hard-linked (else copied) to a backup beside
it, every folder created is recorded; if any step fails (a full disk, a read-only folder, SIGTERM,
Ctrl-C), the backups are put back and the new files and folders removed before the error goes on.
Files are moved with one rename each; across filesystems (EXDEV) they are copied beside the target
first, then renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UserError


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _describe_kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file"


@dataclass
class Targets:
    paths: dict[str, Path] = field(default_factory=dict)  # rel -> the path written (through a link)
    linked: dict[str, str] = field(default_factory=dict)  # rel (a link) -> the written rel it points at


def _check_parents(dest: Path, rel: str) -> None:
    """Every existing parent folder of dest/rel is a folder inside dest (links resolved)."""
    current = dest
    for part in Path(rel).parts[:-1]:
        current = current / part
        if not os.path.lexists(current):
            return  # created later, inside dest
        if current.is_symlink():
            real = current.resolve()
            if not _inside(real, dest):
                raise UserError(
                    f"{current.relative_to(dest)}: a link to {real}, outside {dest}; redis-rules writes {rel} "
                    "only inside the project (make it a folder); nothing was written"
                )
        if not current.is_dir():
            raise UserError(
                f"{current.relative_to(dest)}: is a file, but redis-rules writes {rel} inside a folder of that "
                "name; rename or remove the file; nothing was written"
            )


def plan_targets(dest: Path, files: list[str]) -> Targets:
    """Where each of `files` (relative to dest) is written; UserError before any write when one cannot be."""
    targets = Targets()
    for rel in files:
        _check_parents(dest, rel)
        path = dest / rel
        if path.is_symlink():
            real = Path(os.path.realpath(path))
            if not os.path.lexists(real):
                raise UserError(f"{rel}: a link to {real}, which does not exist; fix or remove it; nothing was written")
            if not _inside(real, dest):
                raise UserError(
                    f"{rel}: a link to {real}, outside {dest}; replace the link with a file (or adopt from the "
                    "folder it points into); nothing was written"
                )
            path = real
        if os.path.lexists(path):
            mode = os.stat(path).st_mode
            if not stat.S_ISREG(mode):
                raise UserError(f"{rel}: is {_describe_kind(mode)}, not a file; move it away; nothing was written")
        targets.paths[rel] = path
    # two written paths that are one file: the link is kept and the file it points at is written once
    real_of = {rel: Path(os.path.realpath(dest / rel)) for rel in files}
    plain = {real_of[rel]: rel for rel in files if not (dest / rel).is_symlink()}
    for rel in files:
        other = plain.get(real_of[rel])
        if (dest / rel).is_symlink() and other is not None and other != rel:
            targets.linked[rel] = other
    return targets


@dataclass
class _Journal:
    """What `place` changed, to undo it."""

    created_dirs: list[Path] = field(default_factory=list)
    written: list[tuple[Path, Path | None]] = field(default_factory=list)  # (target, backup of the old file)

    def make_parents(self, folder: Path) -> None:
        missing = []
        while not os.path.lexists(folder):
            missing.append(folder)
            folder = folder.parent
        for path in reversed(missing):
            path.mkdir()
            self.created_dirs.append(path)

    def backup(self, target: Path) -> Path | None:
        if not os.path.lexists(target):
            return None
        backup = target.with_name(f".{target.name}.redis-rules-{os.getpid()}.bak")
        try:
            os.link(target, backup)
        except OSError:
            shutil.copy2(target, backup)
        return backup

    def rollback(self) -> None:
        for target, backup in reversed(self.written):
            try:
                if backup is not None:
                    os.replace(backup, target)
                else:
                    target.unlink(missing_ok=True)
            except OSError:
                pass
        for folder in reversed(self.created_dirs):
            try:
                folder.rmdir()
            except OSError:
                pass

    def commit(self) -> None:
        for _, backup in self.written:
            if backup is not None:
                backup.unlink(missing_ok=True)


def _write_beside(target: Path, write: object) -> None:
    """Create a temporary file next to target, fill it with `write(handle_path)`, rename it over target."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".redis-rules-tmp", dir=target.parent)
    os.close(fd)
    try:
        write(Path(tmp))  # type: ignore[operator]
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _move(source: Path, target: Path) -> None:
    try:
        os.replace(source, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        _write_beside(target, lambda tmp: shutil.copy2(source, tmp))


def place(out: Path, dest: Path, files: list[str], targets: Targets, texts: dict[str, str | None]) -> None:
    """Move out/<rel> (or write texts[rel]) to each target; all or nothing (see the module doc).

    `texts`: rel -> new text for merged files (written with its own line endings), None for a file
    already up to date (left untouched, mtime included). Raises UserError naming the file on an OS error.
    """
    if not os.path.lexists(dest) and not texts and not targets.linked:
        try:
            os.replace(out, dest)  # a new destination on the same filesystem: one rename
            return
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise UserError(f"DEST: cannot create {dest}: {exc.strerror}; nothing was written") from None
    journal = _Journal()
    current = ""
    try:
        journal.make_parents(dest)
        for rel in files:
            current = rel
            if rel in targets.linked or (rel in texts and texts[rel] is None):
                continue
            target = targets.paths.get(rel, dest / rel)
            journal.make_parents(target.parent)
            backup = journal.backup(target)
            journal.written.append((target, backup))
            text = texts.get(rel)
            if text is not None:

                def write(tmp: Path, text: str = text, old: Path = target) -> None:
                    with open(tmp, "w", encoding="utf-8", newline="") as handle:
                        handle.write(text)
                    shutil.copymode(old, tmp)

                _write_beside(target, write)
            else:
                _move(out / rel, target)
    except OSError as exc:
        journal.rollback()
        raise UserError(f"{current or dest}: cannot write it: {exc.strerror or exc}; nothing was changed") from None
    except BaseException:
        journal.rollback()
        raise
    journal.commit()
