"""The update flow: preflight, source, answers, copier, then conflicts (see package doc)."""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..errors import UserError
from ..questions import load_questions
from .answers import AnswerChange, merge_answers
from .conflicts import Conflict, changed_files, find_conflicts
from .gitutil import GitError, git
from .preflight import preflight
from .run import copier_update
from .source import resolve_source


@dataclass
class UpdateOutcome:
    dest: Path
    from_ref: str
    to_ref: str
    template: str
    pretend: bool
    answer_changes: list[AnswerChange] = field(default_factory=list)
    changes: list[tuple[str, str]] = field(default_factory=list)  # (added|modified|deleted|conflict, path)
    conflicts: list[Conflict] = field(default_factory=list)
    seconds: float = 0.0


def update_project(
    dest: Path,
    sets: dict[str, str],
    *,
    upgrade: bool = False,
    pretend: bool = False,
    conflict: Literal["inline", "rej"] = "inline",
) -> UpdateOutcome:
    """Regenerate DEST; every check that can fail runs before the first write."""
    started = time.perf_counter()
    dest = dest.resolve()
    top, recorded = preflight(dest)
    with tempfile.TemporaryDirectory(prefix="redis-rules-update-") as tmp:
        work = Path(tmp)
        source = resolve_source(recorded, upgrade=upgrade, workdir=work)
        data, answer_changes = merge_answers(load_questions(source.root), recorded, sets)
        shutil.rmtree(source.root, ignore_errors=True)
        target_top, target_dest = top, dest
        if pretend:  # the same update in a throwaway clone of the (clean) repository
            target_top = work / "clone"
            try:
                git("clone", "-q", "--no-hardlinks", str(top), str(target_top), cwd=work)
            except GitError as exc:
                raise UserError(f"--pretend: cannot clone {top}: {exc}") from exc
            target_dest = target_top / dest.relative_to(top)
        # the recorded ref itself, as copier's `--vcs-ref :current:` does
        copier_update(target_dest, data, vcs_ref=source.target, conflict=conflict)
        conflicts = find_conflicts(target_top, target_dest)
        rejects = {c.rej for c in conflicts if c.rej}
        changes = [(k, p) for k, p in changed_files(target_top, target_dest) if p not in rejects]
    return UpdateOutcome(
        dest=dest,
        from_ref=source.current,
        to_ref=source.target,
        template=source.url,
        pretend=pretend,
        answer_changes=answer_changes,
        changes=changes,
        conflicts=conflicts,
        seconds=time.perf_counter() - started,
    )
