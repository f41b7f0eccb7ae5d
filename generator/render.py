"""Render the Copier template into a destination, atomically.

Copier renders into a temporary folder next to the destination; only a complete
render is moved into place, so a failure (bad answer, template error, Ctrl-C)
leaves nothing half-written.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import UserError


@dataclass
class RenderResult:
    dest: Path
    files: list[str]  # relative paths written (or that would be written)
    existing: list[str]  # of those, files that already existed at the destination


def _walk(root: Path) -> list[str]:
    return sorted(
        str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() or p.is_symlink()
    )


def copier_copy(src: str, dest: Path, data: dict[str, Any], vcs_ref: str | None = None) -> None:
    """Stock `copier copy --defaults --data ...` into dest; validation errors become UserError."""
    import copier

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dirty-template and version notes are not user errors
        try:
            copier.run_copy(
                src,
                str(dest),
                data=data,
                defaults=True,
                overwrite=True,
                quiet=True,
                unsafe=False,
                vcs_ref=vcs_ref,
            )
        except ValueError as exc:  # copier: "Validation error for question 'x': msg"
            message = str(exc)
            if "Validation error for question" in message and ":" in message:
                message = message.split(":", 1)[1].strip()
            raise UserError(message) from exc
        except Exception as exc:
            if type(exc).__module__.startswith("copier"):
                raise UserError(f"template: {exc}") from exc
            raise


def render_project(
    src: str,
    dest: Path,
    data: dict[str, Any],
    *,
    overwrite: bool = False,
    pretend: bool = False,
    vcs_ref: str | None = None,
    keep_existing: tuple[str, ...] = (),
) -> RenderResult:
    """Render into a staging folder, then move into dest.

    `keep_existing` lists paths (copier's `_skip_if_exists`, already rendered) that are
    never replaced when dest has them: Copier could not see dest from the staging folder.
    """
    dest = dest.resolve()
    if dest.exists() and not dest.is_dir():
        raise UserError(f"DEST: {dest} exists and is not a directory")
    if dest.is_dir() and any(dest.iterdir()) and not overwrite and not pretend:
        raise UserError(f"DEST: {dest} is not empty; pass --overwrite to render into it anyway")
    parent = dest.parent
    if not parent.exists():
        raise UserError(f"DEST: parent folder {parent} does not exist")
    staging = Path(tempfile.mkdtemp(prefix=".redis-rules-", dir=parent))
    try:
        out = staging / "out"
        copier_copy(src, out, data, vcs_ref=vcs_ref)
        files = _walk(out)
        kept = [f for f in files if (dest / f).exists() and f in keep_existing]
        files = [f for f in files if f not in kept]
        existing = [f for f in files if (dest / f).exists()]
        if not pretend:
            _move_into_place(out, dest, files)
        return RenderResult(dest=dest, files=files, existing=existing)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _move_into_place(out: Path, dest: Path, files: list[str]) -> None:
    if not dest.exists() and len(files) == len(_walk(out)):
        os.replace(out, dest)  # same filesystem: one rename
        return
    for rel in files:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(out / rel, target)
