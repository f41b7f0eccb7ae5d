"""TypeScript: the same checks, ids, messages and suppressions as for Python, on a tree-sitter parse.

Receivers are judged as in receivers.py, for the TypeScript clients: ioredis (`new Redis(...)`,
`new Cluster(...)`, `new IORedis(...)`, `new Redis.Cluster(...)`), node-redis (`createClient`,
`createCluster` from `redis` / `@redis/client`), @upstash/redis (`new Redis({...})`, `Redis.fromEnv()`),
annotations with their types (`Redis`, `Cluster`, `RedisClientType`, ...), the project's own client
module (anything imported from the policy's `module_path`, e.g. `getRedis()` from `src/db/redis`), and the
project index (exports of other project files that hold or return a client, through re-exports).
Unknown receivers get usage and shape evidence as in checks.py (method names are compared lowercased, so
node-redis's `hGetAll` is `hgetall`). Globals (`Object.keys(x)`), `new Map()`/`new Set()`/array and object
literals, and packages other than the Redis clients are never Redis.

The walk is iterative (deeply nested expressions cannot exhaust the stack); tree-sitter parses without
recursion in Python.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import tree_sitter_typescript
from tree_sitter import Language, Node, Parser

from ..policy import Policy
from .checks import (
    DEFAULT_URL_SCHEMES,
    EXPIRES,
    FLUSHES,
    GROWING_FIELD_WRITES,
    INCRS,
    INTERESTING,
    KEY_ALL,
    KEY_EXPIRES,
    KEY_FIRST,
    LOCAL_HOSTS,
    LUA_CALL,
    RANGE_READS,
    REDIS_ONLY,
    REDIS_PORTS,
    STRING_WRITES,
    URL_SCHEMES,
    WHOLE_READS,
    WRITES_NEED_TTL,
    Raw,
    _url_problem,
    is_factory_name,
    separate_expire,
    with_reason,
)
from .index import TCP_CLIENT_MODULES, ModuleFacts
from .model import BY_NAME, SYNTAX_ERROR, Finding
from .receivers import Recv, client, guarded

if TYPE_CHECKING:
    from .project import Project

_TS = Language(tree_sitter_typescript.language_typescript())
_TSX = Language(tree_sitter_typescript.language_tsx())

# client packages and what their exports are
IOREDIS = frozenset({"ioredis", "iovalkey"})
NODE_REDIS = frozenset({"redis", "@redis/client", "@valkey/client"})
UPSTASH = frozenset({"@upstash/redis", "@upstash/redis/cloudflare", "@upstash/redis/nodejs", "@upstash/redis/fastly"})
CLIENT_PACKAGES = IOREDIS | NODE_REDIS | UPSTASH
CLIENT_TYPES = frozenset(
    {"Redis", "Cluster", "RedisClientType", "RedisClusterType", "RedisClient", "IORedis", "Valkey", "Upstash"}
)
PIPELINE_TYPES = frozenset({"Pipeline", "ChainableCommander", "RedisClientMultiCommandType", "Multi"})
NODE_REDIS_FACTORIES = frozenset({"createClient", "createCluster", "createSentinel"})
PIPE_TERMINAL = frozenset({"exec", "execaspipeline", "discard", "quit", "disconnect"})
NOT_REDIS_CTORS = frozenset(
    "Map Set WeakMap WeakSet Array Object Date URL URLSearchParams Headers FormData Request Response "
    "Error Promise RegExp LRUCache".split()
)
FUNCTIONS = frozenset(
    {"function_declaration", "generator_function_declaration", "function_expression", "arrow_function"}
    | {"method_definition", "function", "generator_function"}
)
FACTORY_WORDS = ("client", "redis", "valkey", "connection", "conn", "pool", "cache")
MODULE_EXTENSIONS = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")
FACTORY_PREFIXES = ("get", "create", "make", "new", "init", "connect", "build", "open")
TS_RAW = frozenset({"call", "sendcommand", "send_command"})
TS_SCRIPTS = frozenset({"eval", "evalsha", "eval_ro", "evalro", "definecommand", "definescript", "scriptload"})
_SUPPRESS = re.compile(r"redis-rules:\s*(ignore-file|ignore)\b(?:\[([^\]]*)\])?")


def parse(source: bytes, rel: str) -> Node:
    """The tree of a TypeScript or JavaScript file (JSX-aware grammar for .tsx and JavaScript)."""
    parser = Parser(_TS if rel.endswith((".ts", ".mts", ".cts")) else _TSX)
    return parser.parse(source).root_node


def _text(node: Node | None) -> str:
    return node.text.decode("utf-8", "replace") if node is not None and node.text is not None else ""


def _string(node: Node | None) -> str | None:
    """The value of a string literal or a template literal without substitutions."""
    if node is None:
        return None
    if node.type == "string":
        return "".join(_text(c) for c in node.children if c.type in ("string_fragment", "escape_sequence"))
    if node.type == "template_string" and not any(c.type == "template_substitution" for c in node.children):
        return _text(node)[1:-1]
    return None


def _number(node: Node | None) -> int | None:
    if node is None:
        return None
    if node.type == "number":
        try:
            return int(_text(node))
        except ValueError:
            return None
    if node.type == "unary_expression" and _text(node.child_by_field_name("operator")) == "-":
        inner = _number(node.child_by_field_name("argument"))
        return -inner if inner is not None else None
    return None


def _unwrap(node: Node | None) -> Node | None:
    """Look through await, parentheses, `as`, `!` and `satisfies`."""
    while node is not None and node.type in (
        "await_expression",
        "parenthesized_expression",
        "as_expression",
        "non_null_expression",
        "satisfies_expression",
        "type_assertion",
    ):
        node = next((c for c in node.named_children if c.type not in ("type_annotation",)), None)
    return node


def _args(call: Node) -> list[Node]:
    args = call.child_by_field_name("arguments")
    return [a for a in args.named_children if a.type != "comment"] if args is not None else []


def _dotted(node: Node | None) -> str | None:
    """`a.b.c` for an identifier / member chain (iteratively: chains may be thousands long), else None."""
    parts: list[str] = []
    node = _unwrap(node)
    while node is not None:
        t = node.type
        if t in ("identifier", "this", "property_identifier", "type_identifier"):
            parts.append(_text(node))
            return ".".join(reversed(parts))
        if t not in ("member_expression", "nested_type_identifier", "nested_identifier") or not node.named_children:
            return None
        obj = node.child_by_field_name("object") or node.child_by_field_name("module") or node.named_children[0]
        prop = node.child_by_field_name("property") or node.child_by_field_name("name") or node.named_children[-1]
        parts.append(_text(prop))
        node = _unwrap(obj)
    return None


def _required(value: Node | None) -> str | None:
    """The module of `require("x")` (also `require("x").default`), else None."""
    value = _unwrap(value)
    if value is not None and value.type == "member_expression":
        value = value.child_by_field_name("object")
    if value is None or value.type != "call_expression":
        return None
    f = value.child_by_field_name("function")
    args = _args(value)
    if f is None or _text(f) != "require" or len(args) != 1:
        return None
    return _string(args[0])


def _line(node: Node) -> str:
    return f"at line {node.start_point[0] + 1}"


@dataclass
class Scope:
    node: Node
    parent: Scope | None
    cls: TsClass | None = None
    name: str = ""
    values: dict[str, list[tuple[Node, Scope]]] = field(default_factory=dict)
    annots: dict[str, Node] = field(default_factory=dict)
    bound: set[str] = field(default_factory=set)
    returns: list[Node] = field(default_factory=list)
    funcs: dict[str, Scope] = field(default_factory=dict)


@dataclass
class TsClass:
    name: str
    node: Node
    base: Node | None
    fields: dict[str, list[tuple[Node, Scope]]] = field(default_factory=dict)
    annots: dict[str, Node] = field(default_factory=dict)
    methods: dict[str, Scope] = field(default_factory=dict)


@dataclass(frozen=True)
class Import:
    spec: str
    name: str  # "default", "*" or the exported name
    type_only: bool
    node: Node


class TsModule:
    """Imports, scopes, classes and calls of one TypeScript module, and the receiver classifier."""

    def __init__(self, root: Node, rel: str, policy: Policy, project: Project | None) -> None:
        self.root = root
        self.rel = rel
        self.policy = policy
        self.project = project
        self.module = Scope(root, None, name="<module>")
        self.imports: dict[str, Import] = {}
        self.import_nodes: list[tuple[Node, str, bool]] = []  # (statement, specifier, type only)
        self.reexports: dict[str, str] = {}  # exported name -> "rel#name" / "*n" -> rel
        self.classes: dict[str, TsClass] = {}
        self.calls: list[tuple[Node, Scope]] = []
        self.news: list[tuple[Node, Scope]] = []
        self.comments: list[tuple[int, str]] = []
        self.scope_of: dict[int, Scope] = {}
        self.exempt: set[int] = set()  # constructor calls stored in an outer variable, a field or this.x
        self._cache: dict[tuple[int, str], Recv | None] = {}
        self._busy: set[tuple[int, str]] = set()
        self._collect()

    # ------------------------------------------------------------------ building
    def _collect(self) -> None:
        stack: list[tuple[Node, Scope, TsClass | None]] = [(self.root, self.module, None)]
        while stack:
            node, scope, cls = stack.pop()
            t = node.type
            if t == "comment":
                self.comments.append((node.start_point[0] + 1, _text(node)))
                continue
            if t in ("import_statement", "export_statement") and scope is self.module:
                self._import(node)
            if t in FUNCTIONS:
                scope = self._function(node, scope, cls)
            elif t in ("class_declaration", "class", "abstract_class_declaration"):
                cls = self._class(node, scope)
            elif t == "variable_declarator":
                name = node.child_by_field_name("name")
                value = node.child_by_field_name("value")
                spec = _required(value)
                if spec is not None and name is not None and scope is self.module:
                    self._require(node, name, spec)
                elif name is not None and name.type == "identifier":
                    key = _text(name)
                    scope.bound.add(key)
                    ann = node.child_by_field_name("type")
                    if ann is not None:
                        scope.annots[key] = ann
                    if value is not None:
                        scope.values.setdefault(key, []).append((value, scope))
            elif t == "assignment_expression" or t == "augmented_assignment_expression":
                self._assign(node, scope, cls)
            elif t in ("public_field_definition", "field_definition") and cls is not None:
                name = node.child_by_field_name("name") or node.child_by_field_name("property")
                if name is not None:
                    value = node.child_by_field_name("value")
                    ann = node.child_by_field_name("type")
                    if ann is not None:
                        cls.annots[_text(name)] = ann
                    if value is not None:
                        cls.fields.setdefault(_text(name), []).append((value, scope))
                        self.exempt.add(value.id)
            elif t == "return_statement":
                value = next((c for c in node.named_children if c.type != "comment"), None)
                if value is not None:
                    scope.returns.append(value)
            elif t == "call_expression":
                self.calls.append((node, scope))
            elif t == "new_expression":
                self.news.append((node, scope))
            for child in reversed(node.children):
                if child.type not in ("string", "number", "true", "false", "null", "property_identifier"):
                    stack.append((child, scope, cls))

    def _require(self, node: Node, name: Node, spec: str) -> None:
        """`const Redis = require("ioredis")`, `const { createClient } = require("redis")` (CommonJS)."""
        self.import_nodes.append((node, spec, False))
        if name.type == "identifier":
            self.imports[_text(name)] = Import(spec, "*" if not spec.startswith(".") else "*", False, node)
            return
        if name.type == "object_pattern":
            for prop in name.named_children:
                if prop.type == "shorthand_property_identifier_pattern":
                    self.imports[_text(prop)] = Import(spec, _text(prop), False, node)
                elif prop.type == "pair_pattern":
                    key, value = prop.child_by_field_name("key"), prop.child_by_field_name("value")
                    if key is not None and value is not None and value.type == "identifier":
                        self.imports[_text(value)] = Import(spec, _text(key), False, node)

    def _import(self, node: Node) -> None:
        source = node.child_by_field_name("source")
        spec = _string(source)
        if spec is None:
            return
        type_only = any(c.type == "type" for c in node.children)
        self.import_nodes.append((node, spec, type_only))
        if node.type == "export_statement":
            clause = next((c for c in node.named_children if c.type == "export_clause"), None)
            target = self.resolve(spec)
            if clause is None and target is not None:
                self.reexports[f"*{len(self.reexports)}"] = target
            for spec_node in clause.named_children if clause is not None else ():
                name = _text(spec_node.child_by_field_name("name"))
                alias = _text(spec_node.child_by_field_name("alias")) or name
                if target is not None:
                    self.reexports[alias] = f"{target}#{name}"
            return
        clause = next((c for c in node.named_children if c.type == "import_clause"), None)
        if clause is None:
            return
        for c in clause.named_children:
            if c.type == "identifier":
                self.imports[_text(c)] = Import(spec, "default", type_only, node)
            elif c.type == "namespace_import":
                ident = next((x for x in c.named_children if x.type == "identifier"), None)
                if ident is not None:
                    self.imports[_text(ident)] = Import(spec, "*", type_only, node)
            elif c.type == "named_imports":
                for s in c.named_children:
                    if s.type != "import_specifier":
                        continue
                    name = _text(s.child_by_field_name("name"))
                    alias = _text(s.child_by_field_name("alias")) or name
                    only = type_only or any(x.type == "type" for x in s.children)
                    self.imports[alias] = Import(spec, name, only, node)

    def _function(self, node: Node, parent: Scope, cls: TsClass | None) -> Scope:
        name_node = node.child_by_field_name("name")
        name = _text(name_node)
        if not name and node.parent is not None and node.parent.type == "variable_declarator":
            name = _text(node.parent.child_by_field_name("name"))
        scope = Scope(node, parent, cls if node.type == "method_definition" else parent.cls, name)
        self.scope_of[node.id] = scope
        params = node.child_by_field_name("parameters")
        for p in params.named_children if params is not None else ():
            pattern = p.child_by_field_name("pattern")
            if pattern is None or pattern.type != "identifier":
                continue
            pname = _text(pattern)
            scope.bound.add(pname)
            ann = p.child_by_field_name("type")
            if ann is not None:
                scope.annots[pname] = ann
            if cls is not None and any(c.type in ("accessibility_modifier", "readonly") for c in p.children):
                # constructor(private readonly redis: Redis): a parameter property is a field
                if ann is not None:
                    cls.annots[pname] = ann
        body = node.child_by_field_name("body")
        if body is not None and body.type not in ("statement_block",):  # arrow function with an expression body
            scope.returns.append(body)
        if node.type == "method_definition" and cls is not None:
            cls.methods[name] = scope
        elif name and node.type in ("function_declaration", "generator_function_declaration"):
            parent.funcs[name] = scope
            parent.bound.add(name)
        elif name and node.parent is not None and node.parent.type == "variable_declarator":
            parent.funcs[name] = scope
        return scope

    def _class(self, node: Node, scope: Scope) -> TsClass:
        name = _text(node.child_by_field_name("name"))
        heritage = next((c for c in node.named_children if c.type == "class_heritage"), None)
        base = None
        if heritage is not None:
            extends = next((c for c in heritage.named_children if c.type == "extends_clause"), None)
            if extends is not None:
                base = extends.child_by_field_name("value") or next(iter(extends.named_children), None)
        info = TsClass(name, node, base)
        if name:
            self.classes.setdefault(name, info)
            scope.bound.add(name)
        return info

    def _assign(self, node: Node, scope: Scope, cls: TsClass | None) -> None:
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if left is None or right is None:
            return
        if left.type == "identifier":
            name = _text(left)
            owner = self.owner(scope, name) or self.module
            owner.values.setdefault(name, []).append((right, scope))
            if owner is not scope:
                self.exempt.add(right.id)
        elif left.type == "member_expression":
            self.exempt.add(right.id)
            obj = left.child_by_field_name("object")
            if obj is not None and obj.type == "this" and scope.cls is not None:
                prop = _text(left.child_by_field_name("property"))
                scope.cls.fields.setdefault(prop, []).append((right, scope))

    # ------------------------------------------------------------------ names and imports
    def owner(self, scope: Scope | None, name: str) -> Scope | None:
        s = scope
        while s is not None:
            if name in s.bound or name in s.values or name in s.annots:
                return s
            s = s.parent
        return None

    def resolve(self, spec: str) -> str | None:
        """A specifier as a project file (relative to the root), when it is one."""
        project = self.project
        if project is None:
            return None
        if spec.startswith("."):
            base = posixpath.normpath(posixpath.join(posixpath.dirname(self.rel), spec))
            bases = [base]
        elif spec.startswith(("@/", "~/")):
            bases = [f"src/{spec[2:]}", spec[2:]]
        else:
            bases = [spec, f"src/{spec}"]
        for b in bases:
            stem = re.sub(r"\.(?:[cm]?js|jsx)$", "", b)
            for candidate in (b, *(f"{stem}{ext}" for ext in MODULE_EXTENSIONS)):
                if candidate in project.rels:
                    return candidate
            for ext in MODULE_EXTENSIONS:
                if f"{stem}/index{ext}" in project.rels:
                    return f"{stem}/index{ext}"
        return None

    def _client_module(self, spec: str) -> bool:
        """Is `spec` the project's generated client module (the policy's module_path, `db/redis` without one)?"""
        path = self.policy.module_path.strip("/")
        target = self.resolve(spec)
        if path:
            if target is not None and (target == path or target.startswith(path + "/")):
                return True
            tail = "/".join(path.split("/")[-2:])
            return spec.rstrip("/").endswith(tail) or spec.rstrip("/").endswith(tail + "/index")
        return bool(re.search(r"(^|/)(db/redis|redis/client)(/index)?(\.[cm]?[jt]s)?$", spec))

    def _factory_name(self, name: str, spec: str) -> bool:
        low = name.lower()
        if not low.startswith(FACTORY_PREFIXES):
            return False
        if "redis" in low or "valkey" in low:
            return True
        return "client" in low and ("redis" in spec.lower() or "valkey" in spec.lower())

    def _imported(self, name: str, call: bool) -> Recv | None:
        """An imported name as a client (instance) or, when `call`, as a client factory."""
        imp = self.imports.get(name)
        if imp is None or imp.type_only:
            return None
        if imp.spec in CLIENT_PACKAGES:
            if call and imp.spec in NODE_REDIS and imp.name in NODE_REDIS_FACTORIES:
                return client(f"{imp.name}() from {imp.spec!r}")
            return None
        if self._client_module(imp.spec):
            return client(f"{imp.name if imp.name != '*' else name} from the client module {imp.spec!r}", ours=True)
        if call and self._factory_name(imp.name if imp.name not in ("default", "*") else name, imp.spec):
            return client(f"{name}() is named as a Redis client factory")
        target = self.resolve(imp.spec)
        if target is not None and self.project is not None and imp.name != "*":
            why = self.project.index._resolve(("ts-factory" if call else "ts-instance", target, imp.name))
            if why is None and call:
                why = self.project.index._resolve(("ts-class", target, imp.name))
            if why is not None:
                return client(why, ours="client module" in why)
        return None

    def _ctor_name(self, ctor: Node | None) -> str | None:
        """The client a constructor expression names (`ioredis Redis`), or None."""
        d = _dotted(ctor)
        if d is None:
            return None
        head, _, rest = d.partition(".")
        imp = self.imports.get(head)
        if imp is not None and not imp.type_only:
            if imp.spec in IOREDIS:
                if imp.name in ("default", "Redis", "Cluster", "*") and rest in ("", "Cluster", "default", "Redis"):
                    named = imp.name if imp.name not in ("default", "*") else "Redis"
                    return f"{imp.spec} {rest if rest not in ('', 'default') else named}"
            if imp.spec in UPSTASH and (imp.name == "Redis" and not rest or imp.name == "*" and rest == "Redis"):
                return f"{imp.spec} Redis"
            target = self.resolve(imp.spec)
            if target is not None and self.project is not None and not rest:
                why = self.project.index._resolve(("ts-class", target, imp.name))
                if why is not None:
                    return why
            return None
        local = self.classes.get(head)
        if local is not None and not rest and self._class_why(local, set()) is not None:
            return f"{local.name} ({self._class_why(local, set())})"
        return None

    def _class_why(self, cls: TsClass, seen: set[str]) -> str | None:
        if cls.name in seen or cls.base is None:
            return None
        seen.add(cls.name)
        name = self._ctor_name(cls.base) if _dotted(cls.base) != cls.name else None
        if name is not None:
            return f"{cls.name} extends {name}"
        local = self.classes.get(_dotted(cls.base) or "")
        return self._class_why(local, seen) if local is not None else None

    # ------------------------------------------------------------------ classification
    def recv(self, node: Node | None, scope: Scope) -> Recv | None:
        node = _unwrap(node)
        if node is None:
            return None
        t = node.type
        if t == "identifier":
            return self._name(_text(node), scope)
        if t == "member_expression":
            obj = _unwrap(node.child_by_field_name("object"))
            prop = _text(node.child_by_field_name("property"))
            if obj is not None and obj.type == "this" and scope.cls is not None:
                return self._field(scope.cls, prop)
            if obj is not None and obj.type == "identifier":
                imp = self.imports.get(_text(obj))
                if imp is not None and imp.name == "*" and not imp.type_only:
                    if self._client_module(imp.spec):
                        return client(f"{prop} from the client module {imp.spec!r}", ours=True)
                    target = self.resolve(imp.spec)
                    if target is not None and self.project is not None:
                        why = self.project.index._resolve(("ts-instance", target, prop))
                        return client(why, ours="client module" in why) if why is not None else None
            return None
        if t == "call_expression":
            return self._call(node, scope)
        if t == "new_expression":
            name = self._ctor_name(node.child_by_field_name("constructor"))
            return client(f"new {name}(...) {_line(node)}") if name is not None else None
        if t == "binary_expression" and _text(node.child_by_field_name("operator")) in ("??", "||"):
            return self.recv(node.child_by_field_name("left"), scope) or self.recv(
                node.child_by_field_name("right"), scope
            )
        if t == "ternary_expression":
            return self.recv(node.child_by_field_name("consequence"), scope) or self.recv(
                node.child_by_field_name("alternative"), scope
            )
        return None

    def _bound(self, label: str, ann: Node | None, values: Sequence[tuple[Node, Scope]]) -> Recv | None:
        """A binding's receiver: from its type annotation, else from any value assigned to it."""
        if ann is not None:
            r = self.annotation(ann)
            if r is not None:
                return r.via(f"{label}: annotated")
        for value, vscope in values:
            r = self.recv(value, vscope)
            if r is not None:
                return r.via(f"{label} assigned {_line(value)}")
        return None

    def _name(self, name: str, scope: Scope) -> Recv | None:
        owner = self.owner(scope, name)
        if owner is None:
            return self._imported(name, call=False)
        return guarded(
            self._cache,
            self._busy,
            (owner.node.id, name),
            lambda: self._bound(name, owner.annots.get(name), owner.values.get(name, ())),
        )

    def _field(self, cls: TsClass, name: str) -> Recv | None:
        r = guarded(
            self._cache,
            self._busy,
            (cls.node.id, name),
            lambda: self._bound(f"this.{name}", cls.annots.get(name), cls.fields.get(name, ())),
        )
        if r is None and cls.base is not None:
            local = self.classes.get(_dotted(cls.base) or "")
            if local is not None and local is not cls:
                return self._field(local, name)
        return r

    def _returns(self, fn: Scope) -> Recv | None:
        def compute() -> Recv | None:
            ret = fn.node.child_by_field_name("return_type")
            if ret is not None:
                r = self.annotation(ret)
                if r is not None and r.kind == "client":
                    return client(f"{fn.name}() is typed to return {r.origin}")
            for value in fn.returns:
                r = self.recv(value, fn)
                if r is not None and r.kind == "client":
                    return client(f"{fn.name}() returns {r.origin}", ours=r.ours)
            return None

        return guarded(self._cache, self._busy, (fn.node.id, "<return>"), compute)

    def _call(self, node: Node, scope: Scope) -> Recv | None:
        f = _unwrap(node.child_by_field_name("function"))
        if f is None:
            return None
        if f.type == "member_expression":
            obj = f.child_by_field_name("object")
            m = _text(f.child_by_field_name("property"))
            base = self.recv(obj, scope)
            if base is not None:
                low = m.lower()
                if base.kind == "client":
                    if low in ("multi", "pipeline"):
                        return Recv("pipeline", low == "multi", node.id, (f"{m}() on {base.origin}",), ours=base.ours)
                    if low in ("duplicate",):
                        return base
                    return None
                if base.kind == "pipeline":
                    return None if low in PIPE_TERMINAL else base
                return None
            d = _dotted(obj)
            if d is not None and m == "fromEnv":
                imp = self.imports.get(d)
                if imp is not None and imp.spec in UPSTASH:
                    return client(f"{d}.fromEnv() from {imp.spec!r} {_line(node)}")
            if obj is not None and obj.type == "this" and scope.cls is not None:
                meth = scope.cls.methods.get(m)
                return self._returns(meth) if meth is not None else None
            if obj is not None and obj.type == "identifier":
                imp = self.imports.get(_text(obj))
                if imp is not None and imp.name == "*" and self._client_module(imp.spec):
                    return client(f"{m}() from the client module {imp.spec!r}", ours=True)
            return None
        if f.type == "identifier":
            name = _text(f)
            owner = self.owner(scope, name)
            if owner is None:
                return self._imported(name, call=True)
            fn = owner.funcs.get(name)
            return self._returns(fn) if fn is not None else None
        return None

    def annotation(self, ann: Node) -> Recv | None:
        stack = [ann]
        while stack:
            n = stack.pop()
            if n.type in ("type_identifier", "nested_type_identifier", "identifier"):
                d = _dotted(n) or _text(n)
                head, _, rest = d.partition(".")
                imp = self.imports.get(head)
                if imp is not None and imp.spec in CLIENT_PACKAGES:
                    last = rest.rsplit(".", 1)[-1] if rest else (imp.name if imp.name not in ("default", "*") else head)
                    if last in CLIENT_TYPES or (imp.name == "default" and not rest):
                        return client(f"annotated {last} from {imp.spec!r}")
                    if last in PIPELINE_TYPES:
                        return Recv("pipeline", True, n.id, (f"annotated {last}",))
                elif imp is not None:
                    target = self.resolve(imp.spec)
                    if target is not None and self.project is not None:
                        why = self.project.index._resolve(("ts-class", target, imp.name))
                        if why is not None:
                            return client(f"annotated {why}")
                local = self.classes.get(head)
                if local is not None and not rest:
                    why = self._class_why(local, set())
                    if why is not None:
                        return client(f"annotated {why}")
                continue
            if n.type in ("generic_type",):
                stack.append(n.named_children[0])
                continue
            stack.extend(n.named_children)
        return None


# ---------------------------------------------------------------- checks
@dataclass
class Cmd:
    method: str
    node: Node
    recv: Recv
    key: Node | None
    text: str


def _pos(node: Node) -> tuple[int, int, int, int]:
    """Report a call at its method name (`r.keys(...)`: at `keys`), anything else at its start."""
    start = node
    if node.type == "call_expression":
        f = node.child_by_field_name("function")
        if f is not None and f.type == "member_expression":
            prop = f.child_by_field_name("property")
            if prop is not None:
                start = prop
    return start.start_point[0] + 1, start.start_point[1], node.end_point[0] + 1, node.end_point[1]


class TsChecker:
    """Every check over one TypeScript module (same registry messages as the Python checks)."""

    def __init__(
        self, mod: TsModule, reset_script: bool, edge: bool, test_file: bool = False, containers_need_ttl: bool = False
    ) -> None:
        self.mod = mod
        self.containers_need_ttl = containers_need_ttl  # policy lint.containers_need_ttl
        self.test_file = test_file
        self.reset_script = reset_script
        self.edge = edge
        self.raw: list[Raw] = []
        self.scope = mod.module
        self.recv_node: Node | None = None
        self.method_name = ""
        self.usage: dict[tuple[int, str], list[tuple[str, int]]] = {}
        self.executed: set[tuple[int, str]] = set()
        self.grown: set[str] = set()  # hash keys written with a field from a variable: they grow
        self.reported: set[int] = set()  # nodes already reported as hard-coded connections

    def report(self, check: str, node: Node, variant: str = "default", recv: Recv | None = None, **fields: Any) -> None:
        message = BY_NAME[check].message(variant, **fields)
        if check == "hardcoded-connection":
            self.reported.add(node.id)
        if recv is None:
            self.raw.append(Raw(check, message, *_pos(node)))
            return
        text = (_dotted(self.recv_node) or _text(self.recv_node)) if self.recv_node is not None else ""
        message, reason = with_reason(message, " ".join(text.split()), recv)
        self.raw.append(Raw(check, message, *_pos(node), recv.level, reason))

    def _key(self, node: Node | None, scope: Scope) -> tuple[int, str] | None:
        d = _dotted(node)
        if d is None:
            return None
        head = d.partition(".")[0]
        if head == "this":
            return (scope.cls.node.id if scope.cls is not None else 0, d)
        owner = self.mod.owner(scope, head)
        return (owner.node.id if owner is not None else 0, d)

    def run(self) -> list[Raw]:
        for call, scope in self.mod.calls:
            f = call.child_by_field_name("function")
            if f is not None and f.type == "member_expression":
                m = _text(f.child_by_field_name("property")).lower()
                if m in GROWING_FIELD_WRITES:
                    args = _args(call)
                    if len(args) >= 2 and _string(args[1]) is None and args[1].type != "object":
                        self.grown.add(_text(args[0]))
                if m in REDIS_ONLY or m in ("exec", "execaspipeline"):
                    key = self._key(f.child_by_field_name("object"), scope)
                    if key is not None:
                        if m in REDIS_ONLY:
                            self.usage.setdefault(key, []).append((m, call.start_point[0] + 1))
                        else:
                            self.executed.add(key)
        by_scope: dict[int, list[Cmd]] = {}
        for call, scope in self.mod.calls:
            self.scope = scope
            self._call(call, by_scope.setdefault(scope.node.id, []))
        for cmds in by_scope.values():
            self._end_body(cmds)
        for node, scope in self.mod.news:
            self.scope = scope
            self._constructor(node, scope)
        for call, scope in self.mod.calls:  # node-redis builds clients with createClient()/createCluster()
            f = call.child_by_field_name("function")
            imp = self.mod.imports.get(_text(f)) if f is not None and f.type == "identifier" else None
            if imp is not None and imp.spec in NODE_REDIS and imp.name in NODE_REDIS_FACTORIES:
                self.scope = scope
                self._hardcoded(call)
                self._per_call(call, scope, f"{imp.name}")
        self._url_defaults()
        if self.edge:
            self._edge()
        return self.raw

    # ------------------------------------------------------------------ commands
    def _not_redis(self, node: Node | None, scope: Scope, m: str) -> bool:
        node = _unwrap(node)
        if node is None:
            return True
        t = node.type
        if t in ("array", "object", "string", "template_string", "number", "regex"):
            return True
        if t == "new_expression":
            d = _dotted(node.child_by_field_name("constructor")) or ""
            return d.rsplit(".", 1)[-1] in NOT_REDIS_CTORS or (
                d in self.mod.classes and self.mod._class_why(self.mod.classes[d], set()) is None
            )
        if t == "this":
            cls = scope.cls
            return cls is not None and (
                m in {k.lower() for k in cls.methods} or self.mod._class_why(cls, set()) is None
            )
        if t == "member_expression":
            return (
                self._not_redis(node.child_by_field_name("object"), scope, "")
                if m == ""
                else (_dotted(node.child_by_field_name("object")) in ("Object", "Reflect", "JSON", "Array", "Math"))
            )
        if t == "call_expression":
            return False
        if t != "identifier":
            return False
        name = _text(node)
        owner = self.mod.owner(scope, name)
        if owner is None:
            imp = self.mod.imports.get(name)
            if imp is None:
                return True  # a global (Object, JSON, Reflect, window, ...)
            return (
                imp.spec not in CLIENT_PACKAGES
                and not imp.spec.startswith((".", "@/", "~/"))
                and (self.mod.resolve(imp.spec) is None and not self.mod._client_module(imp.spec))
            )
        ann = owner.annots.get(name)
        if ann is not None:
            txt = _text(ann).lstrip(": ").strip()
            if re.match(r"^(Map|Set|WeakMap|Record|Array|ReadonlyArray|string|number|URLSearchParams|Headers)\b", txt):
                return True
            if txt.endswith("[]"):
                return True
        values = owner.values.get(name, ())
        return bool(values) and all(self._not_redis(v, vs, m) for v, vs in values)

    def _weak(self, call: Node, m: str, obj: Node | None) -> Recv | None:
        scope = self.scope
        if self._not_redis(obj, scope, m):
            return None
        key = self._key(obj, scope)
        ident = hash(key) if key is not None else call.id
        kind, tx = "client", False
        opened = self._opened(obj, scope)
        if opened is not None:  # `const multi = client.multi()`: a transaction; `.pipeline()`: not one
            kind, tx, ident = "pipeline", opened, key and hash(key) or call.id  # type: ignore[assignment]
        elif key is not None and key in self.executed:
            kind, tx = "pipeline", True
        for um, line in self.usage.get(key, ()) if key is not None else ():
            if um != m or line != call.start_point[0] + 1:
                return Recv(kind, tx, ident, (f"also sent {um.upper()} at line {line}",), "usage")
        args = _args(call)
        why: str | None = None
        if m in REDIS_ONLY:
            why = f"{m}() is a Redis command"
        elif m == "keys" and args:
            why = "keys(pattern) takes a pattern, Map.keys() and Array.keys() take none"
        elif m in TS_RAW and args and (self._raw_command(args) or "") in ("KEYS", "FLUSHALL", "FLUSHDB"):
            why = f"{m}({self._raw_command(args)!r}) is a raw Redis command"
        elif m in TS_SCRIPTS and self._script_text(call) is not None and LUA_CALL.search(self._script_text(call) or ""):
            why = "the Lua script calls redis.call"
        elif m in INCRS or m in EXPIRES:
            why = f"{m}() is judged with the INCR/EXPIRE it pairs with"
        return Recv(kind, tx, ident, (why,), "shape") if why is not None else None

    def _opened(self, obj: Node | None, scope: Scope) -> bool | None:
        """True/False when `obj` is (bound to) `x.multi()` / `x.pipeline()` (transaction or not), else None."""
        obj = _unwrap(obj)
        values = [obj] if obj is not None else []
        if obj is not None and obj.type == "identifier":
            owner = self.mod.owner(scope, _text(obj))
            values = [v for v, _ in owner.values.get(_text(obj), ())] if owner is not None else []
        for value in values:
            v = _unwrap(value)
            f = v.child_by_field_name("function") if v is not None and v.type == "call_expression" else None
            if f is not None and f.type == "member_expression":
                m = _text(f.child_by_field_name("property")).lower()
                if m in ("multi", "pipeline"):
                    return m == "multi"
        return None

    def _raw_command(self, args: list[Node]) -> str | None:
        first = args[0]
        if first.type == "array" and first.named_children:
            first = first.named_children[0]
        text = _string(first)
        return text.strip().upper() if text is not None else None

    def _const(self, node: Node | None) -> str | None:
        text = _string(node)
        if text is not None or node is None:
            return text
        if node.type == "identifier":
            owner = self.mod.owner(self.scope, _text(node))
            values = owner.values.get(_text(node), ()) if owner is not None else ()
            return _string(values[0][0]) if len(values) == 1 else None
        return None

    def _script_text(self, call: Node) -> str | None:
        args = _args(call)
        for a in args:
            if a.type == "object":  # defineCommand(name, { lua }), defineScript({ SCRIPT })
                for pair in a.named_children:
                    if pair.type == "pair" and _text(pair.child_by_field_name("key")).strip("'\"").lower() in (
                        "lua",
                        "script",
                    ):
                        return self._const(pair.child_by_field_name("value"))
        return self._const(args[0]) if args else None

    def _call(self, call: Node, cmds: list[Cmd]) -> None:
        f = call.child_by_field_name("function")
        if f is None or f.type != "member_expression":
            return
        m = _text(f.child_by_field_name("property")).lower()
        if not (m in INTERESTING or m in REDIS_ONLY or m in TS_RAW or m in TS_SCRIPTS):
            return
        obj = f.child_by_field_name("object")
        r = self.mod.recv(obj, self.scope)
        if r is None:
            r = self._weak(call, m, obj)
        if r is None or r.kind not in ("client", "pipeline"):
            return
        self.recv_node = _unwrap(obj)
        self.method_name = _text(f.child_by_field_name("property"))  # as written, for messages
        self._command(call, m, r, cmds)

    def _command(self, call: Node, m: str, r: Recv, cmds: list[Cmd]) -> None:
        args = _args(call)
        weak = r.level == "shape"
        key = args[0] if args and (m in KEY_FIRST or m in KEY_ALL) else None
        if key is not None and (not weak or m in REDIS_ONLY):
            for k in args if m in KEY_ALL else [key]:
                how = _inline_key(k)
                if how is not None:
                    self.report("inline-key", k, recv=r, how=how)
        cmds.append(Cmd(m, call, r, key, _dotted(self.recv_node) or ""))
        if m == "keys" and (args or not weak):
            self.report("keys-command", call, "call", r)
        elif m in TS_RAW and args:
            name = self._raw_command(args)
            if name == "KEYS":
                self.report("keys-command", call, "raw", r, via=self.method_name)
            elif name in ("FLUSHALL", "FLUSHDB") and not self.reset_script:
                self.report("flush-command", call, "raw", r, command=name, via=self.method_name)
        elif m in FLUSHES:
            if not self.reset_script:
                self.report("flush-command", call, "call", r, command=m.upper())
        elif m in TS_SCRIPTS:
            text = self._script_text(call)
            for match in LUA_CALL.finditer(text or ""):
                cmd = match.group(2).upper()
                if cmd == "KEYS":
                    self.report("keys-command", call, "lua", r, method=self.method_name)
                elif not self.reset_script:
                    self.report("flush-command", call, "lua", r, method=self.method_name, command=cmd)
        elif m in WHOLE_READS:
            if r.ours or (m == "hgetall" and key is not None and _text(key) in self.grown):
                self.report("unbounded-read", call, "whole", r, command=m.upper())
        elif m in RANGE_READS and len(args) >= 3:
            if self._number(args[1]) == 0 and self._number(args[2]) == -1:
                self.report("unbounded-read", call, "range", r, command=m.upper())
        elif m == "xadd" and not _trimmed(args):
            self.report("xadd-unbounded", call, recv=r)

    def _end_body(self, cmds: list[Cmd]) -> None:
        if not cmds:
            return
        tx = {c.recv.ident for c in cmds if c.recv.kind == "pipeline" and c.recv.tx}

        def in_tx(c: Cmd) -> bool:
            return c.recv.kind == "pipeline" and c.recv.ident in tx

        def kid(c: Cmd) -> str | None:
            return _text(c.key) if c.key is not None else None

        expired = {(c.recv.ident, kid(c)) for c in cmds if c.method in EXPIRES and in_tx(c)}
        tx_with_expire = {c.recv.ident for c in cmds if c.method in EXPIRES and in_tx(c)}
        for c in cmds:
            if c.method not in WRITES_NEED_TTL:
                continue
            self.recv_node = _receiver_of(c.node)
            if c.method in ("mset", "msetnx"):
                if not (in_tx(c) and c.recv.ident in tx_with_expire):
                    self.report("write-without-ttl", c.node, "mset", c.recv, command=c.method.upper())
                continue
            if c.key is None or (c.method == "set" and _set_has_ttl(_args(c.node))):
                continue
            if in_tx(c) and (c.recv.ident, kid(c)) in expired:
                continue
            key_expires = (e for e in cmds if e.method in KEY_EXPIRES and kid(e) == kid(c))
            later = separate_expire(c, key_expires, in_tx)
            if later is not None:
                if self.test_file:
                    continue  # a test's setup against a disposable server: atomicity is not at stake
                self.report(
                    "write-without-ttl",
                    c.node,
                    "separate",
                    c.recv,
                    command=c.method.upper(),
                    expire=later.method.upper(),
                    line=later.node.start_point[0] + 1,
                )
            elif c.method in STRING_WRITES or self.containers_need_ttl:
                self.report(
                    "write-without-ttl",
                    c.node,
                    "write" if c.method in STRING_WRITES else "container",
                    c.recv,
                    command=c.method.upper(),
                )
        incremented: dict[tuple[str, str | None], Cmd] = {}
        for c in sorted(cmds, key=lambda c: c.node.start_byte):
            if in_tx(c) or c.key is None:
                continue
            pair = (c.text if c.recv.level != "proven" else "", kid(c))
            if c.method in INCRS:
                incremented.setdefault(pair, c)
            elif c.method in EXPIRES and pair in incremented:
                first = incremented[pair]
                self.recv_node = _receiver_of(c.node)
                self.report(
                    "incr-then-expire",
                    c.node,
                    recv=c.recv,
                    expire=c.method.upper(),
                    incr=first.method.upper(),
                    line=first.node.start_point[0] + 1,
                )

    # ------------------------------------------------------------------ constructors and connections
    def _constructor(self, node: Node, scope: Scope) -> None:
        name = self.mod._ctor_name(node.child_by_field_name("constructor"))
        if name is None:
            return
        self._hardcoded(node)
        self._per_call(node, scope, f"new {name.split(' ')[-1]}")

    def _per_call(self, node: Node, scope: Scope, name: str) -> None:
        if self.test_file or scope is self.mod.module or node.id in self.mod.exempt:
            return
        parent = node.parent
        while parent is not None and parent.type in ("await_expression", "parenthesized_expression", "as_expression"):
            if parent.id in self.mod.exempt:
                return
            parent = parent.parent
        s: Scope | None = scope
        while s is not None and s is not self.mod.module:
            if _factory_function(s.name):
                return
            s = s.parent
        self.report("client-per-call", node, name=name, what="a Redis client")

    def _hardcoded(self, node: Node) -> None:
        for arg in _args(node):
            url = _string(arg)
            if url is not None and url.lower().startswith(URL_SCHEMES):
                self._url(arg, url)
            elif arg.type == "object":
                self._options(arg)
            elif url is not None and arg is not _args(node)[0] and url.lower() not in LOCAL_HOSTS:
                self.report("hardcoded-connection", arg, "host", host=url)  # ioredis new Redis(port, host)

    def _url(self, node: Node, url: str) -> None:
        password, remote = _url_problem(url)
        detail = " with a password" if password else " with a remote host" if remote else ""
        self.report("hardcoded-connection", node, "url", detail=detail)

    def _options(self, obj: Node) -> None:
        for pair in obj.named_children:
            if pair.type != "pair":
                continue
            key = _text(pair.child_by_field_name("key")).strip("'\"")
            value = pair.child_by_field_name("value")
            text = _string(value)
            if key == "url" and text is not None and text.lower().startswith(URL_SCHEMES):
                self._url(value, text)  # type: ignore[arg-type]
            elif key in ("password", "token") and text:
                self.report("hardcoded-connection", value, "password")  # type: ignore[arg-type]
            elif key == "host" and text is not None and text.lower() not in LOCAL_HOSTS:
                self.report("hardcoded-connection", value, "host", host=text)  # type: ignore[arg-type]
            elif key == "sentinels" and value is not None and value.type == "array":
                for item in value.named_children:
                    host = (
                        next(
                            (
                                p.child_by_field_name("value")
                                for p in item.named_children
                                if p.type == "pair" and _text(p.child_by_field_name("key")) == "host"
                            ),
                            None,
                        )
                        if item.type == "object"
                        else None
                    )
                    h = _string(host)
                    if host is not None and h is not None and h.lower() not in LOCAL_HOSTS:
                        self.report("hardcoded-connection", host, "sentinel", host=h)
            elif key == "socket" and value is not None and value.type == "object":
                self._options(value)

    def _number(self, node: Node) -> int | None:
        """A number literal, or a parameter whose default is one (`lrange(key, start = 0, stop = -1)`)."""
        value = _number(node)
        if value is not None or node.type != "identifier":
            return value
        name = _text(node)
        owner = self.mod.owner(self.scope, name)
        if owner is None or name in owner.values:
            return None
        params = owner.node.child_by_field_name("parameters")
        for p in params.named_children if params is not None else ():
            if _text(p.child_by_field_name("pattern")) == name:
                return _number(p.child_by_field_name("value"))
        return None

    def _url_defaults(self) -> None:
        """Redis URLs as defaults: parameters, module constants and config objects, class fields,
        and `process.env.X ?? "redis://..."` with a password or a remote host."""
        for call_or_new in self._walk(self.mod.root):
            t = call_or_new.type
            if t == "object" and not self.test_file:
                self._endpoint(call_or_new)
            if t in ("required_parameter", "optional_parameter"):
                value = call_or_new.child_by_field_name("value")
                text = _string(value)
                local_test = self.test_file and text is not None and not any(_url_problem(text))
                if (
                    value is not None
                    and text is not None
                    and text.lower().startswith(DEFAULT_URL_SCHEMES)
                    and not local_test
                ):
                    pname = _text(call_or_new.child_by_field_name("pattern"))
                    self.report("hardcoded-connection", value, "default", where=f"the parameter {pname}")
            elif t == "binary_expression" and _text(call_or_new.child_by_field_name("operator")) in ("??", "||"):
                left = _dotted(call_or_new.child_by_field_name("left")) or ""
                right = call_or_new.child_by_field_name("right")
                text = _string(right)
                if left.startswith("process.env.") and text is not None and text.lower().startswith(URL_SCHEMES):
                    password, remote = _url_problem(text)
                    if password or remote:
                        what = "a password" if password else "a non-local host"
                        self.report("hardcoded-connection", right, "env-default", what=what)  # type: ignore[arg-type]
        for name, values in self.mod.module.values.items():
            for value, _ in values:
                self._default(value, name)
        for node in self._walk(self.mod.root) if not self.test_file else ():  # other URLs (a `??=` fallback)
            text = _string(node) if node.type in ("string", "template_string") else None
            if text is None or node.id in self.reported or " " in text or not text.partition("://")[2]:
                continue
            if text.lower().startswith(DEFAULT_URL_SCHEMES):
                password, remote = _url_problem(text)
                if not (self.test_file and not (password or remote)):
                    detail = " with a password" if password else " with a remote host" if remote else ""
                    self.report("hardcoded-connection", node, "url", detail=detail)
        for cls in self.mod.classes.values():
            for name, values in cls.fields.items():
                for value, _ in values:
                    self._default(value, f"{cls.name}.{name}")

    def _endpoint(self, obj: Node) -> None:
        """`{ host: "127.0.0.1", port: 6379 }`: a literal Redis endpoint (a Redis port gives it away)."""
        fields: dict[str, Node] = {}
        for pair in obj.named_children:
            if pair.type == "pair" and pair.child_by_field_name("value") is not None:
                fields[_text(pair.child_by_field_name("key")).strip("'\"")] = pair.child_by_field_name("value")  # type: ignore[assignment]
        host, port = fields.get("host"), _number(fields.get("port"))
        text = _string(host)
        if host is not None and text is not None and port in REDIS_PORTS and host.id not in self.reported:
            self.report("hardcoded-connection", host, "endpoint", host=text, port=port)

    def _default(self, value: Node, where: str) -> None:
        stack = [(value, where)]
        while stack:
            node, at = stack.pop()
            if node.type == "object":
                for pair in node.named_children:
                    if pair.type == "pair" and pair.child_by_field_name("value") is not None:
                        key = _text(pair.child_by_field_name("key")).strip("'\"")
                        stack.append((pair.child_by_field_name("value"), f"{at}.{key}"))  # type: ignore[arg-type]
                continue
            if node.type == "array":
                stack.extend((c, at) for c in node.named_children)
                continue
            text = _string(node)
            if text is not None and text.lower().startswith(DEFAULT_URL_SCHEMES):
                if not (self.test_file and not any(_url_problem(text))):
                    self.report("hardcoded-connection", node, "default", where=at)

    @staticmethod
    def _walk(root: Node) -> Iterator[Node]:
        stack = [root]
        while stack:
            n = stack.pop()
            yield n
            stack.extend(reversed(n.children))

    # ------------------------------------------------------------------ edge runtime
    def _edge(self) -> None:
        project = self.mod.project
        for stmt, spec, type_only in self.mod.import_nodes:
            if type_only:
                continue
            if spec in TCP_CLIENT_MODULES:
                self.report("edge-tcp-client", stmt, module=spec, via="")
                continue
            target = self.mod.resolve(spec)
            if target is None or project is None:
                continue
            chain = project.index.tcp_chain(target)
            if chain is not None:
                via = " -> ".join(chain[:-1])
                self.report("edge-tcp-client", stmt, module=chain[-1], via=f" (through {via})")


def _factory_function(name: str) -> bool:
    """A constructor, a connection factory or store builder (`createRedisClient`, `getClient`, `redisStore`,
    `connect`), or a process entry point (`main`): what it builds is kept by its caller."""
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()
    return snake == "constructor" or "redis" in snake or "valkey" in snake or is_factory_name(snake)


def _receiver_of(call: Node) -> Node | None:
    f = call.child_by_field_name("function")
    return _unwrap(f.child_by_field_name("object")) if f is not None and f.type == "member_expression" else None


def _inline_key(node: Node) -> str | None:
    """How a key argument is built inline (template literal, +, join) when its literal parts contain ':'."""
    if node.type == "template_string":
        if any(c.type == "template_substitution" for c in node.children) and any(
            ":" in _text(c) for c in node.children if c.type == "string_fragment"
        ):
            return "a template literal"
        return None
    if node.type == "binary_expression" and _text(node.child_by_field_name("operator")) == "+":
        stack = [node]
        while stack:
            n = stack.pop()
            if n.type == "binary_expression":
                stack.extend([n.child_by_field_name("left"), n.child_by_field_name("right")])  # type: ignore[list-item]
            elif ":" in (_string(n) or ""):
                return "string concatenation"
        return None
    if node.type == "call_expression":
        f = node.child_by_field_name("function")
        if f is not None and f.type == "member_expression" and _text(f.child_by_field_name("property")) == "join":
            args = _args(node)
            if args and ":" in (_string(args[0]) or ""):
                return "[...].join(':')"
    return None


def _set_has_ttl(args: list[Node]) -> bool:
    """SET with EX/PX/EXAT/PXAT/KEEPTTL (ioredis positional, node-redis / upstash option objects)."""
    for a in args[2:]:
        if a.type in ("spread_element", "identifier", "member_expression", "call_expression"):
            return True  # options built elsewhere: assume they carry the TTL
        text = _string(a)
        if text is not None and text.upper() in ("EX", "PX", "EXAT", "PXAT", "KEEPTTL"):
            return True
        if a.type == "object":
            for pair in a.named_children:
                if pair.type == "spread_element":
                    return True
                if pair.type in ("pair", "shorthand_property_identifier"):
                    key = _text(pair.child_by_field_name("key") if pair.type == "pair" else pair).strip("'\"")
                    if key.upper() in ("EX", "PX", "EXAT", "PXAT", "KEEPTTL", "EXPIRATION"):
                        return True
    return False


def _trimmed(args: list[Node]) -> bool:
    for a in args:
        if a.type == "spread_element":
            return True
        text = _string(a)
        if text is not None and text.upper() in ("MAXLEN", "MINID"):
            return True
        if a.type == "object" and any(
            p.type == "pair" and _text(p.child_by_field_name("key")).strip("'\"").upper() == "TRIM"
            for p in a.named_children
        ):
            return True
    if len(args) >= 4 and args[3].type in ("identifier", "member_expression", "call_expression"):
        return True  # node-redis options passed in from elsewhere
    return False


# ---------------------------------------------------------------- entry points
def _suppressions(comments: Sequence[tuple[int, str]]) -> tuple[dict[int, set[str] | None], set[str] | None, bool]:
    lines: dict[int, set[str] | None] = {}
    file_codes: set[str] = set()
    file_all = False
    for line, text in comments:
        for match in _SUPPRESS.finditer(text):
            codes = {c.strip() for c in (match.group(2) or "").split(",") if c.strip()} or None
            if match.group(2) is None:
                codes = None
            if match.group(1) == "ignore-file":
                if codes is None:
                    file_all = True
                else:
                    file_codes |= codes
            elif codes is None or lines.get(line, set()) is None:
                lines[line] = None
            else:
                lines[line] = (lines.get(line) or set()) | codes
    return lines, file_codes or None, file_all


def _syntax_error(root: Node) -> Node | None:
    if not root.has_error:
        return None
    stack = [root]
    while stack:
        n = stack.pop()
        if n.is_error or n.is_missing:
            return n
        stack.extend(reversed([c for c in n.children if c.has_error or c.is_missing]))
    return root


def lint_typescript(
    source: str,
    path: str,
    policy: Policy,
    select: Sequence[str] | None,
    ignore: Sequence[str] | None,
    shown: str,
    project: Project | None,
) -> list[Finding]:
    """Lint one TypeScript module (see lint_source for the arguments)."""
    try:
        return _lint_typescript(source, path, policy, select, ignore, shown, project)
    except RecursionError:
        msg = "expressions nested too deeply to check (RecursionError); file skipped"
        return [Finding(SYNTAX_ERROR, "syntax-error", msg, shown, 1, 1, 1, 1, "error")]


def _lint_typescript(
    source: str,
    path: str,
    policy: Policy,
    select: Sequence[str] | None,
    ignore: Sequence[str] | None,
    shown: str,
    project: Project | None,
) -> list[Finding]:
    from .engine import _filters, _findings, _in_edge, glob_match, is_test_file, relative_to_root

    data = source.encode("utf-8", "surrogatepass")
    root = parse(data, path)
    bad = _syntax_error(root)
    if bad is not None:
        line, col = bad.start_point[0] + 1, bad.start_point[1] + 1
        what = f"missing {bad.type}" if bad.is_missing else "unexpected syntax"
        return [Finding(SYNTAX_ERROR, "syntax-error", f"SyntaxError: {what}", shown, line, col, line, col, "error")]
    rel = relative_to_root(path, policy) if path not in ("<stdin>", "-") else path
    select, ignore = _filters(policy, rel, select, ignore)
    prel = project.rel(path) if project is not None and path not in ("<stdin>", "-") else None
    mod = TsModule(root, prel or rel, policy, project)
    if project is not None and prel is not None and prel in project.stale:
        project.record(prel, _facts(mod, prel))
    reset = any(glob_match(rel, p) for p in policy.lint.reset_scripts)
    checker = TsChecker(mod, reset, _in_edge(rel, policy), is_test_file(rel), policy.lint.containers_need_ttl)
    raw = checker.run()
    if not raw:
        return []
    return _findings(raw, source, shown, select, ignore, _suppressions(mod.comments))


def ts_facts(source: str, rel: str, project: Project) -> ModuleFacts | None:
    """The facts a TypeScript module offers the project index (exports holding or returning a client)."""
    root = parse(source.encode("utf-8", "surrogatepass"), rel)
    return _facts(TsModule(root, rel, project.policy, project), rel)


def _facts(mod: TsModule, rel: str) -> ModuleFacts:
    facts = ModuleFacts(rel, "")
    index = mod.project.index if mod.project is not None else None
    missed_before = set(index.missed) if index is not None else set()
    for name in mod.module.values:
        r = mod._name(name, mod.module)
        if r is not None and r.kind == "client":
            facts.instances[name] = (f"{name} in {rel}: {r.origin}", ())
    for name, fn in mod.module.funcs.items():
        r = mod._returns(fn)
        if r is not None:
            facts.factories[name] = (f"{name}() in {rel}: {r.origin}", ())
    for name, cls in mod.classes.items():
        why = mod._class_why(cls, set())
        if why is not None:
            facts.client_classes[name] = (f"{why} ({rel})", ())
    for name, imp in mod.imports.items():
        target = mod.resolve(imp.spec)
        if target is not None and imp.name != "*":
            facts.aliases[name] = f"{target}#{imp.name}"
    facts.aliases.update(mod.reexports)
    imports = []
    for _, spec, type_only in mod.import_nodes:
        if type_only:
            continue
        target = mod.resolve(spec)
        imports.append(target if target is not None else spec)
    facts.imports = sorted(set(imports))
    facts.tcp = sorted({s for s in facts.imports if s in TCP_CLIENT_MODULES})
    if index is not None:
        index.missed = missed_before | index.missed
    return facts
