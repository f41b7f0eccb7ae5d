"""The project a lint run belongs to: its files, their module names, the index of their facts, the cache.

`Project.open()` finds the root (the policy's folder, else the nearest folder with a project marker; with
neither, only the files being linted form the project), lists the project's source files, loads cached
facts for files whose mtime and size are unchanged, and computes facts for the other files that are not
being linted (files being linted get theirs from the same parse that checks them, in import order, so a
cold run parses each file once). `save()` writes the cache back.
"""

from __future__ import annotations

import ast
import os
import posixpath
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..policy import Policy
from .index import (
    FactsCache,
    ModuleFacts,
    ProjectIndex,
    module_facts,
    project_root,
    python_module_name,
    scan_imports,
    source_root,
)
from .receivers import ModuleInfo, absolute_module, dotted
from .sources import MAX_BYTES, SourceError, read_source_file

PY_SUFFIXES = (".py",)
# import specifiers of a TypeScript / JavaScript module (`from "./x"`, `import("./x")`, `require("./x")`)
_TS_IMPORT = re.compile(r"""['"]((?:\.\.?|[@~])/[^'"\n]*)['"]""")  # any relative path literal (ordering only)
_JS_EXTENSION = re.compile(r"\.(?:[cm]?js|jsx)$")
# TypeScript, and JavaScript (read by the same tree-sitter analyzer: TypeScript's grammar is a superset)
TS_SUFFIXES = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")


class Project:
    """Files, module names and the facts index of one project (see the module docstring)."""

    def __init__(self, root: Path | None, policy: Policy, files: Sequence[Path], cache: bool) -> None:
        self.root = root
        self.policy = policy
        self.base = str(root) if root is not None else ""
        self._rel: dict[str, str | None] = {}  # path as given -> relative to the root (see rel)
        self.rels: dict[str, Path] = {}
        for file in files:
            rel = self.rel(file)
            if rel is not None:
                self.rels[rel] = file
        py = {r for r in self.rels if r.endswith(PY_SUFFIXES)}
        self.names: dict[str, tuple[str, bool]] = {r: python_module_name(r, py) for r in sorted(py)}
        self.module_files: dict[str, list[str]] = {}  # name -> files (sorted; one per source root)
        for rel, (name, _) in self.names.items():
            if name:
                self.module_files.setdefault(name, []).append(rel)
        top = {name.split(".")[0] for name, _ in self.names.values() if name}
        self.index = ProjectIndex(top)
        self.index.expected = set(self.module_files)
        self.index.expected_paths = {r for r in self.rels if r.endswith(TS_SUFFIXES)}
        settings = f"{policy.module_path}|{sorted(policy.lint.client_factories)}"
        self.cache = FactsCache(root, settings, enabled=cache) if root is not None else None
        self._lua: dict[str, Path] | None = None
        self.imported: set[str] | None = None  # modules some file of the run imports (None: not known)
        self.index.complete = self._complete
        self.stale: set[str] = set()
        self._resolved: dict[tuple[str, str], str | None] = {}  # (folder, specifier) -> project file
        self.stats: dict[str, os.stat_result] = {}
        for rel, file in self.rels.items():
            try:
                st = os.stat(file)
            except OSError:
                continue
            self.stats[rel] = st
            hit = self.cache.get(rel, st) if self.cache is not None else None
            if isinstance(hit, ModuleFacts):
                self._add(hit)
            else:
                self.stale.add(rel)

    @classmethod
    def open(cls, paths: Sequence[Path], policy: Policy, lint_files: Sequence[Path], cache: bool = True) -> Project:
        """The project of `paths` (the first one decides the root), indexed: see the module docstring."""
        from .engine import iter_source_files  # the walker lives with the engine (skip dirs, excludes)

        root = project_root(paths[0], policy.source) if paths else None
        if root is None:
            return cls(_common_root(lint_files), policy, lint_files, cache=False)
        files = list(iter_source_files([root], policy))
        project = cls(root, policy, files, cache)
        for file in lint_files:
            rel = project.rel(file)
            if rel is not None and rel not in project.rels:  # an excluded file named explicitly
                project.rels[rel] = file
        return project

    def rel(self, file: Path | str) -> str | None:
        """`file` relative to the root (forward slashes), None when outside it."""
        if not self.base:
            return None
        key = os.fspath(file)
        if key in self._rel:
            return self._rel[key]
        text = os.path.abspath(key)
        base = self.base.rstrip(os.sep) + os.sep
        if text.startswith(base):
            found: str | None = text[len(base) :].replace(os.sep, "/")
        else:
            real = os.path.realpath(text)
            found = real[len(base) :].replace(os.sep, "/") if real.startswith(base) else None
        self._rel[key] = found
        return found

    def module_of(self, rel: str | None) -> tuple[str, bool]:
        return self.names.get(rel, ("", False)) if rel is not None else ("", False)

    def _add(self, facts: ModuleFacts) -> None:
        self.index.add(facts)

    def record(self, rel: str | None, facts: ModuleFacts, cacheable: bool = True) -> None:
        """Facts computed from a parse during the run (stored in the cache when the file is on disk)."""
        self._add(facts)
        if rel is None:
            return
        self.stale.discard(rel)
        st = self.stats.get(rel)
        if cacheable and st is not None and self.cache is not None:
            self.cache.put(rel, st, facts)

    def index_others(self, linting: Iterable[str]) -> None:
        """Facts of stale project files that are not being linted (parsed here, once)."""
        skip = set(linting)
        for rel in sorted(self.stale - skip):
            file = self.rels[rel]
            try:
                source = read_source_file(file, MAX_BYTES)
            except SourceError:
                continue
            facts = self.facts_from_source(source, rel)
            if facts is not None:
                self.record(rel, facts)

    def _complete(self, facts: ModuleFacts) -> ModuleFacts | None:
        """Full facts for a module recorded as light (asked about now): parsed again, cached."""
        file = self.rels.get(facts.path)
        if file is None:
            return None
        try:
            source = read_source_file(file, MAX_BYTES)
            tree = ast.parse(source)
        except (SourceError, SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        full = self.python_facts(tree, source, facts.path, full=True)
        self.record(facts.path, full)
        return full

    def wanted(self, rel: str) -> bool:
        """Does some file import this module (so its full facts are needed)? Unknown: yes."""
        if self.imported is None:
            return True
        modname, _ = self.module_of(rel)
        return not modname or modname in self.imported or rel.endswith("__init__.py")

    def facts_from_source(self, source: str, rel: str) -> ModuleFacts | None:
        if rel.endswith(TS_SUFFIXES):
            from . import typescript

            return typescript.ts_facts(source, rel, self)
        if not rel.endswith(PY_SUFFIXES):
            return None
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        return self.python_facts(tree, source, rel)

    def python_facts(
        self, tree: ast.Module, source: str, rel: str, info: ModuleInfo | None = None, full: bool = False
    ) -> ModuleFacts:
        """Facts of a parsed module: the full walk when it may touch Redis and something imports it (or
        `full`), else only its imports (light: completed on demand)."""
        modname, is_package = self.module_of(rel)
        if not full and not self.wanted(rel):
            return light_facts(tree, rel, modname, is_package)
        if info is None:
            if not may_offer_client(source, self.policy):
                return light_facts(tree, rel, modname, is_package, light=False)
            info = ModuleInfo(
                tree, rel, self.policy.module_path, self.policy.lint.client_factories, None, modname, is_package
            )
            try:
                return module_facts(info, rel, self.index.top)
            finally:
                info.close()
        return module_facts(info, rel, self.index.top)

    def resolve_spec(self, rel: str, spec: str) -> str | None:
        """A TypeScript / JavaScript import specifier of module `rel` as a project file (relative to the root):
        relative paths, `@/` and `~/` (read as `src/`), bare paths under the root or `src/`; `.js` written for
        a `.ts` file and folder `index` files included. None when it is no project file."""
        key = (posixpath.dirname(rel), spec) if spec.startswith(".") else ("", spec)
        found = self._resolved.get(key, "?")
        if found != "?":
            return found
        if spec.startswith("."):
            bases = [posixpath.normpath(posixpath.join(key[0], spec))]
        elif spec.startswith(("@/", "~/")):
            bases = [f"src/{spec[2:]}", spec[2:]]
        else:
            bases = [spec, f"src/{spec}"]
        result = None
        for b in bases:
            stem = _JS_EXTENSION.sub("", b)
            candidates = (b, *(f"{stem}{ext}" for ext in TS_SUFFIXES), *(f"{stem}/index{ext}" for ext in TS_SUFFIXES))
            for candidate in candidates:
                if candidate in self.rels:
                    result = candidate
                    break
            if result is not None:
                break
        self._resolved[key] = result
        return result

    def order(self, files: Sequence[Path], sources: dict[Path, str]) -> list[Path]:
        """`files` with each one after the project modules it imports (depth first; cycles broken)."""
        by_rel = {self.rel(f): f for f in files}
        done: set[Path] = set()
        out: list[Path] = []
        self.imported = set()

        def visit(file: Path, depth: int) -> None:
            if file in done:
                return
            done.add(file)
            rel = self.rel(file)
            source = sources.get(file)
            if rel is not None and source is not None and depth < 200 and rel.endswith(PY_SUFFIXES):
                modname, is_package = self.module_of(rel)
                root = self.root_of(rel)
                for name in scan_imports(source, modname, is_package):
                    self._note_import(name)
                    target = self._file_of(name, root)
                    dep = by_rel.get(target) if target is not None else None
                    if dep is not None:
                        visit(dep, depth + 1)
            elif rel is not None and source is not None and depth < 200 and rel.endswith(TS_SUFFIXES):
                for m in _TS_IMPORT.finditer(source):
                    target = self.resolve_spec(rel, m.group(1))
                    dep = by_rel.get(target) if target is not None else None
                    if dep is not None:
                        visit(dep, depth + 1)
            out.append(file)

        for file in files:
            visit(file, 0)
        return out

    def _note_import(self, name: str) -> None:
        assert self.imported is not None
        parts = name.split(".")
        for i in range(1, len(parts) + 1):  # `from a.b import c` may import module a.b.c, and runs a, a.b
            self.imported.add(".".join(parts[:i]))

    def root_of(self, rel: str | None) -> str:
        """The source root of a project file (the folder its dotted module name starts from)."""
        if rel is None:
            return ""
        modname, _ = self.module_of(rel)
        return source_root(ModuleFacts(rel, modname))

    def _file_of(self, name: str, root: str = "") -> str | None:
        parts = name.split(".")
        for i in range(len(parts), 0, -1):
            rels = self.module_files.get(".".join(parts[:i]))
            if rels:
                return next((r for r in rels if r.startswith(root)), rels[0]) if len(rels) > 1 else rels[0]
        return None

    def imports_client(self, tree: ast.Module, rel: str) -> bool:
        """Does this module import (at top level) a name of the project that is a client, returns one or is a
        client class (`from app.db import redis_conn, get_redis`)?"""
        prel = self.rel(rel) if os.path.isabs(rel) else rel
        modname, is_package = self.module_of(prel)
        facts = light_facts(tree, prel or rel, modname, is_package)
        index = self.index
        index.set_root(self.root_of(prel))
        for canonical in facts.aliases.values():
            if index.owns(canonical) and index.offers(canonical):
                return True
        return False

    def lua_source(self, name: str) -> str | None:
        """The text of the project's Lua file `name` (a base name; the first found below the root, folders
        skipped as for sources); None when there is none or it cannot be read."""
        if self._lua is None:
            self._lua = {}
            if self.root is not None:
                from .engine import SKIP_DIRS

                for folder, dirs, files in os.walk(self.root):
                    dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info"))
                    for file in files:
                        if file.endswith(".lua"):
                            self._lua.setdefault(file, Path(folder, file))
        path = self._lua.get(name)
        if path is None:
            return None
        try:
            return read_source_file(path, 1 << 20)
        except SourceError:
            return None

    def save(self) -> None:
        if self.cache is not None:
            self.cache.save(set(self.rels))


def _common_root(files: Sequence[Path]) -> Path | None:
    if not files:
        return None
    try:
        common = Path(os.path.commonpath([os.path.abspath(f.parent) for f in files]))
    except ValueError:
        return None
    while (common / "__init__.py").is_file() and common.parent != common:
        common = common.parent  # the folder above the top package, so module names are importable names
    return common


def may_offer_client(source: str, policy: Policy) -> bool:
    """Can this module define something that holds or returns a client (worth a full walk for facts)?"""
    low = source.lower()
    if "redis" in low or "valkey" in low or "client" in low or "conn" in low:
        return True
    return any(f.rsplit(".", 1)[-1] in source for f in policy.lint.client_factories)


_BUILTIN_BASES = frozenset({"object", "dict", "list", "set", "tuple", "str", "int", "Exception", "BaseException"})


def light_facts(tree: ast.Module, rel: str, modname: str, is_package: bool, light: bool = True) -> ModuleFacts:
    """Only the imports and re-exports of a module (top-level statements, no walk). `light`: completed when
    asked about (False when the module cannot offer a client anyway)."""
    package = modname if is_package else modname.rpartition(".")[0]
    facts = ModuleFacts(rel, modname, light=light)
    imports: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            for a in node.names:
                imports.append(a.name)
                facts.aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            mod = absolute_module(node.level, node.module, package)
            imports.append(mod)
            for a in node.names:
                if a.name != "*":
                    facts.aliases[a.asname or a.name] = f"{mod}.{a.name}" if mod else a.name
                    imports.append(f"{mod}.{a.name}" if mod else a.name)
    facts.imports = sorted(set(imports))
    prefix = f"{modname}." if modname else ""
    for node in tree.body:  # its classes, so `s: Store` / `Store()` elsewhere is known as a project class
        if isinstance(node, ast.ClassDef):
            bases = []
            for b in node.bases:
                name = dotted(b)
                if name is not None:
                    head, _, rest = name.partition(".")
                    full = facts.aliases.get(head, f"{prefix}{head}" if head not in _BUILTIN_BASES else head)
                    bases.append(f"{full}.{rest}" if rest else full)
            facts.bases.setdefault(node.name, bases)
    from .index import TCP_CLIENT_MODULES, pickle_settings

    facts.tcp = sorted({m for m in facts.imports if m.split(".")[0] in TCP_CLIENT_MODULES})
    facts.pickles = pickle_settings(tree)
    return facts
