"""Is this expression a Redis client? Receiver inference for the lint checks.

The checks judge the receiver, not the method name: `d.keys()` on a dict, `event.set()`
or `r.bitfield(k).set(...)` are not Redis commands. A receiver is a Redis client (or a
pipeline) only when the module shows it:

- constructor calls of redis / redis.asyncio / valkey / upstash_redis clients (and
  `from_url`), assigned to names, globals or `self.<attr>`;
- annotations (`r: redis.Redis`, parameters annotated `Redis`, `Pipeline`, ...);
- calls to client factories: names in the policy's `client_factories`, anything imported
  from the generated `<module_path>.client` module, `get_redis*` style names, and local
  functions/methods whose return value is a client;
- `.pipeline()` on a client (transaction flag remembered) and commands chained on it;
- `self` inside a subclass of a Redis client class.

Inference is flow-insensitive within a function: a name is a client when any of its
bindings in that scope is one. Anything unknown is not a client (a missed finding is
preferred over a noisy one).
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import Protocol

from .names import is_factory_name

REDIS_ROOTS = frozenset({"redis", "valkey", "upstash_redis", "aioredis"})
# a package or module named for Redis (flask_redis, django_redis, connect-redis, ioredis-mock): its classes may
# be clients, so the linters never call them "another package's object"
REDIS_NAMED = re.compile(r"redis|valkey|upstash", re.IGNORECASE)
CLIENT_CLASSES = frozenset({"Redis", "StrictRedis", "RedisCluster", "Valkey", "StrictValkey", "ValkeyCluster"})
PIPELINE_CLASSES = frozenset({"Pipeline", "ClusterPipeline"})
POOL_CLASSES = frozenset({"ConnectionPool", "BlockingConnectionPool", "SentinelConnectionPool"})
SENTINEL_CLASSES = frozenset({"Sentinel"})
URL_CONSTRUCTORS = frozenset({"from_url", "from_env"})
# function names that conventionally return the process-wide client
FACTORY_NAMES = frozenset(
    {
        "get_client",
        "get_redis",
        "get_redis_client",
        "get_redis_connection",
        "get_async_client",
        "get_async_redis",
        "get_valkey",
        "make_client",
        "create_client",
        "_create_client",
        "_get_client",
        "_get_redis",
        "make_redis",
        "create_redis",
        "redis_client",
    }
)
# pipeline methods that do not return the pipeline (everything else is a queued command)
PIPE_TERMINAL = frozenset(
    {
        "execute",
        "reset",
        "watch",
        "unwatch",
        "multi",
        "discard",
        "close",
        "aclose",
        "immediate_execute_command",
    }
)
# nodes with nothing below them worth visiting, and fields that never hold such nodes
_LEAVES = frozenset(
    {ast.Name, ast.Constant, ast.Pass, ast.Break, ast.Continue, ast.alias, ast.MatchSingleton, str, int}
)
_SKIP_FIELDS = frozenset(
    {
        *(
            "ctx",
            "op",
            "ops",
            "id",
            "attr",
            "arg",
            "name",
            "names",
            "module",
            "level",
            "kind",
            "type_comment",
        ),
        *("conversion", "is_async", "kwd_attrs", "rest", "tag", "asname"),
    }
)
_FIELDS: dict[type, tuple[str, ...]] = {}
# node types _collect does something with (besides calls)
_SPECIAL = frozenset(
    {
        *(ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign, ast.Import, ast.ImportFrom),
        *(ast.AnnAssign, ast.AugAssign, ast.NamedExpr, ast.For, ast.AsyncFor, ast.With, ast.AsyncWith),
        *(ast.Global, ast.Return, ast.Yield, ast.ExceptHandler, ast.comprehension),
    }
)


def _fields(t: type) -> tuple[str, ...]:
    fields = tuple(f for f in reversed(getattr(t, "_fields", ())) if f not in _SKIP_FIELDS)  # reversed
    _FIELDS[t] = fields
    return fields


@dataclass(frozen=True)
class Recv:
    """What a receiver expression is. `ident` tells pipelines apart (same ident = same transaction).

    `why` is the chain of reasons, outermost first (`r = get_client() (line 9)`, ...), ending with the
    origin (`redis.Redis(...) (line 3)`); `level` is how strong the evidence is: `proven` (a constructor,
    annotation, factory or project index says so), `usage` (the same receiver is sent Redis-only
    commands elsewhere) or `shape` (this call's method name and arguments exist only in Redis)."""

    kind: str  # client | pipeline | pool | sentinel
    tx: bool = False  # pipeline opened as MULTI/EXEC (redis-py's default for .pipeline())
    ident: int = 0
    why: tuple[str, ...] = field(default=(), compare=False)
    level: str = field(default="proven", compare=False)
    ours: bool = field(default=False, compare=False)  # the project's own client (client module, policy factory)

    def via(self, step: str) -> Recv:
        """The same receiver reached through one more binding."""
        return replace(self, why=(step, *self.why))

    @property
    def origin(self) -> str:
        return self.why[-1] if self.why else ""


def guarded(
    cache: dict[tuple[int, str], Recv | None],
    busy: set[tuple[int, str]],
    key: tuple[int, str],
    compute: Callable[[], Recv | None],
) -> Recv | None:
    """Memoized classification with a cycle guard (`a = b; b = a` is no client)."""
    if key in cache:
        return cache[key]
    if key in busy:
        return None
    busy.add(key)
    try:
        result = compute()
    finally:
        busy.discard(key)
    cache[key] = result
    return result


def client(why: str, level: str = "proven", ours: bool = False) -> Recv:
    return Recv("client", why=(why,), level=level, ours=ours)


OURS = (" (policy lint.client_factories)", " comes from the client module ")


class Resolver(Protocol):
    """Answers about other modules of the project (the project index). Each answer is a reason or None."""

    def owns(self, canonical: str) -> bool: ...
    def instance(self, canonical: str) -> str | None: ...
    def factory(self, canonical: str) -> str | None: ...
    def fresh_factory(self, canonical: str) -> str | None: ...
    def client_class(self, canonical: str) -> str | None: ...
    def attr(self, cls: str, attr: str) -> str | None: ...
    def returns(self, cls: str, method: str) -> str | None: ...
    def const(self, canonical: str) -> str | None: ...
    def is_plain_class(self, canonical: str) -> bool: ...
    def forwards_keys(self, canonical: str) -> bool: ...
    def tcp_chain(self, module: str) -> list[str] | None: ...
    def uses_redis(self) -> bool: ...
    def pickle_names(self) -> frozenset[str]: ...


def _line(expr: ast.AST) -> str:
    return f"line {getattr(expr, 'lineno', '?')}"


def at_line(expr: ast.AST) -> str:
    return f"at line {getattr(expr, 'lineno', '?')}"


def short_call(name: str) -> str:
    """`redis.asyncio.client.Redis.from_url` -> `Redis.from_url` (the last two segments)."""
    parts = name.split(".")
    return ".".join(parts[-2:]) if len(parts) > 2 else name


@dataclass
class ClassInfo:
    name: str
    node: ast.ClassDef
    bases: list[ast.expr]
    attrs: dict[str, list[tuple[ast.expr, Scope]]] = field(default_factory=dict)
    annots: dict[str, tuple[ast.expr, Scope]] = field(default_factory=dict)
    consts: dict[str, str] = field(default_factory=dict)
    methods: dict[str, Scope] = field(default_factory=dict)
    is_client: bool = False
    client_why: str = ""  # why it is a client class (a base it derives from)

    def forwards_keys(self) -> bool:
        """Does its own keys(...) pass a pattern on to a keys(...) call (`return self.r.keys(pattern)`)? A
        caller of such a wrapper chooses the pattern, so the call site is where the KEYS is reported."""
        method = self.methods.get("keys")
        return method is not None and any(
            type(n) is ast.Call
            and type(n.func) is ast.Attribute
            and n.func.attr == "keys"
            and bool(n.args or n.keywords)  # type: ignore[attr-defined]
            for n in ast.walk(method.node)
        )


class Scope:
    """One function body (or the module): its bindings, as expressions to classify lazily."""

    __slots__ = (
        "node",
        "parent",
        "cls",
        "self_name",
        "values",
        "annots",
        "bound",
        "globals",
        "returns",
        "yields",
        "funcs",
        "qualname",
        "iters",
    )

    def __init__(self, node: ast.AST, parent: Scope | None, cls: ClassInfo | None, qualname: str) -> None:
        self.node = node
        self.parent = parent
        self.cls = cls
        self.self_name: str | None = None
        self.values: dict[str, list[tuple[ast.expr, Scope]]] = {}
        self.annots: dict[str, ast.expr] = {}
        self.bound: set[str] = set()
        self.globals: set[str] = set()
        self.returns: list[ast.expr] = []
        self.yields: list[
            ast.expr
        ] = []  # `yield r`: what a generator dependency (FastAPI, a context manager) hands out
        self.funcs: dict[str, Scope] = {}
        self.qualname = qualname
        self.iters: dict[str, list[ast.expr]] = {}  # loop variable -> what the loop iterates


@functools.lru_cache(maxsize=4096)
def _parse_annotation(text: str) -> ast.expr | None:
    """A string annotation (`"Redis | None"`) as an expression; parsed once per distinct text."""
    try:
        return ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


LUA_FILE = "@lua-file:"  # a constant loaded from a .lua file: the marker, then the file's base name


def lua_file(expr: ast.expr | None) -> str | None:
    """`load("scripts/clear_keys.lua")`, `files(pkg).joinpath(f"{DIR}/x.lua").read_text()`: a Lua script read
    from a file named by a literal, as LUA_FILE + its base name (the checks read that file)."""
    stack = [expr] if expr is not None else []
    while stack:
        n = stack.pop()
        t = type(n)
        if t is ast.Call:
            stack.extend(n.args)  # type: ignore[attr-defined]
            stack.append(n.func)  # type: ignore[attr-defined]
        elif t is ast.Attribute:
            stack.append(n.value)  # type: ignore[attr-defined]
        elif t is ast.JoinedStr and n.values:  # type: ignore[attr-defined]
            stack.append(n.values[-1])  # type: ignore[attr-defined]
        elif t is ast.Constant and isinstance(n.value, str) and n.value.endswith(".lua"):  # type: ignore[attr-defined]
            return LUA_FILE + n.value.rsplit("/", 1)[-1]  # type: ignore[attr-defined]
    return None


def dotted(expr: ast.expr) -> str | None:
    """`a.b.c` for a Name/Attribute chain, else None."""
    parts: list[str] = []
    while type(expr) is ast.Attribute:
        parts.append(expr.attr)  # type: ignore[attr-defined]
        expr = expr.value  # type: ignore[attr-defined]
    if type(expr) is ast.Name:
        parts.append(expr.id)  # type: ignore[attr-defined]
        return ".".join(reversed(parts))
    return None


def str_const(expr: ast.expr | None) -> str | None:
    if type(expr) is ast.Constant and isinstance(expr.value, str):  # type: ignore[union-attr]
        return expr.value  # type: ignore[union-attr]
    return None


def absolute_module(level: int, module: str | None, package: str) -> str:
    """The absolute module `from <level dots><module> import ...` names in a module of dotted `package` ("" at the
    top): `from ..db import x` in package `app.api` names `app.db`. A level reaching above the top keeps what is
    left (`module`, or ""). Shared by lint and `update` (updating/importers.py), so both resolve alike."""
    if not level:
        return module or ""
    base = package.split(".") if package else []
    up = level - 1
    base = base[: len(base) - up] if up <= len(base) else []
    return ".".join([*base, *([module] if module else [])])


def last_name(node: ast.expr) -> str:
    """The last name of a name chain: `Depends` for `fastapi.Depends`; "" for anything else (`routes[0]`)."""
    return (dotted(node) or "").rsplit(".", 1)[-1]


def decorator_names(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    """The last name of each decorator, called or not: `lru_cache` for `@functools.lru_cache(maxsize=1)`,
    `on_event` for `@app.on_event("startup")`; "" for one that is no name chain (`@routes[0]`)."""
    return [last_name(d.func if type(d) is ast.Call else d) for d in node.decorator_list]  # type: ignore[attr-defined]


def is_property(node: ast.AST) -> bool:
    """A method read as an attribute: `@property` or `@functools.cached_property`."""
    return isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not {"property", "cached_property"}.isdisjoint(
        decorator_names(node)
    )


class ModuleInfo:
    """Imports, scopes and classes of one module, and the receiver classifier over them."""

    def __init__(
        self,
        tree: ast.Module,
        path: str = "<string>",
        module_path: str = "",
        client_factories: list[str] | tuple[str, ...] = (),
        call_attrs: frozenset[str] | None = None,
        modname: str = "",
        is_package: bool = False,
        project: Resolver | None = None,
    ) -> None:
        self.tree = tree
        self.modname = modname  # dotted name of this module ("" when unknown): relative imports resolve to it
        self.package = modname if is_package else modname.rpartition(".")[0]
        self.project = project
        self.path = path
        self.pure = PurePath(path.replace("\\", "/"))
        self.stem = self.pure.stem
        self.module_path = module_path.strip("/").replace("/", ".").strip(".")
        self.factories = frozenset(client_factories)
        self.aliases: dict[str, str] = {}
        self.imports: list[str] = []  # modules imported (absolute when this module's name is known)
        self.import_nodes: list[ast.Import | ast.ImportFrom] = []
        self.classes: dict[str, ClassInfo] = {}
        self.scope_of: dict[int, Scope] = {}  # id(function node) -> its scope
        self.exempt_ctor: set[int] = set()  # constructor calls stored in a global/attribute (memoized)
        self.bound_to: dict[int, tuple[int, str]] = {}  # id(value) -> (id(owner scope), name) it is bound to
        self.stored: set[str] = set()  # local names later stored in an attribute, a container or via setattr
        self.kept: set[str] = set()  # functions / methods whose result is stored that way (factories)
        # constructor calls (by id) and local names stored in an object that lives one request (`g.redis = c`):
        # -> that object's name (flask.g, request.state)
        self.request_stored: dict[int, str] = {}
        self.request_stored_names: dict[tuple[int, str], str] = {}  # (id(scope), local name) -> store
        self.module = Scope(tree, None, None, "")
        # calls with the scope they run in: every call, or (call_attrs given) calls of plain names
        # and of those method/attribute names only
        self.call_attrs = call_attrs
        self.calls: list[tuple[ast.Call, Scope]] = []
        self._cache: dict[tuple[int, str], Recv | None] = {}
        self._busy: set[tuple[int, str]] = set()
        self._collect(self.module, tree.body)
        for info in self.classes.values():
            why = self._client_class_why(info, set())
            info.is_client, info.client_why = why is not None, why or ""

    def set_project(self, project: Resolver | None) -> None:
        """Resolve names of other project modules through `project` from now on (clears what was inferred)."""
        self.project = project
        self._cache.clear()
        for info in self.classes.values():
            why = self._client_class_why(info, set())
            info.is_client, info.client_why = why is not None, why or ""

    def close(self) -> None:
        """Break the scope <-> binding reference cycles so the tree is freed without the cyclic GC
        (lint_paths runs with the GC paused: ASTs are large, acyclic and short-lived)."""
        for scope in [self.module, *self.scope_of.values()]:
            scope.values.clear()
            scope.funcs.clear()
            scope.parent = None
            scope.cls = None
        for info in self.classes.values():
            info.attrs.clear()
            info.annots.clear()
            info.methods.clear()
        self.classes.clear()
        self.scope_of.clear()
        self.calls.clear()
        self._cache.clear()

    # ------------------------------------------------------------------ building
    def _import(self, node: ast.Import | ast.ImportFrom) -> None:
        self.import_nodes.append(node)
        if type(node) is ast.Import:
            for a in node.names:
                self.imports.append(a.name)
                if a.asname:
                    self.aliases[a.asname] = a.name
                else:
                    head = a.name.split(".")[0]
                    self.aliases[head] = head
            return
        level, module = node.level, node.module  # type: ignore[union-attr]
        mod = "." * level + (module or "")
        # relative: resolved when this module's name is known and the level stays inside it, else kept as written
        if level and self.modname and level - 1 <= (len(self.package.split(".")) if self.package else 0):
            mod = absolute_module(level, module, self.package)
        self.imports.append(mod)
        for a in node.names:
            if a.name == "*":
                continue
            sep = "" if mod.endswith(".") else "."
            self.imports.append(f"{mod}{sep}{a.name}")
            self.aliases[a.asname or a.name] = f"{mod}{sep}{a.name}"

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, parent: Scope, cls: ClassInfo | None) -> None:
        qual = f"{parent.qualname}.{node.name}" if parent.qualname else node.name
        if cls is not None:
            qual = f"{cls.name}.{node.name}"
        scope = Scope(node, parent, cls, qual)
        self.scope_of[id(node)] = scope
        args = node.args
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        if args.vararg:
            params.append(args.vararg)
        if args.kwarg:
            params.append(args.kwarg)
        for p in params:
            scope.bound.add(p.arg)
            if p.annotation is not None:
                scope.annots[p.arg] = p.annotation
        positional = [*args.posonlyargs, *args.args]
        defaults = [*zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True)]
        defaults += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None]
        for p, default in defaults:  # FastAPI's `r=Depends(get_redis)`: the parameter is what get_redis() returns
            if type(default) is ast.Call and default.args and (dotted(default.func) or "").endswith("Depends"):  # type: ignore[attr-defined]
                made = ast.copy_location(ast.Call(func=default.args[0], args=[], keywords=[]), default)  # type: ignore[attr-defined]
                scope.values.setdefault(p.arg, []).append((made, parent))
        if cls is not None:
            static = any(dotted(d) == "staticmethod" for d in node.decorator_list)
            positional = [*args.posonlyargs, *args.args]
            if positional and not static:
                scope.self_name = positional[0].arg
            cls.methods[node.name] = scope
        else:
            parent.funcs[node.name] = scope
            parent.bound.add(node.name)
        self._collect(scope, node.body)

    def _class(self, node: ast.ClassDef, parent: Scope) -> None:
        info = ClassInfo(node.name, node, list(node.bases))
        self.classes.setdefault(node.name, info)
        parent.bound.add(node.name)
        for stmt in node.body:
            t = type(stmt)
            if t is ast.FunctionDef or t is ast.AsyncFunctionDef:
                fargs = stmt.args  # type: ignore[attr-defined]
                extra = [*stmt.decorator_list, *fargs.defaults, *fargs.kw_defaults]  # type: ignore[attr-defined]
                self._collect(parent, [e for e in extra if e is not None])
                self._function(stmt, parent, info)  # type: ignore[arg-type]
            elif t is ast.Assign:
                for target in stmt.targets:  # type: ignore[attr-defined]
                    if type(target) is ast.Name:
                        info.attrs.setdefault(target.id, []).append((stmt.value, parent))  # type: ignore[attr-defined]
                        s = str_const(stmt.value) or lua_file(stmt.value)  # type: ignore[attr-defined]
                        if s is not None:
                            info.consts[target.id] = s  # type: ignore[attr-defined]
                self._collect(parent, [stmt.value])  # type: ignore[attr-defined]
            elif t is ast.AnnAssign and type(stmt.target) is ast.Name:  # type: ignore[attr-defined]
                name = stmt.target.id  # type: ignore[attr-defined]
                info.annots[name] = (stmt.annotation, parent)  # type: ignore[attr-defined]
                if stmt.value is not None:  # type: ignore[attr-defined]
                    self._collect(parent, [stmt.value])  # type: ignore[attr-defined]
                    info.attrs.setdefault(name, []).append((stmt.value, parent))  # type: ignore[attr-defined]
                    s = str_const(stmt.value)  # type: ignore[attr-defined]
                    if s is not None:
                        info.consts[name] = s
            elif t is ast.ClassDef:
                self._class(stmt, parent)  # type: ignore[arg-type]
            else:
                self._collect(parent, [stmt])

    def _bind(self, scope: Scope, target: ast.expr, value: ast.expr | None) -> None:
        t = type(target)
        if t is ast.Name:
            name = target.id  # type: ignore[attr-defined]
            owner = self.module if name in scope.globals else scope
            owner.bound.add(name)
            if value is not None:
                owner.values.setdefault(name, []).append((value, scope))
                self.bound_to[id(value)] = (id(owner), name)
                if owner is not scope:
                    self._exempt(value)
        elif t is ast.Tuple or t is ast.List:
            elts = target.elts  # type: ignore[attr-defined]
            vals = value.elts if type(value) in (ast.Tuple, ast.List) else None  # type: ignore[union-attr]
            for i, elt in enumerate(elts):
                self._bind(scope, elt, vals[i] if vals is not None and len(vals) == len(elts) else None)
        elif t is ast.Starred:
            self._bind(scope, target.value, None)  # type: ignore[attr-defined]
        elif t is ast.Subscript and value is not None:  # cache[k] = conn: kept in a container
            self._exempt(value)
        elif t is ast.Attribute and value is not None:
            base = target.value  # type: ignore[attr-defined]
            store = self._per_request_store(base)
            if store:
                # flask.g.redis = Redis(...): kept for one request only (RR009 reports the constructor)
                call = value.value if type(value) is ast.Await else value  # type: ignore[attr-defined]
                if type(call) is ast.Call:
                    self.request_stored[id(call)] = store
                elif type(value) is ast.Name:
                    self.request_stored_names[(id(scope), value.id)] = store  # type: ignore[attr-defined]
                return
            self._exempt(value)
            if scope.cls is not None and type(base) is ast.Name and base.id in (scope.self_name, "cls"):
                scope.cls.attrs.setdefault(target.attr, []).append((value, scope))  # type: ignore[attr-defined]

    def _per_request_store(self, base: ast.expr) -> str:
        """An object that lives for one request: Flask's or Quart's `g`, Starlette's `request.state`; its name,
        or "" for any other object."""
        name = dotted(base)
        if name is None:
            return ""
        root, _, rest = name.partition(".")
        if not rest:
            alias = self.aliases.get(root)
            return alias if alias in ("flask.g", "quart.g") else ""  # type: ignore[return-value]
        return f"{root}.state" if rest == "state" and root in ("request", "req") else ""

    def _exempt(self, value: ast.expr) -> None:
        """A value stored in a global, an attribute or a container: constructors in it (a client, the pool
        given to it) are built for keeps. A stored name marks what it was assigned from."""
        if type(value) is ast.Name:
            self.stored.add(value.id)  # type: ignore[attr-defined]
            return
        call = value.value if type(value) is ast.Await else value  # type: ignore[attr-defined]
        if type(call) is ast.Call:  # self.conn = self._connect(): what _connect returns is kept (a factory)
            f = call.func  # type: ignore[attr-defined]
            if type(f) is ast.Name:
                self.kept.add(f.id)  # type: ignore[attr-defined]
            elif type(f) is ast.Attribute and type(f.value) is ast.Name:  # type: ignore[attr-defined]
                self.kept.add(f.attr)  # type: ignore[attr-defined]
        stack: list[ast.AST] = [value]
        while stack:
            n = stack.pop()
            if type(n) is ast.Call:
                self.exempt_ctor.add(id(n))
                stack.extend(n.args)  # type: ignore[attr-defined]
                stack.extend(k.value for k in n.keywords)  # type: ignore[attr-defined]
            elif type(n) in (ast.Await, ast.IfExp, ast.BoolOp):
                stack.extend(ast.iter_child_nodes(n))

    def _collect(self, scope: Scope, nodes: list) -> None:  # type: ignore[type-arg]
        """One pass over a body (nested defs get their own scope): bindings, imports and calls."""
        stack = [n for n in reversed(nodes) if type(n) not in _LEAVES]
        calls = self.calls
        wanted = self.call_attrs
        fields_of = _FIELDS
        leaves = _LEAVES
        while stack:
            n = stack.pop()
            t = type(n)
            if t is ast.Attribute or t is ast.Expr or t is ast.Await:  # the commonest inner nodes: one child
                v = n.value
                if type(v) not in leaves:
                    stack.append(v)
                continue
            if t is ast.Compare:
                v = n.left
                if type(v) not in leaves:
                    stack.append(v)
                stack.extend([x for x in n.comparators if type(x) not in leaves])
                continue

            if t is ast.Call:
                f = n.func
                if (
                    wanted is None
                    or type(f) is not ast.Attribute
                    or f.attr in wanted
                    or (type(f.value) is ast.Name and is_factory_name(f.attr))  # `deps.get_redis()` (RR009)
                ):
                    calls.append((n, scope))
                elif n.keywords and n.keywords[0].arg == "keys":  # self._script(keys=[...], args=[...])
                    calls.append((n, scope))
                if type(f) is ast.Attribute and f.attr in ("append", "extend") and n.args:
                    if type(f.value) is ast.Name:  # rows.extend(r.mget(...)): the list holds what was read
                        scope.iters.setdefault(f.value.id, []).append(n.args[-1])
                if type(f) is ast.Name and f.id == "setattr" and len(n.args) == 3:
                    self._exempt(n.args[2])  # setattr(app, KEY, client): kept on an object
                for k in reversed(n.keywords):
                    if type(k.value) not in leaves:
                        stack.append(k.value)
                for x in reversed(n.args):
                    if type(x) not in leaves:
                        stack.append(x)
                if type(f) not in leaves:
                    stack.append(f)
                continue
            if t not in _SPECIAL:
                pass
            elif t is ast.FunctionDef or t is ast.AsyncFunctionDef:
                stack.extend(n.decorator_list)
                stack.extend(d for d in n.args.defaults if d is not None)
                stack.extend(d for d in n.args.kw_defaults if d is not None)
                self._function(n, scope, None)
                continue
            elif t is ast.ClassDef:
                stack.extend(n.decorator_list)
                stack.extend(n.bases)
                stack.extend(k.value for k in n.keywords)
                self._class(n, scope)
                continue
            elif t is ast.Assign:
                for target in n.targets:
                    self._bind(scope, target, n.value)
            elif t is ast.Import or t is ast.ImportFrom:
                self._import(n)
                continue
            elif t is ast.AnnAssign:
                if type(n.target) is ast.Name:
                    owner = self.module if n.target.id in scope.globals else scope
                    owner.annots[n.target.id] = n.annotation
                self._bind(scope, n.target, n.value)
            elif t is ast.AugAssign:
                self._bind(scope, n.target, None)
            elif t is ast.NamedExpr:
                self._bind(scope, n.target, n.value)
            elif t is ast.For or t is ast.AsyncFor:
                self._bind(scope, n.target, None)
                for target in ast.walk(n.target):
                    if type(target) is ast.Name:
                        scope.iters.setdefault(target.id, []).append(n.iter)
            elif t is ast.With or t is ast.AsyncWith:
                for item in n.items:
                    if item.optional_vars is not None:
                        self._bind(scope, item.optional_vars, item.context_expr)
            elif t is ast.Global:
                scope.globals.update(n.names)
                continue
            elif t is ast.Return:
                if n.value is not None:
                    scope.returns.append(n.value)
            elif t is ast.Yield:
                if n.value is not None:
                    scope.yields.append(n.value)
            elif t is ast.ExceptHandler:
                if n.name:
                    scope.bound.add(n.name)
            elif t is ast.comprehension:
                self._bind(scope, n.target, None)
                for target in ast.walk(n.target):
                    if type(target) is ast.Name:
                        scope.iters.setdefault(target.id, []).append(n.iter)
            fields = fields_of.get(t)
            if fields is None:
                fields = _fields(t)
            # children pushed in reverse: the walk is pre-order, so `global x` is seen before `x = ...`
            for name in fields:
                v = getattr(n, name)
                if type(v) is list:
                    if v:
                        stack.extend([x for x in reversed(v) if type(x) not in _LEAVES])
                elif v is not None and type(v) not in _LEAVES:
                    stack.append(v)

    def _client_class_why(self, info: ClassInfo, seen: set[str]) -> str | None:
        """Why `info` is a client class (it derives from one, here or in another project module), or None."""
        if info.name in seen:
            return None
        seen.add(info.name)
        for base in info.bases:
            c = self.canonical(base, self.module)
            if c is not None and self._ctor_kind_name(c) == "client" and c.rsplit(".", 1)[-1] in CLIENT_CLASSES:
                return f"{info.name} subclasses {short_call(c)}"
            name = dotted(base)
            local = self.classes.get(name) if name else None
            if local is not None and local is not info:
                why = self._client_class_why(local, seen)
                if why is not None:
                    return why
            if c is not None and self.project is not None and self.project.owns(c):
                why = self.project.client_class(c)
                if why is not None:
                    return f"{info.name} subclasses {why}"
        return None

    # ------------------------------------------------------------------ names
    def owner(self, scope: Scope | None, name: str) -> Scope | None:
        """The scope binding `name` (Python rules, class bodies skipped), or None for globals/imports."""
        s = scope
        while s is not None:
            if name in s.globals:
                s = self.module
            if name in s.bound or name in s.values or name in s.annots:
                return s
            s = s.parent
        return None

    def canonical(self, expr: ast.expr, scope: Scope) -> str | None:
        """Import-resolved dotted name (`aioredis.Redis` -> `redis.asyncio.Redis`), None if local/unknown."""
        d = dotted(expr)
        if d is None:
            return None
        head, _, rest = d.partition(".")
        target = self.aliases.get(head)
        if target is None:
            return None
        owner = self.owner(scope, head)
        if owner is not None and (owner.values.get(head) or owner.annots.get(head)):
            return None  # shadowed by an assignment
        return f"{target}.{rest}" if rest else target

    def local_class(self, expr: ast.expr, scope: Scope) -> ClassInfo | None:
        d = dotted(expr)
        if d is None:
            return None
        head, _, rest = d.partition(".")
        return self.classes.get(head)

    @staticmethod
    def _ctor_kind_name(c: str) -> str | None:
        parts = c.split(".")
        if parts[0] not in REDIS_ROOTS:
            return None
        last = parts[-1]
        if last in URL_CONSTRUCTORS:
            owner = parts[-2] if len(parts) >= 2 else ""
            if owner in POOL_CLASSES:
                return "pool"
            if owner in CLIENT_CLASSES or owner in REDIS_ROOTS or owner == "asyncio":
                return "client"
            return None
        if last in CLIENT_CLASSES:
            return "client"
        if last in POOL_CLASSES:
            return "pool"
        if last in SENTINEL_CLASSES:
            return "sentinel"
        if c in ("aioredis.create_redis_pool", "aioredis.create_redis"):
            return "client"
        return None

    def ctor_kind(self, call: ast.Call, scope: Scope, canonical: str | None = "") -> tuple[str, str] | None:
        """(kind, name) when `call` builds a client/pool/sentinel, e.g. ("client", "redis.Redis.from_url")."""
        f = call.func
        c = self.canonical(f, scope) if canonical == "" else canonical
        if c is not None:
            kind = self._ctor_kind_name(c)
            return (kind, c) if kind else None
        d = dotted(f)
        if d is None:
            return None
        head, _, rest = d.partition(".")
        info = self.classes.get(head)
        if info is not None and info.is_client and (not rest or rest in URL_CONSTRUCTORS):
            if self.owner(scope, head) in (None, self.module) or head in self.module.bound:
                return ("client", d)
        return None

    def _client_module(self, mod: str) -> bool:
        """Is `mod` the generated client module (`<module_path>.client`, or `...redis.client`)?"""
        if mod.startswith("."):
            rel = mod.lstrip(".")
            if rel.rsplit(".", 1)[-1] != "client":
                return False
            parent = self.pure.parent.name
            if self.module_path:
                return self.pure.parent.as_posix().replace("/", ".").endswith(self.module_path)
            return parent in ("redis", "valkey")
        if self.module_path:
            return mod == f"{self.module_path}.client"
        parts = mod.split(".")
        return (
            len(parts) >= 2
            and parts[-1] == "client"
            and parts[-2] in ("redis", "valkey")
            and parts[0] not in REDIS_ROOTS
        )

    def factory_why(self, c: str) -> str | None:
        """Why calling the canonical name `c` returns the process-wide client, or None."""
        if c in self.factories:
            return f"{short_call(c)}() is a client factory (policy lint.client_factories)"
        mod, _, last = c.rpartition(".")
        if not mod or mod.split(".")[0] in REDIS_ROOTS:
            return None
        if self._client_module(mod):
            return f"{short_call(c)}() comes from the client module {mod}"
        if last in FACTORY_NAMES:
            segments = mod.lstrip(".").split(".")
            if (
                "redis" in last
                or "valkey" in last
                or any(s in ("redis", "valkey") or s.endswith("redis") for s in segments)
            ):
                return f"{short_call(c)}() is named as a Redis client factory"
        if self.project is not None and self.project.owns(c):
            return self.project.factory(c)
        return None

    def is_factory(self, c: str) -> bool:
        """Does calling the canonical name `c` return the process-wide client?"""
        return self.factory_why(c) is not None

    def _instance(self, c: str) -> Recv | None:
        """An imported name that is itself the client (e.g. `from app.db.redis.client import redis`)."""
        if c in self.factories:
            return client(f"{short_call(c)} is listed in policy lint.client_factories", ours=True)
        mod, _, _ = c.rpartition(".")
        if mod and self._client_module(mod):
            return client(f"{short_call(c)} comes from the client module {mod}", ours=True)
        if self.project is not None and self.project.owns(c):
            why = self.project.instance(c)
            if why is not None:
                return client(why, ours=any(m in why for m in OURS))
        return None

    # ------------------------------------------------------------------ classification
    def recv(self, expr: ast.expr, scope: Scope) -> Recv | None:
        t = type(expr)
        if t is ast.Name:
            return self._name(expr.id, scope)  # type: ignore[attr-defined]
        if t is ast.Call:
            return self._call(expr, scope)  # type: ignore[arg-type]
        if t is ast.Attribute:
            base = expr.value  # type: ignore[attr-defined]
            if type(base) is ast.Name and scope.cls is not None and base.id in (scope.self_name, "cls"):
                return self._attr(scope.cls, expr.attr, set())  # type: ignore[attr-defined]
            if type(base) is ast.Name and base.id in self.classes and self.owner(scope, base.id) is self.module:
                return self._attr(self.classes[base.id], expr.attr, set())  # type: ignore[attr-defined]
            c = self.canonical(expr, scope)
            return self._instance(c) if c is not None else None
        if t is ast.Await:
            return self.recv(expr.value, scope)  # type: ignore[attr-defined]
        if t is ast.BoolOp:
            for v in expr.values:  # type: ignore[attr-defined]
                r = self.recv(v, scope)
                if r is not None:
                    return r
            return None
        if t is ast.IfExp:
            return self.recv(expr.body, scope) or self.recv(expr.orelse, scope)  # type: ignore[attr-defined]
        return None

    def _guarded(self, key: tuple[int, str], compute: Callable[[], Recv | None]) -> Recv | None:
        return guarded(self._cache, self._busy, key, compute)

    def _name(self, name: str, scope: Scope) -> Recv | None:
        if scope.cls is not None and name == scope.self_name:
            return client(f"self of {scope.cls.client_why}") if scope.cls.is_client else None
        owner = self.owner(scope, name)
        if owner is None:
            c = self.aliases.get(name)
            return self._instance(c) if c is not None else None

        def compute() -> Recv | None:
            ann = owner.annots.get(name)
            if ann is not None:
                r = self.annotation(ann, owner)
                if r is not None:
                    return r.via(f"{name}: annotated ({_line(ann)})")
            for value, vscope in owner.values.get(name, ()):
                r = self.recv(value, vscope)
                if r is not None:
                    return r.via(f"{name} assigned at {_line(value)}")
            return None

        return self._guarded((id(owner), name), compute)

    def _attr(self, info: ClassInfo, attr: str, seen: set[str]) -> Recv | None:
        def compute() -> Recv | None:
            ann = info.annots.get(attr)
            if ann is not None:
                r = self.annotation(*ann)
                if r is not None:
                    return r.via(f"{info.name}.{attr}: annotated")
            for value, vscope in info.attrs.get(attr, ()):
                r = self.recv(value, vscope)
                if r is not None:
                    return r.via(f"{info.name}.{attr} set at {_line(value)}")
            method = info.methods.get(attr)
            if method is not None and isinstance(method.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if is_property(method.node):
                    r = self.annotation(method.node.returns, method) if method.node.returns else None
                    return r or self._returns(method)
            return None

        r = self._guarded((id(info), attr), compute)
        if r is not None:
            return r
        seen.add(info.name)
        for base in info.bases:  # attributes inherited from classes of this module, then of the project
            d = dotted(base)
            parent = self.classes.get(d) if d else None
            if parent is not None and parent.name not in seen:
                r = self._attr(parent, attr, seen)
                if r is not None:
                    return r
            elif parent is None and self.project is not None:
                c = self.canonical(base, self.module)
                if c is not None and self.project.owns(c):
                    why = self.project.attr(c, attr)
                    if why is not None:
                        return client(why)
        return None

    def _returns(self, fn: Scope) -> Recv | None:
        def compute() -> Recv | None:
            node = fn.node
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns is not None:
                r = self.annotation(node.returns, fn)
                if r is not None and r.kind == "client":
                    return r.via(f"{fn.qualname}() is annotated to return it")
            for value in fn.returns:
                r = self.recv(value, fn)
                if r is not None and r.kind == "client":
                    return Recv("client", why=(f"{fn.qualname}() returns {r.origin}",), ours=r.ours)
            return None

        return self._guarded((id(fn), "<return>"), compute)

    def _inherited_method(self, info: ClassInfo, method: str) -> Recv | None:
        """A method of a project base class (another module) that returns a client."""
        if self.project is None:
            return None
        for base in info.bases:
            c = self.canonical(base, self.module)
            if c is not None and self.project.owns(c):
                why = self.project.returns(c, method)
                if why is not None:
                    return client(why)
        return None

    def _call(self, call: ast.Call, scope: Scope) -> Recv | None:
        f = call.func
        if type(f) is ast.Attribute:
            m = f.attr  # type: ignore[attr-defined]
            fbase = f.value  # type: ignore[attr-defined]
            base = self.recv(fbase, scope)
            if base is not None:
                if base.kind == "client":
                    if m == "pipeline":
                        tx = self._transaction(call)
                        return Recv("pipeline", tx, id(call), (f"pipeline of {base.origin}",), ours=base.ours)
                    return None
                if base.kind == "pipeline":
                    return None if m in PIPE_TERMINAL else base
                if base.kind == "sentinel" and m in ("master_for", "slave_for"):
                    return client(f"Sentinel.{m}() {at_line(call)}")
                return None
            if type(fbase) is ast.Name and scope.cls is not None and fbase.id in (scope.self_name, "cls"):
                meth = scope.cls.methods.get(m)
                if meth is not None:
                    return self._returns(meth)
                return self._inherited_method(scope.cls, m)
        c = self.canonical(f, scope)
        kind = self.ctor_kind(call, scope, c)
        if kind is not None:
            return Recv(kind[0], why=(f"{short_call(kind[1])}(...) {at_line(call)}",))
        if c is not None:
            if c in ("typing.cast", "typing_extensions.cast") and len(call.args) == 2:
                return self.recv(call.args[1], scope)  # cast(Any, get_client()) is still the client
            why = self.factory_why(c)
            return client(why, ours=any(m in why for m in OURS)) if why is not None else None
        if type(f) is ast.Name:
            owner = self.owner(scope, f.id)  # type: ignore[attr-defined]
            fn = owner.funcs.get(f.id) if owner is not None else None  # type: ignore[attr-defined]
            if fn is not None:
                return self._returns(fn)
            if owner is not None and f.id in self.factories:  # type: ignore[attr-defined]
                return client(f"{f.id}() is listed in policy lint.client_factories", ours=True)  # type: ignore[attr-defined]
        return None

    @staticmethod
    def _transaction(call: ast.Call) -> bool:
        for kw in call.keywords:
            if kw.arg == "transaction":
                v = kw.value
                return not (type(v) is ast.Constant and v.value is False)  # type: ignore[attr-defined]
        if call.args:
            v = call.args[0]
            return not (type(v) is ast.Constant and v.value is False)  # type: ignore[attr-defined]
        return True

    def annotation(self, ann: ast.expr, scope: Scope) -> Recv | None:
        t = type(ann)
        if t is ast.Constant and isinstance(ann.value, str):  # type: ignore[attr-defined]
            parsed = _parse_annotation(ann.value)  # type: ignore[attr-defined]
            return self.annotation(parsed, scope) if parsed is not None else None
        if t is ast.BinOp and type(ann.op) is ast.BitOr:  # type: ignore[attr-defined]
            return self.annotation(ann.left, scope) or self.annotation(ann.right, scope)  # type: ignore[attr-defined]
        if t is ast.Subscript:
            head = dotted(ann.value)  # type: ignore[attr-defined]
            last = head.rsplit(".", 1)[-1] if head else ""
            if last in ("Optional", "Union", "Annotated"):
                inner = ann.slice  # type: ignore[attr-defined]
                elts = inner.elts if type(inner) is ast.Tuple else [inner]  # type: ignore[attr-defined]
                if last == "Annotated":
                    elts = elts[:1]
                for e in elts:
                    r = self.annotation(e, scope)
                    if r is not None:
                        return r
                return None
            return self.annotation(ann.value, scope)  # type: ignore[attr-defined]
        if t is ast.Name or t is ast.Attribute:
            c = self.canonical(ann, scope)
            if c is not None:
                parts = c.split(".")
                if parts[0] in REDIS_ROOTS:
                    if parts[-1] in CLIENT_CLASSES:
                        return client(f"annotated {short_call(c)}")
                    if parts[-1] in PIPELINE_CLASSES:
                        # unknown transaction mode: assume MULTI (never a reason to flag)
                        return Recv("pipeline", True, id(ann), (f"annotated {short_call(c)}",))
                elif self.project is not None and self.project.owns(c):
                    why = self.project.client_class(c)
                    if why is not None:
                        return client(f"annotated {why}")
                return None
            info = self.local_class(ann, scope)
            if info is not None and info.is_client:
                return client(f"annotated {info.client_why}")
        return None

    # ------------------------------------------------------------------ values
    def _class_const(self, info: ClassInfo, name: str, seen: set[str]) -> str | None:
        """A class constant, inherited ones included (from classes here, then from the project)."""
        if name in info.consts:
            return info.consts[name]
        seen.add(info.name)
        for base in info.bases:
            d = dotted(base)
            local = self.classes.get(d) if d else None
            if local is not None and local.name not in seen:
                found = self._class_const(local, name, seen)
                if found is not None:
                    return found
            elif local is None and self.project is not None:
                c = self.canonical(base, self.module)
                if c is not None and self.project.owns(c):
                    found = self.project.const(f"{c}.{name}")
                    if found is not None:
                        return found
        return None

    def const_str(self, expr: ast.expr, scope: Scope) -> str | None:
        """A string literal, or a name/`self.X`/`Class.X`/imported constant bound once to one."""
        s = str_const(expr)
        if s is not None:
            return s
        t = type(expr)
        if t is ast.Name:
            owner = self.owner(scope, expr.id)  # type: ignore[attr-defined]
            if owner is None:
                c = self.aliases.get(expr.id)  # type: ignore[attr-defined]
                if c is not None and self.project is not None and self.project.owns(c):
                    return self.project.const(c)
                return None
            values = owner.values.get(expr.id, ())  # type: ignore[attr-defined]
            if len(values) == 1:
                return str_const(values[0][0]) or lua_file(values[0][0])
            return None
        if t is ast.Attribute:
            base = expr.value  # type: ignore[attr-defined]
            if type(base) is ast.Name:
                info = None
                if scope.cls is not None and base.id in (scope.self_name, "cls"):
                    info = scope.cls
                elif base.id in self.classes:
                    info = self.classes[base.id]
                if info is not None:
                    return self._class_const(info, expr.attr, set())  # type: ignore[attr-defined]
            c = self.canonical(expr, scope)
            if c is not None and self.project is not None and self.project.owns(c):
                return self.project.const(c)
        return None
