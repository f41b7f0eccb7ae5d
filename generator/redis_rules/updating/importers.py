"""Who still imports a module an update deleted (trial 14: `update --set "modules=[cache]"` deleted rate_limit.py
while the team's views imported it, and nothing said so). Read from the updated work tree: the team's files that
git tracks, Python and TypeScript/JavaScript, by their imports as lint reads them (Python's `ast` with relative
imports resolved as lint resolves them, absolute_module; lint's tree-sitter reader, module_specifiers), not a full
resolver."""

from __future__ import annotations

import ast
import functools
import posixpath
from pathlib import Path

from ..lint.receivers import absolute_module
from ..lint.typescript import module_specifiers
from .gitutil import GitError, git

_PY = (".py",)
_JS = (".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs")
_MAX_FILES = 5000  # a monorepo's worth; beyond it the note is left out rather than slowing the update
_MAX_BYTES = 1 << 20


def importers_of(dest: Path, deleted: list[str]) -> dict[str, list[str]]:
    """For each deleted module (a path relative to DEST), the files of DEST (relative paths, sorted) that still
    import it. Modules nobody imports, and files that are not modules, are left out."""
    modules = [p for p in deleted if p.endswith(_PY + _JS) and not p.endswith("__init__.py")]
    if not modules:
        return {}
    try:
        listed = git("ls-files", "-z", "--", *(f"*{s}" for s in _PY + _JS), cwd=dest)
    except GitError:
        return {}
    files = [f for f in listed.split("\0") if f and f not in deleted][:_MAX_FILES]
    found: dict[str, list[str]] = {}
    for rel in files:
        try:
            path = dest / rel
            if path.stat().st_size > _MAX_BYTES:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for module in modules:
            if _imports(rel, text, module):
                found.setdefault(module, []).append(rel)
    _specifiers.cache_clear()
    return {m: sorted(found[m]) for m in modules if m in found}


def _imports(rel: str, text: str, module: str) -> bool:
    if module.endswith(_PY):
        return rel.endswith(_PY) and _python_imports(rel, text, module)
    return rel.endswith(_JS) and _js_imports(rel, text, module)


def _python_imports(rel: str, text: str, module: str) -> bool:
    """`import a.b.m`, `from a.b.m import x`, `from a.b import m`, and the relative forms of both (`from .m import
    x`, `from ..b import m`), resolved against the importing file's package."""
    parts = _module_parts(module[: -len(".py")])
    stem = parts[-1]
    if stem not in text:
        return False  # cheap: no need to parse
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    dotted, package = ".".join(parts), ".".join(parts[:-1])
    here = ".".join(_module_parts(posixpath.dirname(rel)))  # the importing file's package
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any(a.name == dotted or a.name.startswith(dotted + ".") for a in node.names):
                return True
        elif isinstance(node, ast.ImportFrom):
            source = absolute_module(node.level, node.module, here)  # as lint resolves it
            if source == dotted or (source == package and any(a.name == stem for a in node.names)):
                return True
    return False


def _module_parts(path: str) -> list[str]:
    """A folder or module path as import parts: `src/` layouts import from below src/. Not lint's
    python_module_name (index.py): that one starts the name below the last folder without `__init__.py`, so a
    namespace package (`src/app/redis/streams.py`, no `__init__.py`) would be plain `streams` there."""
    parts = [p for p in path.split("/") if p]
    return parts[1:] if parts[:1] == ["src"] and len(parts) > 1 else parts


def _js_imports(rel: str, text: str, module: str) -> bool:
    """An import, export-from, `import x = require`, dynamic import or require whose relative specifier names the
    module's file (read by lint's TypeScript parser, module_specifiers)."""
    target = posixpath.splitext(module)[0]
    if posixpath.basename(target) not in text:
        return False  # cheap: no need to parse
    for spec in _specifiers(rel, text):
        if not spec.startswith("."):
            continue
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(rel), spec))
        if resolved == target or posixpath.splitext(resolved)[0] == target:
            return True
    return False


@functools.lru_cache(maxsize=1)  # the file being read: parsed once for all the deleted modules
def _specifiers(rel: str, text: str) -> tuple[str, ...]:
    return tuple(module_specifiers(text, rel))
