"""Render the Copier template into a destination, atomically.

Copier renders into a temporary folder next to the destination; only a complete
render is moved into place, so a failure (bad answer, template error, Ctrl-C)
leaves nothing half-written.
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import shutil
import sys
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import TemplateError, TemplateSyntaxError

from . import agent_files, claude_settings, placement
from .compile_cache import compiled_once
from .errors import UserError, one_line
from .gitenv import isolated_git
from .redact import git_failure, redact_text

# files that are redis-rules' own by name: replaced when they exist, even with `into`
OWNED_FILES = (
    ".copier-answers.yml",
    ".redis-rules.yml",
    ".claude/hooks/redis_rules_hook.py",
    ".github/hooks/redis-rules.json",
)


@dataclass
class RenderResult:
    dest: Path
    files: list[str]  # relative paths written (or that would be written)
    existing: list[str]  # of those, files that already existed at the destination
    merged: list[str] = field(default_factory=list)  # existing files whose redis-rules part was merged
    unchanged: list[str] = field(default_factory=list)  # of those, files already up to date (not rewritten)
    skipped: list[str] = field(default_factory=list)  # rendered but not written: the destination has its own
    linked: dict[str, str] = field(default_factory=dict)  # a link kept as is -> the written file it points at
    warnings: list[str] = field(default_factory=list)  # e.g. frontmatter of an existing rule file


def _walk(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() or p.is_symlink())


# printed by Copier itself (not a warning) when a git template has no version tag; rendering its HEAD is what
# `new --template` of a checkout means, and a HEAD the checkout does not hold is warned about (_unreachable_commit)
_COPIER_NOTES = ("No git tags found in template; using HEAD as ref",)


@contextmanager
def _copier_notes() -> Iterator[None]:
    """Copier's own stderr lines, without the notes above (the rest are passed on as they were)."""
    captured = io.StringIO()
    try:
        with contextlib.redirect_stderr(captured):
            yield
    finally:
        for line in captured.getvalue().splitlines():
            if line.strip() and not any(note in line for note in _COPIER_NOTES):
                print(line, file=sys.stderr)


@contextmanager
def copier_errors(what: str, modules: tuple[str, ...] = ("copier",)) -> Iterator[None]:
    """Run Copier quietly and turn its errors into one-line UserErrors.

    A validation error keeps only the validator's message (it names the field); any other
    error raised by `modules` becomes "<what>: <message>" on one line.
    """
    with warnings.catch_warnings(), _copier_notes():
        warnings.simplefilter("ignore")  # dirty-template and version notes are not user errors
        try:
            yield
        except ValueError as exc:  # copier: "Validation error for question 'x': msg"
            message = str(exc)
            if "Validation error for question" in message and ":" in message:
                message = message.split(":", 1)[1].strip()
            else:
                message = f"{what}: {message}"
            raise UserError(one_line(redact_text(message))) from exc
        except TemplateError as exc:  # a --template with broken Jinja
            where = f" ({exc.name or exc.filename}, line {exc.lineno})" if isinstance(exc, TemplateSyntaxError) else ""
            raise UserError(f"{what}: {one_line(redact_text(str(exc)), 300)}{where}") from None
        except Exception as exc:
            if type(exc).__module__.startswith("plumbum") and "plumbum" in modules:  # git run by copier
                raise UserError(f"{what}: {one_line(git_failure(exc), 300)}") from exc
            if type(exc).__module__.startswith(modules):
                raise UserError(f"{what}: {one_line(redact_text(str(exc)), 300)}") from exc
            raise


def copier_copy(src: str, dest: Path, data: dict[str, Any], vcs_ref: str | None = None, what: str = "template") -> None:
    """Stock `copier copy --defaults --data ...` into dest; validation errors, and Copier's and git's errors,
    become one-line UserErrors starting with ``what``."""
    import copier

    with copier_errors(what, ("copier", "plumbum")), isolated_git(), compiled_once():
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


def render_project(
    src: str,
    dest: Path,
    data: dict[str, Any],
    *,
    overwrite: bool = False,
    pretend: bool = False,
    vcs_ref: str | None = None,
    keep_existing: tuple[str, ...] = (),
    into: bool = False,
) -> RenderResult:
    """Render into a staging folder, then move into dest.

    `keep_existing` lists paths (copier's `_skip_if_exists`, already rendered) that are
    never replaced when dest has them: Copier could not see dest from the staging folder.
    `into` adopts into an existing
    project: dest must exist, may be non-empty, and only redis-rules' own files
    (OWNED_FILES) are replaced; other existing files are skipped unless `overwrite`.
    Whatever the mode, an existing rule file (CLAUDE.md, AGENTS.md, ...) gets only its
    marked Redis section rewritten, and an existing hook settings file (.claude/settings.json,
    .gemini/settings.json, .cursor/hooks.json) gets our hooks merged in (see agent_files and
    claude_settings). Existing links are written through or refused, and the move into dest is
    all or nothing (see placement). Raises UserError.
    """
    dest = dest.resolve()
    if dest.exists() and not dest.is_dir():
        raise UserError(f"DEST: {dest} exists and is not a directory")
    if into and not dest.is_dir():
        raise UserError(f"--into: {dest} is not an existing folder")
    if not into and dest.is_dir() and any(dest.iterdir()) and not overwrite and not pretend:
        raise UserError(f"DEST: {dest} is not empty; pass --overwrite to render into it anyway")
    parent = dest.parent
    if not parent.exists():
        raise UserError(f"DEST: parent folder {parent} does not exist")
    with _staging_folder(dest) as staging:
        out = staging / "out"
        try:
            copier_copy(src, out, data, vcs_ref=vcs_ref)
        except OSError as exc:  # a full disk while rendering into the staging folder, a broken template link
            name = os.path.basename(str(exc.filename)) if exc.filename else ""
            where = f" ({redact_text(name)})" if name else ""
            raise UserError(f"DEST: cannot render: {exc.strerror or exc}{where}; nothing was written") from None
        files = _walk(out)
        kept = [f for f in files if os.path.lexists(dest / f) and f in keep_existing]
        if into and not overwrite:
            kept += [
                f
                for f in files
                if f not in kept
                and os.path.lexists(dest / f)
                and f not in OWNED_FILES
                and not agent_files.is_marked_file(f)
                and f not in claude_settings.HOOK_FILES
            ]
        files = [f for f in files if f not in kept]
        targets = placement.plan_targets(dest, files)  # links, parents that are files: refused here
        existing = [f for f in files if os.path.lexists(dest / f)]
        result = RenderResult(
            dest=dest, files=files, existing=existing, skipped=sorted(kept), linked=dict(targets.linked)
        )
        _check_rendered(out, files)
        unreachable = _unreachable_commit(src, out)
        if unreachable:
            result.warnings.append(unreachable)
        merged = _plan_merges(out, targets, [f for f in existing if f not in targets.linked], result)
        if not pretend:
            placement.place(out, dest, files, targets, merged)
        return result


@contextmanager
def _staging_folder(dest: Path) -> Iterator[Path]:
    """A new folder for copier's output, on dest's filesystem so the move is a rename; removed when the
    block ends, however it ends.

    Next to dest (never inside a new project); inside an existing dest when its parent is another
    filesystem (dest is a mount point) or not writable (a read-only parent of an adopted repo).
    The folder is named before it is made, inside the block that removes it: SIGTERM (Terminated) right
    after the mkdir cannot leave it behind, as it could after tempfile.mkdtemp returned.
    """
    candidates = [dest.parent]
    if dest.is_dir():
        try:
            other_fs = dest.stat().st_dev != dest.parent.stat().st_dev
        except OSError:
            other_fs = False
        candidates = [dest, dest.parent] if other_fs else [dest.parent, dest]
    made: list[Path] = []
    try:
        yield _make_staging_folder(candidates, made)
    finally:
        for folder in made:
            shutil.rmtree(folder, ignore_errors=True)


def _make_staging_folder(candidates: list[Path], made: list[Path]) -> Path:
    """mkdir a `.redis-rules-<random>` folder (0700) in the first candidate that takes one; recorded in `made`
    before the mkdir. UserError when none does."""
    problem: OSError | None = None
    for folder in candidates:
        for _ in range(100):
            path = folder / f".redis-rules-{secrets.token_hex(6)}"
            made.append(path)
            try:
                os.mkdir(path, 0o700)
                return path
            except FileExistsError:
                made.remove(path)  # someone else's: never removed by us
            except OSError as exc:
                made.remove(path)
                problem = problem or exc
                break
    strerror = problem.strerror if problem else "unknown error"
    raise UserError(f"DEST: cannot write in {candidates[0]}: {strerror}; nothing was written")


AGENTS_MD_MAX_BYTES = 32 * 1024  # Codex reads this much of AGENTS.md by default (project_doc_max_bytes)


def _unreachable_commit(src: str, out: Path) -> str | None:
    """A warning when the project cannot be updated later (trial 12): the template is a plain folder, so no
    commit is recorded (an installed redis-rules whose template cache could not be written falls back to its
    package folder); or it is a local git checkout with uncommitted changes and no tag was rendered, so Copier
    rendered a temporary commit of them and recorded its id, which the checkout never holds."""
    from .answers_file import read_answers_file
    from .updating.gitutil import GitError, git

    folder = Path(src)
    if "://" in src or not folder.is_dir():
        return None
    try:
        recorded = str(read_answers_file(out, "copier wrote none").get("_commit") or "")
    except UserError:
        return None
    if not recorded:
        from .template_source import cache_root

        return (
            f"template: {redact_text(src)} is not a git repository, so the project records no template commit and "
            "`redis-rules update` cannot merge a later version into it; render from a git template (an installed "
            f"redis-rules keeps one in {cache_root()}: it must be writable, or set REDIS_RULES_CACHE_DIR)"
        )
    try:
        if git("rev-parse", "--is-inside-work-tree", cwd=folder, check=False).strip() != "true":
            return None
        if git("rev-parse", "--verify", "--quiet", f"{recorded}^{{commit}}", cwd=folder, check=False).strip():
            return None
    except GitError:
        return None
    return (
        f"template: {redact_text(src)} has uncommitted changes, so the project records commit {recorded}, which "
        "exists only in Copier's temporary copy: `redis-rules update` will not find it; commit the template's "
        "changes (or tag a release) and render again"
    )


# the answers whose entries AGENTS.md lists one by one: only these can make it overflow
AGENTS_MD_FIELDS = ("persistent_keys", "ttl_classes", "environments")


def agents_md_problem(size: int, changed: Iterable[str] = ()) -> str | None:
    """The one-line error for our AGENTS.md section of ``size`` bytes when Codex would not read all of it; it
    names the AGENTS_MD_FIELDS among ``changed`` (the answers an update set), else all of them."""
    if size <= AGENTS_MD_MAX_BYTES:
        return None
    named = [f for f in AGENTS_MD_FIELDS if f in set(changed)] or AGENTS_MD_FIELDS
    return (
        f"{', '.join(named)}: AGENTS.md would be {size:,} bytes, over the "
        f"{AGENTS_MD_MAX_BYTES // 1024} KiB Codex reads of it; give fewer or shorter entries, or leave "
        "agents_md out of agents"
    )


def _check_rendered(out: Path, files: list[str]) -> None:
    """Our own rule files must carry frontmatter their tool accepts (a template bug otherwise); AGENTS.md must
    fit what Codex reads (answers with very many persistent keys, TTL classes and environments overflow it)."""
    if "AGENTS.md" in files:
        problem = agents_md_problem((out / "AGENTS.md").stat().st_size)
        if problem:
            raise UserError(f"{problem}; nothing was written")
    for rel in files:
        if agent_files.is_marked_file(rel):
            problems = agent_files.validate_frontmatter(rel, (out / rel).read_text(encoding="utf-8"))
            if problems:
                raise UserError(f"template: {'; '.join(problems)}")


def _plan_merges(
    out: Path, targets: placement.Targets, existing: list[str], result: RenderResult
) -> dict[str, str | None]:
    """rel -> merged text (None: already up to date) for the existing files that are merged, not replaced."""
    merged: dict[str, str | None] = {}
    for rel in existing:
        path = targets.paths[rel]
        if agent_files.is_marked_file(rel):
            old = _read_text(path, rel)
            new = agent_files.merge_section(old, (out / rel).read_text(encoding="utf-8"), rel)
            merged[rel] = None if new == old else new
            result.warnings += agent_files.validate_frontmatter(rel, new)
        elif rel in claude_settings.HOOK_FILES:
            old = _read_text(path, rel)
            new = (out / rel).read_text(encoding="utf-8")
            merged[rel] = claude_settings.merge_hooks(old, new, rel, claude_settings.HOOK_FILES[rel])
    result.merged = sorted(merged)
    same = [rel for rel in existing if rel not in merged and _same_bytes(out / rel, targets.paths[rel])]
    merged.update(dict.fromkeys(same))  # already identical: not rewritten
    result.unchanged = sorted(rel for rel, text in merged.items() if text is None)
    return merged


def _same_bytes(a: Path, b: Path) -> bool:
    try:
        if not (a.is_file() and b.is_file()) or a.stat().st_size != b.stat().st_size:
            return False
        return a.read_bytes() == b.read_bytes()
    except OSError:
        return False


def _read_text(path: Path, rel: str) -> str:
    try:
        with path.open(encoding="utf-8", newline="") as handle:  # keep the file's own line endings
            return handle.read()
    except UnicodeDecodeError as exc:
        raise UserError(f"{rel}: not UTF-8 text; nothing was written") from exc
    except OSError as exc:
        raise UserError(f"{rel}: cannot read it: {exc.strerror}; nothing was written") from exc
