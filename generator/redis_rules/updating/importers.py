"""Who still imports a module an update deleted (trial 14: `update --set "modules=[cache]"` deleted rate_limit.py
while the team's views imported it, and nothing said so). Read from the updated work tree: the team's files that
git tracks, Python and TypeScript/JavaScript, by their import lines (text, not a full resolver)."""

from __future__ import annotations

import ast
import posixpath
import re
from pathlib import Path

from .gitutil import GitError, git

_PY = (".py",)
_JS = (".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs")
_SPECIFIER = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["']([^"']+)["']""", re.M)
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
    here = _module_parts(posixpath.dirname(rel))  # the importing file's package
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any(a.name == dotted or a.name.startswith(dotted + ".") for a in node.names):
                return True
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)] if node.level - 1 <= len(here) else []
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            if source == dotted or (source == package and any(a.name == stem for a in node.names)):
                return True
    return False


def _module_parts(path: str) -> list[str]:
    """A folder or module path as import parts: `src/` layouts import from below src/."""
    parts = [p for p in path.split("/") if p]
    return parts[1:] if parts[:1] == ["src"] and len(parts) > 1 else parts


def _js_imports(rel: str, text: str, module: str) -> bool:
    """An import, export-from, dynamic import or require whose relative specifier names the module's file."""
    target = posixpath.splitext(module)[0]
    for spec in _SPECIFIER.findall(text):
        if not spec.startswith("."):
            continue
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(rel), spec))
        if resolved == target or posixpath.splitext(resolved)[0] == target:
            return True
    return False
