"""`redis-rules check [DEST]`: the CI and pre-commit gate. Changes nothing.

Exit 1 when a part redis-rules owns (agent rule sections, skills, subagent, hook entries and launcher,
the policy part of `.redis-rules.yml`; see redis_rules.owned) differs from what the answers render,
is missing, or is left over from answers that no longer render it; when a generated file the team owns
(a module, a test, the pre-commit config, the CI workflow) is deleted: its content is the team's, its
absence is not (each such line says how git restores it, or which answer stops rendering it); when conflict leftovers
(`<<<<<<<` blocks, `.rej` files, unmerged paths) remain; or when the project is behind its template.
Exit 0 otherwise, exit 2 for bad input (no answers file, invalid answers, unreadable template).

The reference is a fresh render into a temporary folder: from the installed template when the project
was rendered from it (this checkout, or the cache of installed versions), else from the recorded
template source at the recorded commit (`_src_path`, `_commit`).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import Any

from ..answers_file import ANSWERS_FILE, answers_data, read_answers_file
from ..errors import UserError
from ..gitenv import git_env
from ..owned import Problem, compare, reference_render
from ..questions import load_questions, resolve_answers, skip_if_exists
from ..redact import redact_url
from ..template_source import (
    bundled_template_root,
    installed_tag,
    is_remote_source,
    recorded_source_base,
    source_path,
    template_for_new,
)
from ..template_status import TemplateStatus, is_installed_source, template_status
from ..updating.answers import check_recorded
from ..updating.conflicts import count_marker_hunks
from .argtypes import folder

MAX_SCAN_BYTES = 4 * 1024 * 1024
SKIP_DIRS = frozenset(
    {".git", ".hg", ".venv", "venv", "env", "node_modules", "__pycache__", ".mypy_cache", ".ruff_cache",
     ".pytest_cache", ".hypothesis", ".tox", ".nox", "build", "dist"}
)  # fmt: skip


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "check",
        help="CI/pre-commit gate: generated parts current, no conflict leftovers, template not behind",
        description="Compare what redis-rules owns in DEST (rule-file sections, skills, subagent, hooks, the "
        "policy part of .redis-rules.yml) with a fresh render of the recorded answers, report generated files "
        "(modules, tests, pre-commit and CI files) deleted from DEST, look for conflict leftovers, and compare "
        "the recorded template version with the newest one known here. Changes nothing. Exit 0 current, "
        "1 drift/deleted/conflicts/behind, 2 usage or input error.",
    )
    p.add_argument(
        "dest", nargs="?", default=".", type=folder, metavar="DEST", help="the rendered project (default: .)"
    )
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    p.set_defaults(func=run)


SRC_PATH = f"_src_path in {ANSWERS_FILE}"


def located_answers(answers: dict[str, Any], dest: Path) -> dict[str, Any]:
    """The answers with a relative local `_src_path` made absolute where it resolves (recorded_source_base)."""
    src = str(answers.get("_src_path") or "")
    base = recorded_source_base(src, dest)
    if base is None:
        return answers
    return {**answers, "_src_path": str(base / source_path(src))}


def reference_source(answers: dict[str, Any]) -> AbstractContextManager[tuple[str, Path, str | None]]:
    """(copier src, local root with copier.yml, ref) of the template to compare with, as a context
    (a remote template's temporary clone is removed when it ends).

    A local source that is not on this machine (a path on the machine that ran `copier copy`, absent on a
    CI runner) is replaced by the installed template when that is the recorded release itself (`_commit` is
    its tag): the same files. UserError otherwise, naming `_src_path`."""
    src = str(answers.get("_src_path") or "")
    if not src:
        raise UserError(
            f"{SRC_PATH}: none recorded, so the template is unknown (`redis-rules new` and Copier record it)"
        )
    if is_installed_source(src):
        return template_for_new(None, None)
    commit = str(answers.get("_commit") or "") or None
    local = source_path(src)
    if not is_remote_source(src) and not (local.is_absolute() and local.is_dir()):
        installed = _installed_release(commit)
        if installed is not None:
            return installed
        raise UserError(
            f"{SRC_PATH}: {redact_url(src)} is not a template folder on this machine (a relative path is looked "
            f"up from the current folder, the project and its parent), and the installed redis-rules "
            f"({installed_tag()}) is not the release that rendered the project ({commit or 'no _commit'}): "
            "record the template's absolute path or git URL there, or install that release"
        )
    return template_for_new(src, commit, recorded=True)


def _installed_release(commit: str | None) -> AbstractContextManager[tuple[str, Path, str | None]] | None:
    """The installed template as a source, when its release tag is ``commit``; else None."""
    if commit is None or commit != installed_tag():
        return None
    root = bundled_template_root()
    if not (root / ".git").exists():
        return template_for_new(None, None)  # a wheel: rendered from the cache repo at this very tag
    if _git(root, "rev-parse", "-q", "--verify", f"refs/tags/{commit}") is None:
        return None  # a checkout without the tag (a clone made with --no-tags)
    return template_for_new(str(root), commit)


def conflict_leftovers(dest: Path) -> list[Problem]:
    """`<<<<<<<` blocks, `.rej` files and git's unmerged paths in DEST."""
    problems: dict[str, Problem] = {}
    files: list[str] = []
    listed = _git(dest, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    if listed is not None:
        files = [f for f in listed.split("\0") if f and not SKIP_DIRS.intersection(Path(f).parts[:-1])]
        unmerged = _git(dest, "diff", "--name-only", "--diff-filter=U", "-z") or ""
        for rel in filter(None, unmerged.split("\0")):
            problems[rel] = Problem("conflict", rel, "unmerged in git (resolve, then `git add`)")
    else:
        for folder, dirs, names in os.walk(dest):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info"))
            files += [(Path(folder) / n).relative_to(dest).as_posix() for n in sorted(names)]
    for rel in files:
        path = dest / rel
        if rel.endswith(".rej"):
            if path.is_file():
                problems.setdefault(rel, Problem("conflict", rel, "rejected hunks of an update: merge them, delete it"))
            continue
        try:
            if not path.is_file() or path.stat().st_size > MAX_SCAN_BYTES:
                continue
            data = path.read_bytes()
        except OSError:
            continue
        if b"\0" in data[:8192]:
            continue
        hunks = count_marker_hunks(data.decode("utf-8", errors="replace"))
        if hunks:
            problems.setdefault(rel, Problem("conflict", rel, f"{hunks} conflict block{'s' if hunks != 1 else ''}"))
    return sorted(problems.values(), key=lambda p: p.path or "")


def _git(dest: Path, *args: str) -> str | None:
    try:
        proc = subprocess.run(["git", *args], cwd=dest, capture_output=True, timeout=30, env=git_env())
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.decode("utf-8", errors="surrogateescape") if proc.returncode == 0 else None


def check_project(dest: Path) -> tuple[list[Problem], TemplateStatus]:
    # the answers' types are checked by resolve_answers below
    answers = read_answers_file(dest, "redis-rules did not render it (run `redis-rules new`)")
    answers = located_answers(answers, dest.resolve())
    _check_policy(dest)
    with reference_source(answers) as (src, root, ref):
        data = answers_data(answers)
        questions = load_questions(root)
        # refused as `update` refuses them (unknown or missing answers, values its validators reject), unless the
        # reference is another release than the recorded one (the project is behind: its questions may differ)
        check_recorded(questions, answers, upgrade=str(ref or "") != str(answers.get("_commit") or ""))
        given = {q.name: data[q.name] for q in questions if not q.hidden and q.name in data}
        resolved = resolve_answers(questions, given, ANSWERS_FILE)
        with reference_render(src, data, ref) as rendered:
            problems = compare(dest, rendered, starters=skip_if_exists(root, resolved))
    problems = [_with_restore(dest, p, answers) if p.kind == "deleted" else p for p in problems]
    problems += conflict_leftovers(dest)
    status = template_status(answers, look_up_source=True)
    if status.behind:
        problems.append(Problem("behind", None, status.message()))
    return problems, status


def _with_restore(dest: Path, problem: Problem, answers: dict[str, Any]) -> Problem:
    """A `deleted` problem whose detail says what brings the file back. Not `redis-rules update`: Copier's
    update keeps a deletion the project made (it leaves out every file the last render had and the project's
    tree lacks), so git restores it, from HEAD or from the parent of the commit that deleted it, and when git
    never held it, a render of the recorded answers and template (`_render_command`); or, for a module's own
    file, dropping that module from the answers stops rendering it."""
    modules = answers.get("modules")
    rel = problem.path or ""
    quoted = shlex.quote(rel)
    if _git(dest, "cat-file", "-e", f"HEAD:./{rel}") is not None:
        how = f"since the last commit: `git checkout HEAD -- {quoted}` restores it"
    else:
        found = (_git(dest, "log", "-1", "--format=%h", "--diff-filter=D", "--", f":(literal){rel}") or "").strip()
        if found and _git(dest, "cat-file", "-e", f"{found}^:./{rel}") is not None:
            # git's copy was rendered for the answers of its day: after an answer change (a client switched from
            # sync to asyncio) it would be a stale module that check could no longer tell apart (trial 19)
            later = (_git(dest, "log", "-1", "--format=%h", f"{found}..HEAD", "--", ANSWERS_FILE) or "").strip()
            if later:
                how = (
                    f"in commit {found}, and the answers changed since (commit {later}), so git's copy would be "
                    f"stale: {_render_command(rel, answers)} renders it for today's answers"
                )
            else:
                how = f"in commit {found}: `git checkout {found}^ -- {quoted}` restores it"
        else:
            how = f"(never committed, so git cannot restore it): {_render_command(rel, answers)} restores it"
    module = _module_of(rel, modules)
    if module is not None and isinstance(modules, list):
        rest = ", ".join(str(m) for m in modules if m != module)
        how += f'; or stop rendering it: `redis-rules update --set "modules=[{rest}]"`'
    return replace(problem, detail=f"{problem.detail} {how}")


def _render_command(rel: str, answers: dict[str, Any]) -> str:
    """A shell command, run in the project folder, that renders the recorded answers from the recorded template
    and ref (the installed template when the project was rendered from it) into a fresh temporary folder,
    copies `rel` from it and removes the folder. The template's URL is shown redacted: a token in it is never
    printed (the user puts it back)."""
    src = str(answers.get("_src_path") or "")
    ref = str(answers.get("_commit") or "")
    template = ""
    if src and not is_installed_source(src):
        template = f" --template {shlex.quote(redact_url(src))}" + (f" --vcs-ref {shlex.quote(ref)}" if ref else "")
    quoted = shlex.quote(rel)
    return (
        f'`R="$(mktemp -d)" && redis-rules new "$R/p" --defaults --data-file {ANSWERS_FILE}{template} '
        f'&& cp "$R/p/"{quoted} {quoted} && rm -rf "$R"`'
    )


def _module_of(rel: str, modules: object) -> str | None:
    """The module (an answer in `modules`) whose own file `rel` is, by the template's file names: `cache.py`,
    `test_cache.py`, `rate-limit.ts`, `rate-limit.test.ts` are rendered only while their module is chosen."""
    if not isinstance(modules, list):
        return None
    stem = PurePosixPath(rel).name.split(".", 1)[0].removeprefix("test_")
    for module in modules:
        if isinstance(module, str) and stem in (module, module.replace("_", "-")):
            return module
    return None


def _check_policy(dest: Path) -> None:
    """The team's `lint:`/`audit:` sections are theirs, not compared with a render: a policy that lint and audit
    would refuse (exit 2) is refused here too, so the gate is never green over it."""
    from ..lint.engine import policy_selectors
    from ..policy import POLICY_FILE, load_policy

    path = dest / POLICY_FILE
    if path.is_file():
        policy_selectors(load_policy(path))


def run(args: argparse.Namespace) -> int:
    dest = Path(args.dest).resolve()
    problems, status = check_project(dest)
    if args.format == "json":
        payload = {
            "dest": str(dest),
            "ok": not problems,
            "template": {"recorded": status.recorded, "newest": status.newest, "behind": status.behind},
            "problems": [p.to_dict() for p in problems],
        }
        print(json.dumps(payload, indent=2))
    elif not problems:
        print(f"redis-rules check: {dest} is current (template {status.recorded or 'unrecorded'})")
    else:
        noun = "problem" if len(problems) == 1 else "problems"
        print(f"redis-rules check: {len(problems)} {noun} in {dest}")
        for p in problems:
            where = f"{p.path}: " if p.path else ""
            print(f"  {p.kind:<9} {where}{p.detail}")
        hints = []
        if any(p.kind in ("drift", "missing", "stale") for p in problems):
            hints.append("`redis-rules update` puts the generated parts back (commit your work first)")
        if any(p.kind == "deleted" for p in problems):
            hints.append(
                "restore each deleted file as its line says (`redis-rules update` keeps deletions: it never "
                "re-creates one)"
            )
        if any(p.kind == "conflict" for p in problems):
            hints.append("resolve the conflict blocks and delete .rej files")
        if status.behind:
            hints.append("`redis-rules update --upgrade` moves to the newest template")
        print("fix: " + "; ".join(hints))
    return 1 if problems else 0
