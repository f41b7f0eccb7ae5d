"""Walk files, run the checks, apply policy select/ignore, per-file ignores and suppressions."""

from __future__ import annotations

import ast
import fnmatch
import functools
import gc
import io
import os
import re
import tokenize
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from ..errors import UserError
from ..policy import Policy, find_policy
from .checks import CALL_ATTRS, Checker, Raw
from .model import CHECKS, READ_ERROR, SYNTAX_ERROR, Finding, check_selectors, matches, severity_of
from .receivers import ModuleInfo

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "node_modules",
        "__pycache__",
        "build",
        "dist",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".eggs",
    }
)
_MARKER = "redis-rules:"
_SUPPRESS = re.compile(r"redis-rules:\s*(ignore-file|ignore)\b(?:\[([^\]]*)\])?")


# ---------------------------------------------------------------- paths and globs
def glob_match(rel: str, pattern: str) -> bool:
    """Match a forward-slash relative path against a glob: `*` spans folders, `**/` may match none,
    a pattern without `/` matches the file name, a folder pattern matches everything under it."""
    pattern = pattern.strip()
    if not pattern:
        return False
    if pattern.startswith("./"):
        pattern = pattern[2:]
    if fnmatch.fnmatchcase(rel, pattern):
        return True
    if pattern.startswith("**/") and glob_match(rel, pattern[3:]):
        return True
    if "/" not in pattern.rstrip("/"):
        name = pattern.rstrip("/")
        return any(fnmatch.fnmatchcase(part, name) for part in rel.split("/"))
    folder = pattern.rstrip("/")
    if folder.endswith("/**"):
        folder = folder[:-3]
    return rel.startswith(folder + "/") or fnmatch.fnmatchcase(rel, folder + "/*")


@functools.lru_cache(maxsize=64)
def _real(folder: str) -> str:
    return os.path.realpath(folder)


def _relative(path: str | Path, base: str) -> str | None:
    """`path` relative to the real folder `base` (forward slashes), None when outside it.
    Symlinks are resolved only when the plain absolute path is not already below `base`."""
    text = os.fspath(path)
    for candidate in (os.path.abspath(text), os.path.realpath(text)):
        if candidate == base:
            return "."
        if candidate.startswith(base.rstrip(os.sep) + os.sep):
            return candidate[len(base.rstrip(os.sep)) + 1 :].replace(os.sep, "/")
    return None


def relative_to_root(path: str | Path, policy: Policy) -> str:
    """The path policy globs match: relative to the policy's folder (or cwd), forward slashes."""
    base = _real(str(policy.source.parent) if policy.source is not None else os.getcwd())
    rel = _relative(path, base)
    return rel if rel is not None else Path(path).as_posix().lstrip("/")


def display_path(path: Path) -> str:
    """Relative to the working directory when below it, else as given."""
    rel = _relative(path, _real(os.getcwd()))
    return rel if rel is not None else path.as_posix()


def module_names(rel: str) -> tuple[str, ...]:
    """Every dotted module name the file could be imported as (`a/b/c.py` -> c, b.c, a.b.c)."""
    parts = rel[:-3].split("/") if rel.endswith(".py") else rel.split("/")
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return tuple(".".join(parts[i:]) for i in range(len(parts) - 1, -1, -1) if parts[i:])


def iter_python_files(paths: Sequence[Path], policy: Policy) -> Iterator[Path]:
    """Files to lint, in a stable order. Explicitly named files are linted even when excluded."""
    seen: set[Path] = set()
    for path in paths:
        if not path.exists():
            raise UserError(f"lint: no such file or directory: {path}")
        if path.is_file():
            if path not in seen:
                seen.add(path)
                yield path
            continue
        for folder, dirs, files in os.walk(path):
            dirs[:] = sorted(
                d
                for d in dirs
                if d not in SKIP_DIRS and not d.endswith(".egg-info") and not _excluded(Path(folder, d), policy)
            )
            for name in sorted(files):
                if name.endswith(".py"):
                    file = Path(folder, name)
                    if file not in seen and not _excluded(file, policy):
                        seen.add(file)
                        yield file


def _excluded(path: Path, policy: Policy) -> bool:
    patterns = policy.lint.exclude
    if not patterns:
        return False
    rel = relative_to_root(path, policy)
    return any(glob_match(rel, p) for p in patterns)


# ---------------------------------------------------------------- suppressions
def _codes(text: str | None) -> set[str] | None:
    """None means "every code" (a bare ignore)."""
    if text is None:
        return None
    return {c.strip() for c in text.split(",") if c.strip()} or None


def _suppressions(source: str) -> tuple[dict[int, set[str] | None], set[str] | None, bool]:
    """(line -> suppressed codes or None for all, file-level codes, whole file ignored)."""
    lines: dict[int, set[str] | None] = {}
    file_codes: set[str] = set()
    file_all = False
    if _MARKER not in source:
        return lines, None, False
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return lines, None, False
    for tok in tokens:
        if tok.type != tokenize.COMMENT or _MARKER not in tok.string:
            continue
        for match in _SUPPRESS.finditer(tok.string):
            codes = _codes(match.group(2))
            if match.group(1) == "ignore-file":
                if codes is None:
                    file_all = True
                else:
                    file_codes |= codes
            else:
                line = tok.start[0]
                if codes is None or lines.get(line, set()) is None:
                    lines[line] = None
                else:
                    lines[line] = (lines.get(line) or set()) | codes
    return lines, file_codes or None, file_all


def _suppressed(code: str, codes: Iterable[str] | None) -> bool:
    if codes is None:
        return True
    return any(matches(c, code) for c in codes)


# ---------------------------------------------------------------- linting
def _selected(code: str, select: Sequence[str] | None, ignore: Sequence[str] | None) -> bool:
    if select and not any(matches(s, code) for s in select):
        return False
    return not (ignore and any(matches(i, code) for i in ignore))


def _column(lines: list[str], line: int, col: int) -> int:
    """1-based character column from the AST's 0-based UTF-8 byte offset."""
    if 1 <= line <= len(lines):
        text = lines[line - 1]
        if not text.isascii():
            return len(text.encode("utf-8")[:col].decode("utf-8", errors="ignore")) + 1
    return col + 1


def _syntax_finding(exc: SyntaxError | ValueError, shown: str) -> Finding:
    if isinstance(exc, SyntaxError):
        line, col = exc.lineno or 1, max(exc.offset or 1, 1)
        message = f"SyntaxError: {exc.msg}"
    else:
        line, col, message = 1, 1, f"SyntaxError: {exc}"
    return Finding(SYNTAX_ERROR, "syntax-error", message, shown, line, col, line, col, "error")


def _may_use_redis(source: str, rel: str, policy: Policy) -> bool:
    """A sound shortcut: every check needs a Redis client, constructor or URL, and each of those needs
    the module to name redis/valkey (imports, annotations, factory names), a configured factory, or the
    client module. Files that cannot contain any are not walked (they are still parsed, for E999)."""
    low = source.lower()
    if "redis" in low or "valkey" in low or "unix://" in low:
        return True
    low_rel = rel.lower()
    if ("redis" in low_rel or "valkey" in low_rel or policy.module_path) and "client" in source:
        return True
    return any(f.rsplit(".", 1)[-1] in source for f in policy.lint.client_factories)


def lint_source(
    source: str,
    path: str = "<stdin>",
    policy: Policy | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    display: str | None = None,
) -> list[Finding]:
    """Lint one module's source. `path` is used for policy globs (per-file ignores, reset scripts)
    and, unless `display` is given, shown in findings. select/ignore default to the policy's."""
    policy = policy or Policy()
    shown = display if display is not None else path
    try:
        tree = ast.parse(source, filename=path)
    except (SyntaxError, ValueError) as exc:
        return [_syntax_finding(exc, shown)]
    select = list(select) if select else check_selectors(policy.lint.select, "policy lint.select")
    ignore = [*check_selectors(policy.lint.ignore, "policy lint.ignore"), *(ignore or [])]
    rel = relative_to_root(path, policy) if path not in ("<stdin>", "-") else path
    per_file = policy.lint.per_file_ignores
    if not isinstance(per_file, dict):
        raise UserError("policy lint.per_file_ignores: must map a glob to a list of rule selectors")
    for pattern, codes in per_file.items():
        codes = check_selectors(codes, f"policy lint.per_file_ignores[{pattern!r}]")
        if glob_match(rel, str(pattern)):
            ignore.extend(codes)
    if select and not any(_selected(code, select, ignore) for code in CHECKS.values()):
        return []
    if ignore and not any(_selected(code, select, ignore) for code in CHECKS.values()):
        return []
    if not _may_use_redis(source, rel, policy):
        return []
    info = ModuleInfo(tree, rel, policy.module_path, policy.lint.client_factories, CALL_ATTRS)
    reset = any(glob_match(rel, p) for p in policy.lint.reset_scripts)
    checker = Checker(
        info,
        policy.is_persistent if policy.persistent_keys else None,
        reset_script=reset,
        module_names=module_names(rel),
    )
    try:
        raw = checker.run()
    finally:
        info.close()
    if not raw:
        return []
    line_codes, file_codes, file_all = _suppressions(source)
    if file_all:
        return []
    lines = source.splitlines()
    findings: list[Finding] = []
    seen: set[Raw] = set()
    for r in raw:
        if r in seen:
            continue
        seen.add(r)
        code = CHECKS[r.check]
        if not _selected(code, select, ignore):
            continue
        if file_codes is not None and _suppressed(code, file_codes):
            continue
        if r.line in line_codes and _suppressed(code, line_codes[r.line]):
            continue
        if r.end_line != r.line and r.end_line in line_codes and _suppressed(code, line_codes[r.end_line]):
            continue
        findings.append(
            Finding(
                code,
                r.check,
                r.message,
                shown,
                r.line,
                _column(lines, r.line, r.col),
                r.end_line,
                _column(lines, r.end_line, r.end_col),
                severity_of(code),
            )
        )
    findings.sort(key=lambda f: (f.line, f.column, f.code))
    return findings


def read_source(path: Path) -> str:
    data = path.read_bytes()
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        encoding = "utf-8"
    return data.decode(encoding)


def _lint_file(file: Path, policy: Policy, select: Sequence[str] | None, ignore: Sequence[str] | None) -> list[Finding]:
    shown = display_path(file)
    try:
        source = read_source(file)
    except (OSError, UnicodeDecodeError, LookupError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return [Finding(READ_ERROR, "io-error", f"cannot read file: {reason}", shown, 1, 1, 1, 1, "error")]
    return lint_source(source, str(file), policy, select, ignore, display=shown)


def lint_paths(
    paths: Sequence[Path],
    policy: Policy | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    jobs: int = 1,
) -> list[Finding]:
    """Lint files and folders (recursing into *.py). Without a policy, the one governing the first path.
    `jobs` > 1 lints in that many processes (worth it from a few hundred files on)."""
    paths = [Path(p) for p in paths] or [Path.cwd()]
    for p in paths:
        if not p.exists():
            raise UserError(f"lint: no such file or directory: {p}")
    policy = policy or find_policy(paths[0])
    files = list(iter_python_files(paths, policy))
    findings: list[Finding] = []
    if jobs > 1 and len(files) >= 4 * jobs:
        from concurrent.futures import ProcessPoolExecutor
        from functools import partial

        work = partial(_lint_file, policy=policy, select=select, ignore=ignore)
        with ProcessPoolExecutor(max_workers=jobs, initializer=gc.disable) as pool:
            for found in pool.map(work, files, chunksize=max(1, len(files) // (jobs * 8))):
                findings.extend(found)
        return findings
    # The cyclic GC would re-scan every freshly built AST many times (a third of the run time); the
    # trees are acyclic and ModuleInfo.close() breaks our own cycles, so reference counting frees all.
    paused = gc.isenabled()
    gc.disable()
    try:
        for file in files:
            findings.extend(_lint_file(file, policy, select, ignore))
    finally:
        if paused:
            gc.enable()
    return findings
