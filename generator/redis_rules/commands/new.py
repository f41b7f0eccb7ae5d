"""`redis-rules new [DEST]`: render a project from the answers (prompted on a TTY)."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from ..agent_files import is_marked_file
from ..claude_settings import SETTINGS_FILE
from ..errors import UserError
from ..owned import is_owned
from ..questions import load_questions, resolve_answers, skip_if_exists
from ..render import OWNED_FILES, RenderResult, render_project
from ..template_source import template_for_new


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "new",
        help="render Redis rules, modules and tests into a new project",
        description="Render CLAUDE.md, the Redis modules and their tests from the answers. "
        "Asks on a TTY; use --defaults/--data/--data-file otherwise.",
    )
    p.add_argument("dest", nargs="?", default=".", metavar="DEST", help="destination folder (default: .)")
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


def parse_data(items: list[str], data_file: Path | None) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if data_file is not None:
        try:
            loaded = yaml.safe_load(data_file.read_text(encoding="utf-8")) or {}
        except OSError as exc:
            raise UserError(f"--data-file: cannot read {data_file}: {exc.strerror}") from exc
        except yaml.YAMLError as exc:
            raise UserError(f"--data-file: {data_file} is not valid YAML") from exc
        if not isinstance(loaded, dict):
            raise UserError(f"--data-file: {data_file} must be a YAML mapping of answers")
        data.update({k: v for k, v in loaded.items() if not str(k).startswith("_")})
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--data: expected KEY=VALUE (got {item!r})")
        data[key.strip()] = value
    return data


def run(args: argparse.Namespace) -> int:
    src, root, vcs_ref = template_for_new(args.template, args.vcs_ref)
    questions = load_questions(root)
    given = parse_data(args.data, args.data_file)
    if not (args.defaults or given):
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise UserError(
                "no answers: stdin is not a terminal, so pass --defaults, --data KEY=VALUE or --data-file FILE"
            )
        from ..prompt import ask

        given = ask(questions)
    answers = resolve_answers(questions, given)  # fails fast, before anything is rendered
    data = {q.name: answers[q.name] for q in questions if not q.hidden and q.name in answers}
    dest = Path(args.dest)
    include = None
    if args.with_modules and args.into is None:
        raise UserError("--with-modules: only used with --into (a new project always gets its modules)")
    if args.into is not None:
        if args.dest != ".":
            raise UserError("--into: give the folder once, as --into EXISTING_REPO (not also as DEST)")
        dest = args.into
        check_answers_file(dest)
        include = adopted(answers, args.with_modules)
    started = time.perf_counter()
    result = render_project(
        src,
        dest,
        data,
        overwrite=args.overwrite,
        pretend=args.pretend,
        vcs_ref=vcs_ref,
        keep_existing=skip_if_exists(root, answers),
        include=include,
        into=args.into is not None,
    )
    elapsed = time.perf_counter() - started
    for warning in result.warnings:
        print(f"redis-rules: warning: {warning}", file=sys.stderr)
    if args.pretend:
        print(f"would write {len(result.files)} files into {result.dest}:")
        for rel in result.files:
            print(f"  {action_of(rel, result)}  {rel}")
        for rel in result.skipped:
            print(f"  skip  {rel} (exists)")
        return 0
    written = [f for f in result.files if f not in result.unchanged]
    print(f"wrote {len(written)} files into {result.dest} in {elapsed:.2f}s")
    if args.into is not None:
        for rel in result.files:
            print(f"  {action_of(rel, result)}  {rel}")
        for rel in result.skipped:
            print(f"  skip  {rel} (exists; --overwrite replaces it)")
        if not args.with_modules:
            print(f"note: the rules refer to modules under {answers['module_path']}/; add --with-modules to write them")
    if args.verify:
        return verify(result.dest, str(answers.get("language", "python")))
    return 0


def adopted(answers: dict[str, Any], with_modules: bool) -> Callable[[str], bool]:
    """Which rendered files `--into` writes: rule files, policy, answers, Claude hooks (+ modules, tests)."""
    module_path = str(answers["module_path"]).strip("/")
    if answers.get("language") == "typescript":
        folders = [module_path + "/", "test/redis/"]
        if answers.get("edge"):
            folders.append(str(answers["edge_path"]).strip("/") + "/")
        own_files: tuple[str, ...] = ()
    else:
        folders = [module_path + "/", "tests/redis/"]
        own_files = ("tests/__init__.py", f"{answers['package']}/__init__.py")

    def include(rel: str) -> bool:
        if is_marked_file(rel) or rel in OWNED_FILES or rel == SETTINGS_FILE or is_owned(rel):
            return True
        if with_modules:
            return rel.startswith(tuple(folders)) or rel in own_files
        return False

    return include


def check_answers_file(dest: Path) -> None:
    """Refuse to replace another Copier template's answers file."""
    path = dest / ".copier-answers.yml"
    if not path.is_file():
        return
    try:
        existing = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        existing = {}
    if not isinstance(existing, dict) or "key_format" not in existing:
        source = "another template"
        if isinstance(existing, dict):
            source = existing.get("_src_path", source)
        raise UserError(
            f"--into: {path} belongs to {source}; redis-rules needs that file name for its own answers "
            "(move it, or adopt into a subfolder)"
        )


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
        print(f"verifying: {sys.executable} -m pytest tests/redis (in {dest})")
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "tests/redis"], cwd=dest)
    print("verify: generated tests passed" if proc.returncode == 0 else "verify: generated tests FAILED")
    return 0 if proc.returncode == 0 else 1
