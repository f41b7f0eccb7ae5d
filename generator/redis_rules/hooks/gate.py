"""Lint for the hooks: the edited file (lint-edit) and the files changed in the working tree (stop-gate).

Both call the `redis-rules lint` command line in this process (`--format json`), so a language the
linter learns (TypeScript) is covered without changing the hooks. Only regular files are passed
(never a FIFO or a device: they could block), each at most MAX_FILE_BYTES. Rule violations
(RRnnn) are reported, and so is a suppression comment naming no rule (E903: the assistant may have written
it believing a finding hidden); a file the linter could not read or parse (E902/E999) is not the assistant's
rule violation and is left to its other tools.
"""

from __future__ import annotations

import contextlib
import io
import json
import stat
from dataclasses import dataclass
from pathlib import Path

LINT_SUFFIXES = (".py", ".pyi", ".ts", ".tsx", ".mts", ".cts")
MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_FILES = 500  # changed files linted by the stop gate
MAX_LINES = 30  # findings shown to the assistant; the rest are counted


class LintUnavailable(Exception):
    """The linter could not run (bad policy file, internal error): the hook lets go and says why."""


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    column: int
    code: str
    message: str
    severity: str

    def describe(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.code} {self.message}"


def lintable(path: Path) -> bool:
    """A regular file (after symlinks) with a source suffix, small enough to lint in a hook."""
    if not path.name.endswith(LINT_SUFFIXES) or path.name.endswith(".d.ts"):
        return False
    try:
        info = path.stat()
    except (OSError, ValueError):
        return False
    return stat.S_ISREG(info.st_mode) and info.st_size <= MAX_FILE_BYTES


def lint(files: list[Path]) -> list[Finding]:
    """Rule findings (RRnnn) and bad suppressions (E903) in these files, from `redis-rules lint --format json`."""
    if not files:
        return []
    from ..cli import main
    from ..lint.model import BAD_SUPPRESSION

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["lint", "--format", "json", "--", *(str(f) for f in files)])
        except SystemExit as exc:  # argparse
            code = int(exc.code) if isinstance(exc.code, int) else 2
    if code not in (0, 1):
        lines = [line.strip() for line in (err.getvalue() or out.getvalue()).splitlines() if line.strip()]
        detail = lines[0].removeprefix("redis-rules: error: ") if lines else f"redis-rules lint exited {code}"
        raise LintUnavailable(detail)
    try:
        rows = json.loads(out.getvalue() or "[]")
    except ValueError as exc:
        raise LintUnavailable("redis-rules lint printed no JSON") from exc
    found = []
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict) or not str(row.get("code", "")).startswith(("RR", BAD_SUPPRESSION)):
            continue
        found.append(
            Finding(
                path=str(row.get("path", "?")),
                line=int(row.get("line", 0) or 0),
                column=int(row.get("column", 0) or 0),
                code=str(row["code"]),
                message=str(row.get("message", "")),
                severity=str(row.get("severity", "error")),
            )
        )
    return found


def changed_files(project: Path) -> list[Path]:
    """Lintable files under `project` that git sees as added, modified or untracked (not ignored)."""
    from ..updating.gitutil import GitError, status, toplevel

    try:
        top = toplevel(project)
        entries = status(top, project) if top is not None else []
    except (GitError, OSError, UnicodeDecodeError):
        return []
    files: list[Path] = []
    for entry in entries:
        if entry.kind == "deleted" or entry.path.endswith("/"):
            continue
        path = top / entry.path if top is not None else project / entry.path
        if lintable(path):
            files.append(path)
        if len(files) >= MAX_FILES:
            break
    return files


def report(findings: list[Finding], header: str) -> str:
    """The findings as the assistant reads them: a header, one line each (capped), how to explain."""
    lines = [header]
    lines += [f.describe() for f in findings[:MAX_LINES]]
    if len(findings) > MAX_LINES:
        lines.append(f"... and {len(findings) - MAX_LINES} more (run `redis-rules lint` to see all)")
    codes = sorted({f.code for f in findings if f.code.startswith("RR")})
    if codes:
        lines.append(f"Explain a rule: `redis-rules rules {codes[0]}`. A finding that is wrong: suppress that line")
        lines.append(f"with {_suppression_comment(findings, codes[0])} and say why.")
    else:  # only E903: suppression comments that name no rule
        lines.append("Fix each suppression comment above: list rule ids such as RR007 (`redis-rules rules` has them).")
    return "\n".join(lines)


def _suppression_comment(findings: list[Finding], code: str) -> str:
    """The suppression comment in the languages of the reported files: `#` is a syntax error in TypeScript."""
    script = [f for f in findings if not f.path.endswith(".py") and not f.path.endswith(".pyi")]
    python = len(script) < len(findings)
    forms = ([f"`# redis-rules: ignore[{code}]`"] if python else []) + (
        [f"`// redis-rules: ignore[{code}]`"] if script else []
    )
    return " (Python) or ".join(forms) + (" (TypeScript)" if python and script else "")
