"""The project index: which names of which modules hold or return a Redis client, across a project.

Each file contributes `ModuleFacts` (computed from its own AST, cacheable): module globals that hold a
client, functions and methods that return one, client subclasses, class attributes set to a client in
any method, string constants (Lua scripts), imports. A fact that depends on another module is kept as
a *question* (`("factory", "app.db.get_client")`) and answered lazily by `ProjectIndex`, which walks
re-exports (`from .conn import redis_conn` in a package `__init__`), base classes and factories across
modules, with a cycle guard. Checks ask the index through `receivers.Resolver`.

Facts are cached per project in `<root>/.redis-rules-cache/` (or the user cache folder when the project
is read-only), keyed by each file's path, mtime and size, so a warm single-file run re-parses only that file.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import io
import os
import pickle
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ..policy import start_folder
from .names import FACTORY_DECORATORS, is_factory_name
from .receivers import (
    LUA_FILE,
    REDIS_ROOTS,
    ModuleInfo,
    Recv,
    Scope,
    absolute_module,
    decorator_names,
    is_property,
    lua_file,
    str_const,
)

Question = tuple[str, ...]  # ("instance" | "factory" | "client_class" | "const", canonical) or (kind, cls, name)
Answer = tuple[str | None, tuple[Question, ...]]  # (reason when known locally, questions for other modules)

CACHE_DIR = ".redis-rules-cache"
CACHE_FORMAT = 7  # bump when ModuleFacts or how facts are computed changes
PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", "package.json", "tsconfig.json", ".git")
TCP_CLIENT_MODULES = frozenset(
    {"redis", "valkey", "aioredis", "ioredis", "@redis/client", "iovalkey", "@valkey/client"}
)
_LUA_HINT = re.compile(r"redis\s*\.\s*p?call", re.IGNORECASE)


# expressions that never evaluate to a client (module facts skip them without asking anything)
_NEVER_CLIENT = frozenset(
    {ast.Constant, ast.JoinedStr, ast.Dict, ast.List, ast.Set, ast.Tuple, ast.Lambda, ast.BinOp, ast.UnaryOp}
    | {ast.ListComp, ast.DictComp, ast.SetComp, ast.GeneratorExp, ast.Compare}
)


@dataclass
class ModuleFacts:
    """What one module offers other modules (all names are absolute, dotted)."""

    path: str  # relative to the project root, forward slashes
    module: str  # dotted module name ("" for files outside any package layout)
    instances: dict[str, Answer] = field(default_factory=dict)  # global name -> holds a client
    factories: dict[str, Answer] = field(default_factory=dict)  # function name -> returns a client
    client_classes: dict[str, Answer] = field(default_factory=dict)  # class -> subclasses a client class
    attrs: dict[str, Answer] = field(default_factory=dict)  # "Class.attr" -> set to a client
    methods: dict[str, Answer] = field(default_factory=dict)  # "Class.method" -> returns a client
    bases: dict[str, list[str]] = field(default_factory=dict)  # class -> canonical base names
    aliases: dict[str, str] = field(default_factory=dict)  # imported name -> canonical (re-exports)
    consts: dict[str, str] = field(default_factory=dict)  # "NAME" / "Class.NAME" -> Lua script text
    imports: list[str] = field(default_factory=list)  # absolute modules (or TS specifiers) imported
    tcp: list[str] = field(default_factory=list)  # TCP client packages imported directly
    pickles: list[str] = field(default_factory=list)  # serializer settings that default to pickle (see below)
    light: bool = False  # only imports and re-exports (nobody imported the module when it was read)
    classes: set[str] = field(default_factory=set)  # TypeScript: the plain classes it declares (keys() its own)
    keys_forwarders: set[str] = field(default_factory=set)  # Python: classes whose keys(p) passes p on to KEYS
    # Python: factory-named functions that build a new client each time they run -> where ("app/deps.py line 5")
    fresh: dict[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------- facts of one module
class _Recorder:
    """A Resolver that knows nothing yet: it records every question asked, for the index to answer later."""

    def __init__(self, top: frozenset[str]) -> None:
        self.top = top
        self.asked: list[Question] = []

    def owns(self, canonical: str) -> bool:
        return canonical.split(".", 1)[0] in self.top

    def _ask(self, *q: str) -> None:
        self.asked.append(q)

    def instance(self, canonical: str) -> str | None:
        self._ask("instance", canonical)
        return None

    def factory(self, canonical: str) -> str | None:
        self._ask("factory", canonical)
        return None

    def client_class(self, canonical: str) -> str | None:
        self._ask("client_class", canonical)
        return None

    def attr(self, cls: str, attr: str) -> str | None:
        self._ask("attr", cls, attr)
        return None

    def returns(self, cls: str, method: str) -> str | None:
        self._ask("returns", cls, method)
        return None

    def const(self, canonical: str) -> str | None:
        self._ask("const", canonical)
        return None

    def is_plain_class(self, canonical: str) -> bool:
        return False

    def forwards_keys(self, canonical: str) -> bool:
        return False

    def tcp_chain(self, module: str) -> list[str] | None:
        return None

    def uses_redis(self) -> bool:
        return False

    def fresh_factory(self, canonical: str) -> str | None:
        return None  # asked only by the checks, never while facts are recorded

    def pickle_names(self) -> frozenset[str]:
        return frozenset()


_PICKLE_VALUES = frozenset({"pickle", "cpickle", "_pickle", "dill", "cloudpickle"})
_SERIALIZER_NAME = re.compile(r"seriali[sz]er|pickler|codec", re.IGNORECASE)


def pickle_settings(tree: ast.Module) -> list[str]:
    """Serializer settings of a module that default to pickle: module constants and class attributes (a
    settings class's defaults) named like a serializer and set to `'pickle'`, the pickle module, or a
    Pickle* serializer (`CACHEOPS_SERIALIZER = 'pickle'`, `SERIALIZER = PickleSerializer()`)."""
    found: list[str] = []
    bodies = [tree.body, *(n.body for n in tree.body if isinstance(n, ast.ClassDef))]
    for body in bodies:
        for stmt in body:
            if isinstance(stmt, ast.Assign):
                targets, value = stmt.targets, stmt.value
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                targets, value = [stmt.target], stmt.value
            else:
                continue
            for target in targets:
                if isinstance(target, ast.Name) and _SERIALIZER_NAME.search(target.id) and _is_pickle(value):
                    found.append(target.id)
    return sorted(set(found))


def _is_pickle(value: ast.expr) -> bool:
    if isinstance(value, ast.Call):
        value = value.func
    text = str_const(value)
    if text is None:
        parts: list[str] = []
        while isinstance(value, ast.Attribute):
            parts.append(value.attr)
            value = value.value
        if isinstance(value, ast.Name):
            parts.append(value.id)
        text = ".".join(reversed(parts))
    last = text.rsplit(".", 1)[-1].lower()
    return last in _PICKLE_VALUES or last.startswith("pickle")


def _answer(info: ModuleInfo, recorder: _Recorder, compute) -> Answer | None:  # type: ignore[no-untyped-def]
    """Run one classification with a fresh cache so every question it depends on is recorded."""
    info._cache.clear()
    recorder.asked = []
    r: Recv | None = compute()
    if r is not None and r.kind == "client":
        return (r.origin, ())
    asked = tuple(dict.fromkeys(recorder.asked))
    return (None, asked) if asked else None


def _builds_per_call(info: ModuleInfo, fn: Scope) -> int | None:
    """The line of the client constructor a function returns or yields without keeping it (`return
    Redis.from_url(url)`, `yield r` in a FastAPI dependency, or a local assigned from one): a new client each
    time it runs. None when it is cached by a decorator, keeps the client (a global, an attribute) or shares a
    pool (`connection_pool=`)."""
    node = fn.node
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    if not FACTORY_DECORATORS.isdisjoint(decorator_names(node)):
        return None
    for value in (*fn.returns, *fn.yields):  # a generator dependency yields its client per request
        if isinstance(value, ast.Await):
            value = value.value
        if isinstance(value, ast.Name):
            assigned = fn.values.get(value.id, ())
            if len(assigned) != 1 or value.id in fn.globals or value.id in info.stored:
                continue  # a lazy singleton: `r = Redis(...); _client = r; return r`
            value = assigned[0][0]
        if (
            isinstance(value, ast.Call)
            and id(value) not in info.exempt_ctor
            and not any(kw.arg == "connection_pool" for kw in value.keywords)
            and info.ctor_kind(value, fn) is not None
        ):
            return value.lineno
    return None


def module_facts(info: ModuleInfo, rel: str, top: frozenset[str]) -> ModuleFacts:
    """The facts one parsed module offers; `info` must not have a project resolver of its own."""
    recorder = _Recorder(top)
    info.set_project(recorder)
    facts = ModuleFacts(rel, info.modname)
    mod = info.module
    prefix = f"{info.modname}." if info.modname else ""
    for name in {*mod.values, *mod.annots}:
        if len(mod.values.get(name, ())) == 1:
            text = str_const(mod.values[name][0][0]) or lua_file(mod.values[name][0][0])
            if text is not None and (_LUA_HINT.search(text) or text.startswith(LUA_FILE)):
                facts.consts[name] = text
        if name not in mod.annots and all(type(v) in _NEVER_CLIENT for v, _ in mod.values[name]):
            continue  # literals, containers, lambdas, arithmetic: cannot hold a client
        ans = _answer(info, recorder, lambda name=name: info._name(name, mod))
        if ans is not None:
            facts.instances[name] = _located(ans, f"{prefix}{name}", rel)
    for name, fn in mod.funcs.items():
        if not fn.returns and not fn.yields and getattr(fn.node, "returns", None) is None:
            continue
        ans = _answer(info, recorder, lambda fn=fn: info._returns(fn))
        if ans is not None:
            facts.factories[name] = _located(ans, f"{prefix}{name}()", rel)
        built = _builds_per_call(info, fn) if is_factory_name(name, info.stem) else None
        if built is not None:
            facts.fresh[name] = f"{rel} line {built}"
    for cname, cls in info.classes.items():
        facts.bases[cname] = [c for c in (info.canonical(b, mod) for b in cls.bases) if c is not None]
        if cls.forwards_keys():
            facts.keys_forwarders.add(cname)
        ans = _answer(info, recorder, lambda cls=cls: _class_recv(info, cls))
        if ans is not None:
            facts.client_classes[cname] = _located(ans, f"{prefix}{cname}", rel)
        for attr in {*cls.attrs, *cls.annots, *(m for m, sc in cls.methods.items() if is_property(sc.node))}:
            values = cls.attrs.get(attr, ())
            if attr not in cls.annots and values and all(type(v) in _NEVER_CLIENT for v, _ in values):
                continue
            ans = _answer(info, recorder, lambda cls=cls, attr=attr: info._attr(cls, attr, set()))
            if ans is not None:
                facts.attrs[f"{cname}.{attr}"] = _located(ans, f"{prefix}{cname}.{attr}", rel)
        for mname, scope in cls.methods.items():
            if not scope.returns and getattr(scope.node, "returns", None) is None:
                continue
            ans = _answer(info, recorder, lambda scope=scope: info._returns(scope))
            if ans is not None:
                facts.methods[f"{cname}.{mname}"] = _located(ans, f"{prefix}{cname}.{mname}()", rel)
        for const, text in cls.consts.items():
            if _LUA_HINT.search(text) or text.startswith(LUA_FILE):
                facts.consts[f"{cname}.{const}"] = text
    info.set_project(None)
    facts.aliases = {k: v for k, v in info.aliases.items() if not v.startswith(".")}
    facts.imports = sorted(set(info.imports))
    facts.tcp = sorted({m for m in facts.imports if m.split(".")[0] in TCP_CLIENT_MODULES})
    facts.pickles = pickle_settings(info.tree)
    return facts


def _class_recv(info: ModuleInfo, cls) -> Recv | None:  # type: ignore[no-untyped-def]
    why = info._client_class_why(cls, set())
    return Recv("client", why=(why,)) if why is not None else None


def _located(ans: Answer, what: str, rel: str) -> Answer:
    reason, asked = ans
    return (f"{what} in {rel}: {reason}" if reason is not None else None, asked)


# ---------------------------------------------------------------- the index
class ProjectIndex:
    """Answers questions about the project's modules from their facts (a receivers.Resolver)."""

    def __init__(self, top: Iterable[str] = ()) -> None:
        self.modules: dict[str, list[ModuleFacts]] = {}  # several files may share a name (tests/ of two packages)
        self.root = ""  # source root of the file being checked: same-named modules under it are preferred
        self.by_path: dict[str, ModuleFacts] = {}
        self.top = frozenset(top)
        self.expected: set[str] = set()  # modules the project has (their facts may still be missing)
        self.expected_paths: set[str] = set()  # the same, by file path (TypeScript modules)
        self.missed: set[str] = set()  # modules asked about before their facts were known
        self._memo: dict[Question, str | None] = {}
        self._busy: set[Question] = set()
        self._cut = False
        self._uses: bool | None = None
        self._pickles: frozenset[str] | None = None
        self.imports_redis = False  # some file of the run imports a Redis client package (set by the engine)
        self.complete: Callable[[ModuleFacts], ModuleFacts | None] | None = None  # light facts -> full ones

    def add(self, facts: ModuleFacts, *names: str) -> None:
        old = self.by_path.get(facts.path)
        self.by_path[facts.path] = facts
        for name in (facts.module, *names):
            if name:
                same = [f for f in self.modules.get(name, ()) if f is not old and f.path != facts.path]
                self.modules[name] = sorted([*same, facts], key=lambda f: f.path)
        self._memo.clear()
        self._uses = None
        self._pickles = None

    def set_root(self, root: str) -> None:
        """The source root (`pkg-1.0/`, `src/`, "") of the module being checked: answers may differ per root."""
        if root != self.root:
            self.root = root
            self._memo.clear()

    def module(self, name: str) -> ModuleFacts | None:
        """The facts of module `name`: the one under the current source root when several files share it."""
        found = self.modules.get(name)
        if not found:
            return None
        chosen = found[0]
        if len(found) > 1:
            chosen = next((f for f in found if source_root(f) == self.root), chosen)
        return self._full(chosen)

    def _full(self, facts: ModuleFacts) -> ModuleFacts:
        """Facts with every symbol: light ones (recorded while nothing imported the module) are completed now."""
        if facts.light and self.complete is not None:
            full = self.complete(facts)
            if full is not None:
                return full
        return facts

    @property
    def by_module(self) -> dict[str, list[ModuleFacts]]:
        return self.modules

    # -- Resolver
    def owns(self, canonical: str) -> bool:
        return canonical.split(".", 1)[0] in self.top

    def _split(self, canonical: str) -> tuple[ModuleFacts, str] | None:
        parts = canonical.split(".")
        for i in range(len(parts) - 1, 0, -1):
            mod = ".".join(parts[:i])
            facts = self.module(mod)
            if facts is not None:
                return facts, ".".join(parts[i:])
            if mod in self.expected:
                self.missed.add(mod)
                return None
        return None

    def _resolve(self, q: Question) -> str | None:
        if q in self._memo:
            return self._memo[q]
        if q in self._busy:
            self._cut = True  # the answer being computed depends on one still open: do not memoize it
            return None
        self._busy.add(q)
        outer, self._cut = self._cut, False
        try:
            result = self._compute(q)
        finally:
            self._busy.discard(q)
        if result is not None or not self._cut or not self._busy:
            self._memo[q] = result  # a "no" reached through a cut is final only at the outermost question
        self._cut = outer or self._cut
        return result

    def _eval(self, ans: Answer | None) -> str | None:
        if ans is None:
            return None
        reason, asked = ans
        if reason is not None:
            return reason
        for q in asked:
            why = self._resolve(q)
            if why is not None:
                return why
        return None

    def _compute(self, q: Question) -> str | None:
        kind = q[0]
        if kind.startswith("ts-"):
            return self._ts(kind[3:], q[1], q[2], 0)
        if kind in ("attr", "returns"):
            return self._member(kind, q[1], q[2], 0)
        found = self._split(q[1])
        if found is None:
            return None
        facts, sym = found
        if sym in facts.aliases and facts.aliases[sym] != q[1]:
            return self._resolve((kind, facts.aliases[sym]))
        head, _, rest = sym.partition(".")
        if head in facts.aliases and rest:
            return self._resolve((kind, f"{facts.aliases[head]}.{rest}"))
        if kind == "instance":
            if rest and head in facts.bases:
                return self._member("attr", f"{facts.module}.{head}", rest, 0)
            return self._eval(facts.instances.get(sym))
        if kind == "factory":
            if rest and head in facts.bases:
                return self._member("returns", f"{facts.module}.{head}", rest, 0)
            if sym in facts.bases:
                return self._resolve(("client_class", q[1]))
            return self._eval(facts.factories.get(sym))
        if kind == "client_class":
            return self._eval(facts.client_classes.get(sym))
        if kind == "const":
            text = facts.consts.get(sym)
            if text is None and rest and head in facts.bases:  # inherited class constant
                for base in facts.bases[head]:
                    if self.owns(base):
                        text = self._resolve(("const", f"{base}.{rest}"))
                        if text is not None:
                            break
            return text
        return None

    def _ts(self, kind: str, rel: str, name: str, depth: int) -> str | None:
        """A TypeScript module's export `name` (kind: instance | factory | class | fresh), through re-exports
        (`export { a as b } from "./x"`, `export * from "./x"`; aliases hold "rel#name")."""
        facts = self.by_path.get(rel)
        facts = self._full(facts) if facts is not None else None
        if facts is None:
            if rel in self.expected_paths:
                self.missed.add(rel)
            return None
        if depth > 20:
            return None
        if kind == "fresh":  # where a factory builds a new client per call (a location, no reasoning to follow)
            why = facts.fresh.get(name)
        else:
            table = {"instance": facts.instances, "factory": facts.factories, "class": facts.client_classes}[kind]
            why = self._eval(table.get(name))
        if why is not None:
            return why
        target = facts.aliases.get(name)
        if target is not None and "#" in target:
            trel, _, tname = target.partition("#")
            return self._resolve((f"ts-{kind}", trel, tname))
        for key, target in facts.aliases.items():
            if key.startswith("*") and name != "default":
                why = self._resolve((f"ts-{kind}", target, name))
                if why is not None:
                    return why
        return None

    def ts_plain_class(self, rel: str, name: str, depth: int = 0) -> bool:
        """Is a TypeScript module's export `name` (through re-exports) a class that is no client class and
        whose keys() is its own (TsClass.plain_keys)?"""
        facts = self.by_path.get(rel)
        facts = self._full(facts) if facts is not None else None
        if facts is None or depth > 20:
            return False
        target = facts.aliases.get(name)
        if target is not None and "#" in target:
            trel, _, tname = target.partition("#")
            return self.ts_plain_class(trel, tname, depth + 1)
        if name in facts.classes:
            return self._resolve(("ts-class", rel, name)) is None
        stars = [t for key, t in facts.aliases.items() if key.startswith("*")] if name != "default" else []
        return any(self.ts_plain_class(t, name, depth + 1) for t in stars)

    def _member(self, kind: str, cls: str, name: str, depth: int) -> str | None:
        found = self._split(cls)
        if found is None or depth > 20:
            return None
        facts, sym = found
        if sym in facts.aliases:
            return self._member(kind, facts.aliases[sym], name, depth + 1)
        table = facts.attrs if kind == "attr" else facts.methods
        why = self._eval(table.get(f"{sym}.{name}"))
        if why is not None:
            return why
        for base in facts.bases.get(sym, ()):
            if self.owns(base):
                why = self._resolve((kind, base, name))
                if why is not None:
                    return why
        return None

    def instance(self, canonical: str) -> str | None:
        return self._resolve(("instance", canonical))

    def factory(self, canonical: str) -> str | None:
        return self._resolve(("factory", canonical))

    def fresh_factory(self, canonical: str, hops: int = 0) -> str | None:
        """Where a project function named as a factory builds a new client each time it runs, or None; a name a
        package re-exports (`from .deps import get_redis` in its __init__.py) is followed to its definition."""
        split = self._split(canonical)
        if split is None:
            return None
        facts, sym = split
        where = facts.fresh.get(sym)
        target = facts.aliases.get(sym)
        if where is None and target and target != canonical and hops < 8:
            return self.fresh_factory(target, hops + 1)
        return where

    def client_class(self, canonical: str) -> str | None:
        return self._resolve(("client_class", canonical))

    def attr(self, cls: str, attr: str) -> str | None:
        return self._resolve(("attr", cls, attr))

    def returns(self, cls: str, method: str) -> str | None:
        return self._resolve(("returns", cls, method))

    def const(self, canonical: str) -> str | None:
        return self._resolve(("const", canonical))

    def offers(self, canonical: str) -> bool:
        """Is this project name a client, a client factory, a client class, or a class with client members?"""
        if self.instance(canonical) or self.factory(canonical) or self.client_class(canonical):
            return True
        found = self._split(canonical)
        if found is None:
            return False
        facts, sym = found
        prefix = f"{sym}."
        return any(
            key.startswith(prefix) and self._eval(ans)
            for table in (facts.attrs, facts.methods)
            for key, ans in table.items()
        )

    def pickle_names(self) -> frozenset[str]:
        """Serializer settings (names) that some module of the project defaults to pickle."""
        if self._pickles is None:
            self._pickles = frozenset(n for f in self.by_path.values() for n in f.pickles)
        return self._pickles

    def uses_redis(self) -> bool:
        """Does any module of the project hold, return or subclass a client?"""
        if self._uses is None:
            self._uses = self.imports_redis or any(
                f.instances or f.factories or f.client_classes or f.attrs or f.methods for f in self.by_path.values()
            )
        return self._uses

    def is_plain_class(self, canonical: str, depth: int = 0) -> bool:
        """A project class that is not a client class (its instances are wrappers, not clients): none of its
        bases is a client library's class or a project class that is not plain (a module read only for its
        imports and classes has no client_classes of its own to say so)."""
        found = self._split(canonical)
        if found is None or depth > 20:
            return False
        facts, sym = found
        if sym in facts.aliases:
            return (
                facts.aliases[sym] != canonical
                and self.owns(facts.aliases[sym])
                and (self.is_plain_class(facts.aliases[sym], depth + 1))
            )
        if sym not in facts.bases or self.client_class(canonical) is not None:
            return False
        return all(
            self.is_plain_class(base, depth + 1) if self.owns(base) else base.split(".")[0] not in REDIS_ROOTS
            for base in facts.bases[sym]
        )

    def forwards_keys(self, canonical: str, depth: int = 0) -> bool:
        """Is a project class (through re-exports) one whose keys(p) passes p on to KEYS (ClassInfo.forwards_keys)?"""
        found = self._split(canonical)
        if found is None or depth > 20:
            return False
        facts, sym = found
        if sym in facts.aliases and facts.aliases[sym] != canonical:
            return self.forwards_keys(facts.aliases[sym], depth + 1)
        return sym in facts.keys_forwarders

    def tcp_chain(self, module: str, seen: set[str] | None = None) -> list[str] | None:
        """The import path from `module` to a TCP client package ([module, ..., 'ioredis']), or None."""
        seen = seen if seen is not None else set()
        facts = self.module(module) or self.by_path.get(module)
        if facts is None or module in seen:
            return None
        seen.add(module)
        if facts.tcp:
            return [module, facts.tcp[0]]
        for imported in facts.imports:
            target = self._module_key(imported)
            if target is not None:
                chain = self.tcp_chain(target, seen)
                if chain is not None:
                    return [module, *chain]
        return None

    def _module_key(self, name: str) -> str | None:
        if name in self.modules or name in self.by_path:
            return name
        parts = name.split(".")
        for i in range(len(parts) - 1, 0, -1):
            if ".".join(parts[:i]) in self.modules:
                return ".".join(parts[:i])
        return None


def source_root(facts: ModuleFacts) -> str:
    """The folder a module's dotted name starts from (`rq-1.16.2/` for rq-1.16.2/tests/__init__.py as `tests`)."""
    if not facts.module:
        return ""
    tail = facts.module.replace(".", "/")
    path = facts.path.rsplit(".", 1)[0]
    for candidate in (tail + "/__init__", tail):
        if path.endswith(candidate):
            return path[: len(path) - len(candidate)]
    return ""


# ---------------------------------------------------------------- layout and cache
def project_root(start: Path, policy_source: Path | None) -> Path | None:
    """The folder whose files form the project: the policy's folder, else the nearest folder (from
    `start` up) holding a project marker (pyproject.toml, package.json, .git, ...); None when there is none."""
    if policy_source is not None:
        return policy_source.resolve().parent
    folder = start_folder(start)
    for candidate in (folder, *folder.parents):
        if any(os.path.lexists(candidate / m) for m in PROJECT_MARKERS):  # False, not an error, when unlistable
            return candidate
    return None


def python_module_name(rel: str, files: set[str]) -> tuple[str, bool]:
    """(dotted name, is a package) of a project file, from the folders holding `__init__.py` above it."""
    parts = rel[:-3].split("/") if rel.endswith(".py") else rel.split("/")
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    folders = rel.split("/")[:-1]
    start = len(folders)
    while start > 0 and "/".join([*folders[:start], "__init__.py"]) in files:
        start -= 1
    names = parts[start:]
    return ".".join(names), is_package


def cache_folders(root: Path) -> Iterator[Path]:
    """Where lint caches the project's data: `<root>/.redis-rules-cache/`, else (read-only project) a folder
    of the user cache named by the root's path."""
    yield root / CACHE_DIR
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    digest = hashlib.sha1(str(root).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    yield Path(base) / "redis-rules" / digest


def ensure_cache_folder(folder: Path) -> None:
    """Create a cache folder; the project's gets a .gitignore (its content is never committed)."""
    folder.mkdir(parents=True, exist_ok=True)
    if folder.name == CACHE_DIR:
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# created by redis-rules lint\n*\n", encoding="utf-8")


@functools.cache  # the facts and the policy caches both key on it; the code does not change within a run
def code_fingerprint() -> str:
    """Sizes and mtimes of this package's lint modules: facts cached by another version of the code (an upgrade,
    an editable install being worked on) are not reused. Cheaper than reading the installed version."""
    folder = Path(__file__).parent
    parts = []
    for name in sorted(os.listdir(folder)):
        if name.endswith(".py"):
            st = os.stat(folder / name)
            parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:12]


class _FactsUnpickler(pickle.Unpickler):
    """Unpickles ModuleFacts and builtin containers only: any other global (`os.system`, `builtins.eval`...)
    is refused, so a crafted file in a shared project folder cannot run code (Python docs, pickle,
    "Restricting Globals"). A refused file is a cache miss."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == (__name__, "ModuleFacts"):
            return ModuleFacts
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a facts cache")


def read_cache_file(file: Path, limit: int) -> bytes | None:
    """A cache file's bytes, or None (a miss) unless it is a regular file of at most `limit` bytes that this
    user wrote (_written_by_us). Opened without blocking: a FIFO or device put in its place is refused, not
    waited on or read without end."""
    try:
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit or not _written_by_us(st):
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(limit + 1)
        return data if len(data) <= limit else None
    except OSError:
        return None
    finally:
        os.close(fd)


def _written_by_us(st: os.stat_result) -> bool:
    """Only a cache file this user owns and nobody else may write is read (another user who can write the
    project folder could put one there; POSIX only, elsewhere the unpickler's allowlist is the guard)."""
    if not hasattr(os, "geteuid"):
        return True
    return st.st_uid == os.geteuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _checksum(payload: bytes) -> bytes:
    """The first line of a facts file: the pickle's SHA-256, so a file cut short or edited is a cache miss."""
    return b"redis-rules-facts sha256=" + hashlib.sha256(payload).hexdigest().encode()


_BLANK = ModuleFacts("", "")


def _entry_ok(rel: object, entry: object) -> bool:
    """A cache entry as FactsCache.put writes it: rel -> (mtime_ns, size, ModuleFacts with fields of their types)."""
    if not (isinstance(rel, str) and isinstance(entry, tuple) and len(entry) == 3):
        return False
    mtime, size, facts = entry
    return (
        isinstance(mtime, int)
        and isinstance(size, int)
        and isinstance(facts, ModuleFacts)
        and all(type(getattr(facts, f.name, None)) is type(getattr(_BLANK, f.name)) for f in fields(ModuleFacts))
    )


MAX_FACTS_BYTES = 256 << 20  # a facts file larger than this is not ours (a large monorepo's is a few MB)


class FactsCache:
    """Per-file facts on disk: {rel: (mtime_ns, size, ModuleFacts)}, one pickle per project and settings."""

    def __init__(self, root: Path, settings: str, enabled: bool = True) -> None:
        self.root = root
        self.enabled = enabled
        key = hashlib.sha1(f"{CACHE_FORMAT}|{code_fingerprint()}|{settings}".encode()).hexdigest()[:16]
        self.name = f"facts-{key}.pickle"
        self.entries: dict[str, tuple[int, int, object]] = {}
        self.dirty = False
        self.path: Path | None = None
        if enabled:
            self._load()

    def _candidates(self) -> Iterator[Path]:
        return cache_folders(self.root)

    def _load(self) -> None:
        for folder in self._candidates():
            file = folder / self.name
            raw = read_cache_file(file, MAX_FACTS_BYTES)
            if raw is None:
                continue
            head, _, payload = raw.partition(b"\n")
            if head != _checksum(payload):  # cut short, edited or not ours: a cache miss
                continue
            try:
                data = _FactsUnpickler(io.BytesIO(payload)).load()
            except (pickle.PickleError, EOFError, AttributeError, ImportError, ValueError, TypeError, RecursionError):
                continue
            if isinstance(data, dict) and all(_entry_ok(k, v) for k, v in data.items()):
                self.entries = data
                self.path = file
                return

    def get(self, rel: str, stat: os.stat_result) -> object | None:
        hit = self.entries.get(rel)
        if hit is not None and hit[0] == stat.st_mtime_ns and hit[1] == stat.st_size:
            return hit[2]
        return None

    def put(self, rel: str, stat: os.stat_result, value: object) -> None:
        if self.enabled:
            self.entries[rel] = (stat.st_mtime_ns, stat.st_size, value)
            self.dirty = True

    def save(self, keep: set[str]) -> None:
        """Write the cache atomically (dropping files that are gone); silently skipped when nowhere is writable."""
        if not self.enabled or not (self.dirty or set(self.entries) - keep):
            return
        data = {k: v for k, v in self.entries.items() if k in keep}
        for folder in ([self.path.parent] if self.path is not None else []) + list(self._candidates()):
            try:
                ensure_cache_folder(folder)
                import tempfile  # only when the cache is written

                fd, tmp = tempfile.mkstemp(dir=folder, prefix=".facts-", suffix=".tmp")
                try:
                    payload = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
                    with os.fdopen(fd, "wb") as fh:
                        fh.write(_checksum(payload) + b"\n" + payload)
                    os.replace(tmp, folder / self.name)
                except BaseException:
                    os.unlink(tmp)
                    raise
                _prune(folder, KEEP_FILES)
                return
            except OSError:
                continue


KEEP_FILES = 4  # facts files kept per cache folder (one per code version and lint settings), newest first


def _prune(folder: Path, keep: int) -> None:
    """Remove all but the `keep` newest facts files (older code versions, settings no longer used)."""
    try:
        files = sorted(folder.glob("facts-*.pickle"), key=lambda f: f.stat().st_mtime_ns, reverse=True)
        for old in files[keep:]:
            old.unlink()
    except OSError:
        pass  # another run pruned it first, or the folder is read-only: harmless


IMPORT_RE = re.compile(r"[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import|import[ \t]+([\w.]+))")  # at a line start


def import_lines(pattern: re.Pattern[str], source: str) -> Iterator[re.Match[str]]:
    """Matches of `pattern` at the start of the lines holding the word `import` (every import statement does):
    str.find locates them, so the text is not run through a line-anchored regex (five times slower)."""
    i, last = source.find("import"), -1
    while i != -1:
        start = source.rfind("\n", 0, i) + 1
        if start != last:
            m = pattern.match(source, start)
            if m is not None:
                last = start
                yield m
        i = source.find("import", i + 6)


def scan_imports(source: str, modname: str, is_package: bool) -> list[str]:
    """Absolute module names a Python source imports (a cheap text scan, for ordering files)."""
    package = modname if is_package else modname.rpartition(".")[0]
    out = []
    for m in import_lines(IMPORT_RE, source):
        name = m.group(1) if m.group(1) is not None else m.group(2)
        if name.startswith("."):
            rest = name.lstrip(".")
            name = absolute_module(len(name) - len(rest), rest, package)
        if name and name.split(".")[0] not in REDIS_ROOTS:
            out.append(name)
    return out


__all__ = [
    "FactsCache",
    "ModuleFacts",
    "ProjectIndex",
    "module_facts",
    "project_root",
    "python_module_name",
    "scan_imports",
]
