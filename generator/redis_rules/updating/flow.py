"""The update flow: preflight, source, answers, copier, then conflicts (see package doc)."""

from __future__ import annotations

import contextlib
import functools
import shutil
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..answer_types import check_answers
from ..answers_file import ANSWERS_FILE
from ..errors import Terminated, UserError, one_line
from ..questions import load_questions, skip_if_exists
from ..redact import redact_text
from ..scratch import scratch_dir
from ..template_source import recorded_source_base
from .answers import AnswerChange, check_recorded, merge_answers
from .conflicts import Conflict, changed_files, find_conflicts
from .gitutil import GitError, committed_text, git, status
from .importers import importers_of
from .notes import client_change_notes
from .preflight import preflight
from .run import copier_update
from .source import resolve_source


def _check_markers(dest: Path) -> None:
    """Broken redis-rules markers stop the update before anything is written (MarkerError names the file)."""
    from ..agent_files import MARKED_FILES, find_section

    for rel in MARKED_FILES:
        path = dest / rel
        if path.is_file():
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            find_section(text, rel)


def reconcile_owned(
    top: Path, dest: Path, url: str, ref: str, previous: tuple[dict[str, Any], str], starters: tuple[str, ...]
) -> tuple[list[str], list[str]]:
    """Render the updated answers once more and put the owned parts back (see redis_rules.owned). Returns (the
    files whose owned parts held the team's edits, now replaced; the generated files that stay deleted: rendered
    by the answers, deleted from the project, so Copier's update changed nothing in them, owned.deleted_files
    past the `starters`). The first is owned.reconcile's `replaced`; confirmed against
    the render the project had (`previous`: its answers and ref) for a CRLF file, since Copier's merge of LF
    patches into it leaves its owned part different when nobody edited it, and for a file whose committed text
    has no owned part at all (our hooks turned back on: the team's file gets our entries, nothing was edited)."""
    from ..answers_file import answers_data
    from ..owned import deleted_files, edited_since, has_owned_part, reconcile, reference_render
    from .preflight import read_answers

    answers = read_answers(dest)

    @functools.cache  # asked for by reconcile and again for the CRLF check: one `git show` per file
    def before(rel: str) -> str | None:
        return committed_text((dest / rel).relative_to(top).as_posix(), top)

    replaced: list[str] = []
    with reference_render(url, answers_data(answers), ref) as rendered:
        changed = reconcile(dest, rendered, before, replaced)
        kept_deleted = deleted_files(dest, rendered, starters)
    # a CRLF file merged with LF patches leaves its owned part different with no edit, and so does a file that
    # had no owned part: confirm those against the render the project had (one more render, so only for them)
    suspect = [rel for rel in replaced if "\r\n" in (before(rel) or "") or not has_owned_part(rel, before(rel) or "")]
    if suspect:
        try:
            with reference_render(url, answers_data(previous[0]), previous[1]) as old:
                replaced = [rel for rel in replaced if rel not in suspect or edited_since(rel, before(rel), old)]
        except UserError:
            pass  # the earlier version cannot be rendered (offline, a tag gone): report what the merge left
    # a file copier left unmerged in git's index is now resolved: back to the committed index entry
    unmerged = {e.path for e in status(top, dest) if e.unmerged}
    for rel in changed:
        path = (dest / rel).relative_to(top).as_posix()
        if path in unmerged:
            git("reset", "-q", "--", path, cwd=top, check=False)
    return replaced, kept_deleted


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
    edited_deletions: list[str] = field(default_factory=list)  # deleted files that had local edits
    importers: dict[str, list[str]] = field(default_factory=dict)  # deleted module -> files still importing it
    # files whose owned parts (marked sections, hook entries, skills...) Copier's merge left differing from the
    # render, i.e. holding the team's edits (or a conflict inside them): put back to the render
    owned_put_back: list[str] = field(default_factory=list)
    # generated files the project deleted: Copier's update never re-creates them, so its changes skip them
    kept_deleted: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what an answer change asks of the team's own files
    seconds: float = 0.0


def update_project(
    dest: Path,
    sets: dict[str, Any],
    *,
    upgrade: bool = False,
    pretend: bool = False,
    conflict: Literal["inline", "rej"] = "inline",
) -> UpdateOutcome:
    """Regenerate DEST; every check that can fail runs before the first write.

    Raises UserError (one line) for bad input and for git or disk failures; a failure after copier
    started writing says how to return to the last commit.
    """
    try:
        return _update(dest, sets, upgrade=upgrade, pretend=pretend, conflict=conflict)
    except GitError as exc:
        raise UserError(f"git: {one_line(redact_text(str(exc)), 300)}") from None
    except OSError as exc:
        where = f" ({redact_text(str(exc.filename))})" if exc.filename else ""
        undo = "" if pretend else "; `git reset --hard && git clean -fd` in DEST returns to the last commit"
        raise UserError(f"update failed: {exc.strerror or exc}{where}{undo}") from None


def _update(
    dest: Path, sets: dict[str, Any], *, upgrade: bool, pretend: bool, conflict: Literal["inline", "rej"]
) -> UpdateOutcome:
    started = time.perf_counter()
    dest = dest.resolve()
    top, recorded = preflight(dest)
    _check_markers(dest)
    # a relative _src_path (`copier copy ./redis-rules svc`) is read, by us and by Copier, from where it resolves
    base = recorded_source_base(str(recorded.get("_src_path") or ""), dest)
    in_base = contextlib.chdir(base) if base is not None else contextlib.nullcontext()
    with in_base, scratch_dir("redis-rules-update-") as work:
        source = resolve_source(recorded, upgrade=upgrade, workdir=work)
        questions = load_questions(source.root)
        recorded = check_recorded(questions, recorded, upgrade=upgrade, given=sets)
        data, answer_changes = merge_answers(questions, recorded, check_answers(questions, sets, "--set"))
        starters = skip_if_exists(source.root, {**recorded, **data})
        notes = client_change_notes(questions, recorded, data, dest)
        shutil.rmtree(source.root, ignore_errors=True)
        target_top, target_dest = top, dest
        if pretend:  # the same update in a throwaway clone of the (clean) repository
            target_top = work / "clone"
            try:
                git("clone", "-q", "--no-hardlinks", str(top), str(target_top), cwd=work)
            except GitError as exc:
                raise UserError(f"--pretend: cannot clone {top}: {one_line(exc, 300)}") from exc
            target_dest = target_top / dest.relative_to(top)
        try:
            # the recorded ref itself, as copier's `--vcs-ref :current:` does
            copier_update(target_dest, data, vcs_ref=source.target, conflict=conflict)
            # what redis-rules owns (skills, hooks entries, marked sections, the policy part) is put back to
            # the render, the team's text around it taken from the commit before the update (owned.py)
            put_back, kept_deleted = reconcile_owned(
                target_top, target_dest, source.url, source.target, (recorded, source.current), starters
            )
            changed = [c.name for c in answer_changes]
            _refuse_an_overflowing_agents_md(target_top, target_dest, changed, pretend=pretend)
            conflicts = find_conflicts(target_top, target_dest)
        except (KeyboardInterrupt, Terminated) as interrupt:
            # Ctrl-C or SIGTERM while Copier writes: a half-applied update (trial 14) is undone, so the CLI's
            # "nothing half-written was left behind" holds; the clone of --pretend is thrown away anyway
            if not pretend:
                _undo_update(top, dest, interrupt)
            raise
        except OSError as exc:
            # a write refused half-way (an immutable or read-only file, a full disk): undone as an interrupt is
            # (trial 20: the policy file and AGENTS.md were updated, the answers not, the team's CLAUDE.md text
            # gone); if git cannot undo it either, update_project says how to return to the last commit
            if pretend:
                raise
            try:
                _restore(top, dest)
            except (GitError, OSError):
                raise exc from None
            where = f" ({redact_text(str(exc.filename))})" if exc.filename else ""
            raise UserError(
                f"update failed: {exc.strerror or exc}{where}; the update was undone, nothing changed"
            ) from None
        rejects = {c.rej for c in conflicts if c.rej}
        changes = [(k, p) for k, p in changed_files(target_top, target_dest) if p not in rejects]
        deleted = [p for k, p in changes if k == "deleted"]
        edited_deletions = _edited_since_render(target_top, target_dest, deleted)
        importers = importers_of(target_dest, deleted)
    return UpdateOutcome(
        dest=dest,
        from_ref=source.current,
        to_ref=source.target,
        template=source.url,
        pretend=pretend,
        answer_changes=answer_changes,
        changes=changes,
        conflicts=conflicts,
        edited_deletions=edited_deletions,
        importers=importers,
        owned_put_back=put_back,
        kept_deleted=kept_deleted,
        notes=notes,
        seconds=time.perf_counter() - started,
    )


def _refuse_an_overflowing_agents_md(top: Path, dest: Path, changed: list[str], *, pretend: bool) -> None:
    """The check `new` makes before writing (render.agents_md_problem), made on the updated section: the update
    is then undone (DEST was clean before it: preflight) and UserError raised. Only our section counts: the
    team's own text in AGENTS.md is theirs to size."""
    from ..agent_files import find_section
    from ..render import agents_md_problem

    path = dest / "AGENTS.md"
    if not path.is_file():
        return
    text = path.read_text(encoding="utf-8", errors="replace")
    span = find_section(text, "AGENTS.md")
    problem = agents_md_problem(len(text[span[0] : span[1]].encode()) if span else 0, changed)
    if problem is None:
        return
    _restore(top, dest)
    raise UserError(f"{problem}; {'nothing was written' if pretend else 'the update was undone, nothing changed'}")


def _restore(top: Path, dest: Path) -> None:
    """DEST back to its last commit: preflight found it clean, so all that differs is the update's."""
    where = dest.relative_to(top).as_posix() or "."
    git("reset", "-q", "--", where, cwd=top)  # what copier staged
    git("checkout", "-q", "HEAD", "--", where, cwd=top)
    git("clean", "-fdq", "--", where, cwd=top)  # files the update added (nothing untracked was there before)


def _undo_update(top: Path, dest: Path, interrupt: BaseException) -> None:
    """Undo an update that ``interrupt`` cut short, deaf to a second Ctrl-C or SIGTERM while it runs (they are
    delivered after). If git cannot, a UserError says how to return to the last commit (exit 130 or 143, as the
    interrupt's): the CLI's "nothing half-written was left behind" would be untrue."""
    blocked = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
    try:
        _restore(top, dest)
    except (GitError, OSError) as exc:
        error = UserError(
            f"interrupted, and the update could not be undone ({one_line(redact_text(str(exc)), 200)}); "
            f"`git reset --hard && git clean -fd` in {dest} returns to the last commit"
        )
        error.exit_code = 130 if isinstance(interrupt, KeyboardInterrupt) else 143
        raise error from None
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _edited_since_render(top: Path, dest: Path, deleted: list[str]) -> list[str]:
    """Deleted files changed in a commit after the last one that touched the answers file.

    Copier deletes every file the new answers no longer render, edited or not; these are
    the ones to point out (a heuristic: edits committed with the render itself are not seen).
    """
    if not deleted:
        return []
    answers = (dest / ANSWERS_FILE).relative_to(top).as_posix()
    try:
        last = git("log", "-1", "--format=%H", "HEAD", "--", answers, cwd=top).strip()
        if not last:
            return []
        paths = [(dest / p).relative_to(top).as_posix() for p in deleted]
        out = git("diff", "--name-only", last, "HEAD", "--", *paths, cwd=top)
    except GitError:
        return []
    touched = {line.strip() for line in out.splitlines() if line.strip()}
    return [p for p in deleted if (dest / p).relative_to(top).as_posix() in touched]
