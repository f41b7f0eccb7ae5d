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
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import quote

from ..errors import UserError
from ..policy import Policy
from .checks import CALL_ATTRS, REDIS_ONLY, Checker, Raw
from .index import import_lines
from .model import (
    BAD_SUPPRESSION,
    CHECKS,
    ERROR_CODES,
    READ_ERROR,
    SYNTAX_ERROR,
    Finding,
    check_selectors,
    matches,
    severity_of,
)
from .policy_cache import find_lint_policy
from .project import TS_SUFFIXES, Project, light_facts
from .receivers import ModuleInfo
from .sources import MAX_BYTES, SourceError, decode, printable_path, read_source_file
from .suppressions import MARKER, Suppressions, parse_suppressions

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
        ".redis-rules-cache",
    }
)
SOURCE_SUFFIXES: tuple[str, ...] = (".py", ".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")


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


@functools.lru_cache(maxsize=4096)
def _real(folder: str) -> str:
    return os.path.realpath(folder)


def _relative(path: str | Path, base: str) -> str | None:
    """`path` relative to the real folder `base` (forward slashes), None when outside it.
    Symlinks are resolved only when the plain absolute path is not already below `base`, and then
    only in the folder part (resolved once per folder: files of one folder share it)."""
    text = os.path.abspath(os.fspath(path))
    folder, name = os.path.split(text)
    for candidate in (text, os.path.join(_real(folder), name)):
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
    """Relative to the working directory when below it, else as given; printable on a strict UTF-8 stream."""
    rel = _relative(path, _real(os.getcwd()))
    return printable_path(rel if rel is not None else path.as_posix())


def module_names(rel: str) -> tuple[str, ...]:
    """Every dotted module name the file could be imported as (`a/b/c.py` -> c, b.c, a.b.c)."""
    parts = rel[:-3].split("/") if rel.endswith(".py") else rel.split("/")
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return tuple(".".join(parts[i:]) for i in range(len(parts) - 1, -1, -1) if parts[i:])


def iter_source_files(paths: Sequence[Path], policy: Policy) -> Iterator[Path]:
    """Files to lint, in a stable order. Explicitly named files are linted even when excluded (and even
    when they are not regular files: reading them then reports why). Folder symlinks are not followed."""
    seen: set[Path] = set()
    for path in paths:
        if not os.path.lexists(path):
            raise UserError(f"lint: no such file or directory: {display_path(path)}")
        if not path.is_dir():
            if path not in seen:
                seen.add(path)
                yield path
            continue
        unlistable: list[OSError] = []  # a folder this user may not list: reported (E902), never skipped silently
        for folder, dirs, files in os.walk(path, onerror=unlistable.append):
            yield from _unlistable(unlistable, seen)
            dirs[:] = sorted(
                d
                for d in dirs
                if d not in SKIP_DIRS and not d.endswith(".egg-info") and not _excluded(Path(folder, d), policy)
            )
            for name in sorted(files):
                if name.endswith(SOURCE_SUFFIXES) and not name.endswith((".d.ts", ".min.js")):
                    file = Path(folder, name)
                    if file not in seen and not _excluded(file, policy):
                        seen.add(file)
                        yield file
        yield from _unlistable(unlistable, seen)


def _unreadable(file: Path, exc: SourceError) -> str:
    """The E902 message for a file that could not be read, or a folder _unlistable yielded."""
    if not os.path.isdir(file):
        return f"cannot read file: {exc}"
    try:
        with os.scandir(file):
            pass
    except OSError as err:
        return f"cannot list folder: {err.strerror or err}"
    return f"cannot list folder: {exc}"


def _unlistable(errors: list[OSError], seen: set[Path]) -> Iterator[Path]:
    """The folders os.walk could not list: yielded like files, so reading them reports why (E902)."""
    for exc in errors:
        if exc.filename is not None and Path(exc.filename) not in seen:
            seen.add(Path(exc.filename))
            yield Path(exc.filename)
    errors.clear()


def iter_python_files(paths: Sequence[Path], policy: Policy) -> Iterator[Path]:
    """The Python files among iter_source_files (what bench/ times against a bare ast.parse)."""
    return (f for f in iter_source_files(paths, policy) if f.name.endswith(".py"))


def _excluded(path: Path, policy: Policy) -> bool:
    patterns = policy.lint.exclude
    if not patterns:
        return False
    rel = relative_to_root(path, policy)
    return any(glob_match(rel, p) for p in patterns)


# ---------------------------------------------------------------- suppressions
def _suppressions(source: str) -> Suppressions:
    """The suppression comments of a Python module (suppressions.py)."""
    if MARKER not in source:
        return Suppressions()
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return Suppressions()
    return parse_suppressions(
        (tok.start[0], tok.start[1] + 1, tok.string)
        for tok in tokens
        if tok.type == tokenize.COMMENT and MARKER in tok.string
    )


def bad_suppressions(suppressions: Suppressions, shown: str) -> list[Finding]:
    """One E903 finding per code of a suppression comment that names no rule (none when the file is ignored)."""
    if suppressions.file_all:
        return []
    return [_error_finding(BAD_SUPPRESSION, message, shown, line, col) for line, col, message in suppressions.bad]


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


def _error_finding(code: str, message: str, shown: str, line: int = 1, col: int = 1) -> Finding:
    return Finding(code, ERROR_CODES[code], message, shown, line, col, line, col, "error")


def _syntax_finding(exc: SyntaxError | ValueError, shown: str) -> Finding:
    if isinstance(exc, SyntaxError):
        line, col = exc.lineno or 1, max(exc.offset or 1, 1)
        return _error_finding(SYNTAX_ERROR, f"SyntaxError: {exc.msg}", shown, line, col)
    return _error_finding(SYNTAX_ERROR, f"SyntaxError: {exc}", shown)


def _too_deep(shown: str) -> Finding:
    return _error_finding(SYNTAX_ERROR, "expressions nested too deeply to check (RecursionError); file skipped", shown)


# Method names (and argument shapes) that only Redis has: a module using them is walked even when it never
# names redis (a client passed in as an unannotated parameter)
_REDIS_ONLY_ALTERNATIVES = "|".join(sorted(REDIS_ONLY, key=len, reverse=True))
_SHAPES = re.compile(rf"\.(?:(?:{_REDIS_ONLY_ALTERNATIVES}|p?expire|execute_command|eval|mset|mget)\(|keys\(\s*[^)\s])")


def _may_use_redis(
    source: str, rel: str, policy: Policy, project: Project | None = None, tree: ast.Module | None = None
) -> bool:
    """A sound shortcut: every check needs a Redis receiver, constructor, URL or Redis-only method name, and
    each of those needs the module to name redis/valkey, a configured factory, a Redis-only method, or to
    import a project module that offers a client. Other files are parsed (for E999) but not walked."""
    low = source.lower()
    if "redis" in low or "valkey" in low or "unix://" in low or _SHAPES.search(source):
        return True
    if "django.core" in source and "None" in source:  # Django's cache API: `cache.set(k, v, timeout=None)` (RR002)
        return True
    low_rel = rel.lower()
    if ("redis" in low_rel or "valkey" in low_rel or policy.module_path) and "client" in source:
        return True
    if any(f.rsplit(".", 1)[-1] in source for f in policy.lint.client_factories):
        return True
    if project is not None and "pickle" in source and _SERIALIZER.search(source) and project.index.uses_redis():
        return True  # a serializer of a project that keeps values in Redis (RR022)
    return project is not None and tree is not None and project.imports_client(tree, rel)


def policy_selectors(policy: Policy) -> tuple[list[str], list[str], list[tuple[str, list[str]]]]:
    """The policy's select, ignore and per-file ignores, checked: UserError naming the file, then the field."""
    where = f"policy {policy.source}:" if policy.source is not None else "policy"
    select = check_selectors(policy.lint.select, f"{where} lint.select")
    ignore = check_selectors(policy.lint.ignore, f"{where} lint.ignore")
    per_file = policy.lint.per_file_ignores
    if not isinstance(per_file, dict):
        raise UserError(f"{where} lint.per_file_ignores: must map a glob to a list of rule selectors")
    per_file_checked = [
        (str(pattern), check_selectors(codes, f"{where} lint.per_file_ignores[{pattern!r}]"))
        for pattern, codes in per_file.items()
    ]
    return select, ignore, per_file_checked


def _filters(
    policy: Policy, rel: str, select: Sequence[str] | None, ignore: Sequence[str] | None
) -> tuple[list[str], list[str]]:
    """(select, ignore) for one file: the command line's, else the policy's, plus per-file ignores."""
    policy_select, policy_ignore, per_file = policy_selectors(policy)
    chosen = list(select) if select else policy_select
    ignored = [*policy_ignore, *(ignore or [])]
    for pattern, codes in per_file:
        if glob_match(rel, pattern):
            ignored.extend(codes)
    return chosen, ignored


def lint_bytes(
    data: bytes,
    path: str = "<stdin>",
    policy: Policy | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
) -> list[Finding]:
    """lint_source for raw bytes (`lint -`): bounded and decoded as a file would be (sources.py), so bytes that
    are not text or over MAX_BYTES are one E902 finding, as for a file."""
    shown = printable_path(path)
    if len(data) > MAX_BYTES:
        return [_error_finding(READ_ERROR, f"cannot read stdin: over the {MAX_BYTES:,}-byte limit; skipped", shown)]
    try:
        source = decode(data, python=not path.endswith(TS_SUFFIXES))
    except SourceError as exc:
        return [_error_finding(READ_ERROR, f"cannot read stdin: {exc}", shown)]
    return lint_source(source, path, policy, select, ignore)


def lint_source(
    source: str,
    path: str = "<stdin>",
    policy: Policy | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    display: str | None = None,
    project: Project | None = None,
) -> list[Finding]:
    """Lint one module's source. `path` is used for policy globs (per-file ignores, reset scripts) and,
    unless `display` is given, shown in findings. select/ignore default to the policy's. With `project`,
    receivers are also resolved across the project's other modules (and this module's facts recorded).
    Test code is linted like any other, then TEST_EXEMPT's findings are dropped (both languages)."""
    policy = policy or Policy()
    shown = display if display is not None else printable_path(path)
    if path.endswith(TS_SUFFIXES):
        from .typescript import lint_typescript

        found = lint_typescript(source, path, policy, select, ignore, shown, project)
    else:
        found = _lint_python(source, path, policy, select, ignore, shown, project)
    if found and path not in ("<stdin>", "-") and is_test_file(relative_to_root(path, policy)):
        return [f for f in found if f.check not in TEST_EXEMPT]
    return found


def _lint_python(
    source: str,
    path: str,
    policy: Policy,
    select: Sequence[str] | None,
    ignore: Sequence[str] | None,
    shown: str,
    project: Project | None,
) -> list[Finding]:
    try:
        tree = ast.parse(source, filename=path)
    except (SyntaxError, ValueError) as exc:
        return [_syntax_finding(exc, shown)]
    except (RecursionError, MemoryError):
        return [_too_deep(shown)]
    rel = relative_to_root(path, policy) if path not in ("<stdin>", "-") else path
    select, ignore = _filters(policy, rel, select, ignore)
    try:
        raw = _check_tree(tree, source, path, rel, policy, project)
    except RecursionError:
        return [_too_deep(shown)]
    if not raw and MARKER not in source:
        return []
    return _findings(raw, source, shown, select, ignore, _suppressions(source))


def _check_tree(
    tree: ast.Module, source: str, path: str, rel: str, policy: Policy, project: Project | None
) -> list[Raw]:
    prel = project.rel(path) if project is not None and path not in ("<stdin>", "-") else None
    edge = _in_edge(rel, policy)
    relevant = edge or _may_use_redis(source, rel, policy, project, tree)
    if project is not None and prel is not None and prel in project.stale:
        if not relevant:
            modname, is_package = project.module_of(prel)
            project.record(prel, light_facts(tree, prel, modname, is_package, light=False))
    if not relevant:
        return []
    modname, is_package = project.module_of(prel) if project is not None else ("", False)
    info = ModuleInfo(tree, rel, policy.module_path, policy.lint.client_factories, CALL_ATTRS, modname, is_package)
    try:
        if project is not None and prel is not None and prel in project.stale:
            project.record(prel, project.python_facts(tree, source, prel, info))
        if project is not None:
            project.index.set_root(project.root_of(prel))
            info.set_project(project.index)
        checker = Checker(
            info,
            policy.is_persistent if policy.persistent_keys else None,
            reset_script=any(glob_match(rel, p) for p in policy.lint.reset_scripts),
            module_names=module_names(rel),
            edge=edge,
            test_file=is_test_file(rel),
            has_urls="://" in source,
            port_lines=_lines(_PORTS, source, _PORT_NEEDLES),
            mentions_redis="redis" in source.lower() or "valkey" in source.lower(),
            read_lua=project.lua_source if project is not None else None,
            url_lines=_lines(_URL_LITERAL, source, ("://",)),
            containers_need_ttl=policy.lint.containers_need_ttl,
        )
        return checker.run()
    finally:
        info.close()


_TEST_DIRS = frozenset({"tests", "test", "__tests__", "testing", "e2e"})
_TEST_FILE = re.compile(r"(^test_.*\.py$|_test\.py$|^conftest\.py$|[._-](test|spec)\.[cm]?tsx?$|_test\.[cm]?tsx?$)")


_IMPORTS_REDIS = re.compile(r"[ \t]*(?:import|from)[ \t]+(?:redis|valkey|coredis|aioredis)\b")  # at a line start
_URL_LITERAL = re.compile(r"""['"](?:rediss?|valkeys?|redis\+sentinel)://[^\s'"]+['"]""", re.IGNORECASE)
_NONE: frozenset[int] = frozenset()


def _lines(pattern: re.Pattern[str], source: str, needles: Sequence[str]) -> frozenset[int]:
    """1-based lines where `pattern` (which matches within one line, at one of the `needles`) matches: only the
    lines holding a needle are searched, found with str.find (much faster than a regex over the whole text)."""
    starts: set[int] = set()
    for needle in needles:
        i = source.find(needle)
        while i != -1:
            start = source.rfind("\n", 0, i) + 1
            end = source.find("\n", i)
            end = len(source) if end == -1 else end
            if start not in starts and pattern.search(source, start, end):
                starts.add(start)
            i = source.find(needle, end)
    out = []
    last, line = 0, 1
    for start in sorted(starts):
        line += source.count("\n", last, start)
        last = start
        out.append(line)
    return frozenset(out)


_SERIALIZER = re.compile(r"def (?:loads|load|loadb|decode|deserialize|unpickle|decode_value)\(")
_PORTS = re.compile(r"\b(?:6379|6380|26379|1637\d|700\d|3000[1-6])\b")
_PORT_NEEDLES = ("6379", "6380", "1637", "700", "3000")  # every _PORTS match holds one


# checks not run on test code, in either language: a fixture that empties the test server (FLUSHDB) and an
# assertion that lists the keys a test wrote (KEYS) are normal against a disposable server (trial 17)
TEST_EXEMPT = frozenset({"keys-command", "flush-command"})


def is_test_file(rel: str) -> bool:
    """Test code: a folder named tests/test/__tests__/testing/e2e, or a test file name (test_x.py, x_test.py,
    conftest.py, x.test.ts, x.spec.ts). Tests open and close clients per test on purpose and point at a
    local server: client-per-call and local URL defaults are not reported there, nor KEYS and FLUSHDB
    (TEST_EXEMPT)."""
    parts = rel.split("/")
    return any(p in _TEST_DIRS for p in parts[:-1]) or bool(_TEST_FILE.search(parts[-1]))


def _in_edge(rel: str, policy: Policy) -> bool:
    return any(glob_match(rel, p) for p in getattr(policy.lint, "edge_dirs", ()))


def _findings(
    raw: Sequence[Raw],
    source: str,
    shown: str,
    select: Sequence[str],
    ignore: Sequence[str],
    suppressions: Suppressions,
) -> list[Finding]:
    """Raw results -> Findings: registry codes and severities, select/ignore, suppression comments; the E903
    findings of comments naming no rule among them."""
    if suppressions.file_all:
        return []
    lines = source.splitlines()
    findings: list[Finding] = []
    seen: set[tuple[str, str, int, int]] = set()
    for r in raw:
        ident = (r.check, r.message, r.line, r.col)
        if ident in seen:
            continue
        seen.add(ident)
        code = CHECKS[r.check]
        if not _selected(code, select, ignore):
            continue
        if suppressions.hides(code, r.line, r.end_line):
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
                r.evidence,
                r.reason,
            )
        )
    findings.extend(bad_suppressions(suppressions, shown))
    findings.sort(key=lambda f: (f.line, f.column, f.code))
    return findings


def read_source(path: Path) -> str:
    """A source file's text (bounded, regular files only); raises SourceError (see sources.py)."""
    return read_source_file(path, MAX_BYTES)


class LintCrash(Exception):
    """Unexpected internal errors while checking some files; the other files' findings are kept."""

    def __init__(self, findings: list[Finding], crashes: list[tuple[str, str]]) -> None:
        super().__init__(f"internal error while checking {crashes[0][0]}")
        self.findings = findings
        self.crashes = crashes  # (file shown, formatted traceback)


def display_uri(path: Path) -> str:
    """The path as a URI reference for SARIF: relative when below the working directory, the file's bytes
    percent-encoded (names that are not UTF-8 stay exact)."""
    rel = _relative(path, _real(os.getcwd()))
    text = rel if rel is not None else os.path.abspath(path).replace(os.sep, "/")
    quoted = quote(os.fsencode(text), safe="/:@-._~!$&'()*+,;=")
    return quoted if rel is not None else "file://" + quoted


def _lint_file(
    file: Path,
    policy: Policy,
    select: Sequence[str] | None,
    ignore: Sequence[str] | None,
    project: Project | None = None,
    source: str | None = None,
) -> list[Finding]:
    shown = display_path(file)
    if source is None:
        try:
            source = read_source(file)
        except SourceError as exc:
            source = None
            found = [_error_finding(READ_ERROR, _unreadable(file, exc), shown)]
    if source is not None:
        found = lint_source(source, str(file), policy, select, ignore, display=shown, project=project)
    if found and shown != file.as_posix():
        uri = display_uri(file)
        for f in found:
            f.extra["uri"] = uri
    return found


def _guarded_lint(
    file: Path,
    policy: Policy,
    select: Sequence[str] | None,
    ignore: Sequence[str] | None,
    project: Project | None,
    source: str | None,
    crashes: list[tuple[str, str]],
) -> list[Finding]:
    """One file; an unexpected error is recorded (with its traceback) and the run goes on."""
    try:
        return _lint_file(file, policy, select, ignore, project, source)
    except UserError:
        raise
    except Exception:  # noqa: BLE001 - reported as an internal error (exit 3) after the other files
        crashes.append((display_path(file), traceback.format_exc()))
        return []


def lint_paths(
    paths: Sequence[Path],
    policy: Policy | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    jobs: int = 1,
    cache: bool = True,
) -> list[Finding]:
    """Lint files and folders (recursing into source files). Without a policy, the one governing the first
    path. Receivers are resolved across the project (see project.py); the facts are cached unless
    `cache` is False. `jobs` > 1 lints in that many processes (worth it from a few hundred files on).
    Raises UserError for bad input, LintCrash (carrying the other findings) after an internal error."""
    paths = [Path(p) for p in paths] or [Path.cwd()]
    for p in paths:
        if not os.path.lexists(p):
            raise UserError(f"lint: no such file or directory: {display_path(p)}")
    policy = policy or find_lint_policy(paths[0])
    _filters(policy, "", select, ignore)  # a bad policy selector is a usage error even with no file to lint
    files = list(iter_source_files(paths, policy))
    project = Project.open(paths, policy, files, cache=cache)
    linting = {project.rel(f) for f in files} - {None}
    project.index_others(linting)  # type: ignore[arg-type]
    crashes: list[tuple[str, str]] = []
    if jobs > 1 and len(files) >= 4 * jobs:
        findings = _lint_parallel(files, policy, select, ignore, project, jobs, crashes)
    else:
        findings = _lint_serial(files, policy, select, ignore, project, crashes)
    project.save()
    if crashes:
        raise LintCrash(findings, crashes)
    return findings


def _read_all(files: Sequence[Path]) -> tuple[dict[Path, str], dict[Path, str]]:
    sources: dict[Path, str] = {}
    errors: dict[Path, str] = {}
    for file in files:
        try:
            sources[file] = read_source(file)
        except SourceError as exc:
            errors[file] = str(exc)
    return sources, errors


def _lint_serial(
    files: Sequence[Path],
    policy: Policy,
    select: Sequence[str] | None,
    ignore: Sequence[str] | None,
    project: Project,
    crashes: list[tuple[str, str]],
) -> list[Finding]:
    sources, errors = _read_all(files)
    project.index.imports_redis = any(
        ("redis" in text or "valkey" in text) and next(import_lines(_IMPORTS_REDIS, text), None) is not None
        for text in sources.values()
    )
    per_file: dict[Path, list[Finding]] = {}
    missed: dict[Path, set[str]] = {}
    # The cyclic GC would re-scan every freshly built AST many times (a third of the run time); the
    # trees are acyclic and ModuleInfo.close() breaks our own cycles, so reference counting frees all.
    paused = gc.isenabled()
    gc.disable()
    try:
        for file in project.order(files, sources):
            if file in errors:
                per_file[file] = _guarded_lint(file, policy, select, ignore, project, None, crashes)
                continue
            project.index.missed.clear()
            per_file[file] = _guarded_lint(file, policy, select, ignore, project, sources[file], crashes)
            if project.index.missed:
                missed[file] = set(project.index.missed)
        # import cycles: a file checked before a module it asked about was indexed is checked again
        for file, modules in missed.items():
            if any(m in project.index.by_module or m in project.index.by_path for m in modules):
                per_file[file] = _guarded_lint(file, policy, select, ignore, project, sources[file], crashes)
    finally:
        if paused:
            gc.enable()
    return [f for file in files for f in per_file.get(file, ())]


_WORKER: dict[str, object] = {}


def _worker_init(policy: Policy, project: Project) -> None:
    gc.disable()
    _WORKER["policy"], _WORKER["project"] = policy, project


def _worker_facts(file: Path) -> tuple[str | None, object]:
    project: Project = _WORKER["project"]  # type: ignore[assignment]
    rel = project.rel(file)
    try:
        source = read_source(file)
    except SourceError:
        return rel, None
    return rel, project.facts_from_source(source, rel) if rel is not None else None


def _worker_lint(args: tuple[Path, Sequence[str] | None, Sequence[str] | None]) -> tuple[list[Finding], list]:  # type: ignore[type-arg]
    file, select, ignore = args
    crashes: list[tuple[str, str]] = []
    policy: Policy = _WORKER["policy"]  # type: ignore[assignment]
    found = _guarded_lint(file, policy, select, ignore, _WORKER["project"], None, crashes)  # type: ignore[arg-type]
    return found, crashes


def _lint_parallel(
    files: Sequence[Path],
    policy: Policy,
    select: Sequence[str] | None,
    ignore: Sequence[str] | None,
    project: Project,
    jobs: int,
    crashes: list[tuple[str, str]],
) -> list[Finding]:
    """Two parallel passes: facts of the stale files, then the checks with the whole index."""
    from concurrent.futures import ProcessPoolExecutor

    stale = [project.rels[r] for r in sorted(project.stale) if r in project.rels]
    chunk = max(1, len(files) // (jobs * 8))
    if stale:
        with ProcessPoolExecutor(jobs, initializer=_worker_init, initargs=(policy, project)) as pool:
            for rel, facts in pool.map(_worker_facts, stale, chunksize=chunk):
                if rel is not None and facts is not None:
                    project.record(rel, facts)  # type: ignore[arg-type]
    findings: list[Finding] = []
    with ProcessPoolExecutor(jobs, initializer=_worker_init, initargs=(policy, project)) as pool:
        for found, failed in pool.map(_worker_lint, [(f, select, ignore) for f in files], chunksize=chunk):
            findings.extend(found)
            crashes.extend(failed)
    return findings
