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

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import tree_sitter_typescript
from tree_sitter import Language, Node, Parser, Query, QueryCursor

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
    READ_SOURCES,
    REDIS_ONLY,
    REDIS_PORTS,
    STRING_WRITES,
    URL_SCHEMES,
    WHOLE_READS,
    WRITES_NEED_TTL,
    Raw,
    _url_problem,
    branches_differ,
    positive_test,
    racy_writes,
    recv_pair,
    separate_expire,
    url_detail,
    with_reason,
)
from .evidence import opt_out_flag, paging_name, short_lived, with_article, words
from .index import TCP_CLIENT_MODULES, ModuleFacts
from .model import BY_NAME, SYNTAX_ERROR, Finding
from .names import ENTRY_POINTS, is_factory_name, is_startup_hook
from .receivers import REDIS_NAMED, Recv, client, guarded
from .suppressions import MARKER, Suppressions, parse_suppressions

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
# a keys(...) call with an argument (not Object.keys(x), map.keys())
_T = TypeVar("_T")
# questions open at once in RR009's call-chain reasoning (TsChecker._memo) before it answers as for code that runs
# once: no real chain of calls is this deep, and Python's stack would end first
_CHAIN_LIMIT = 100
_KEYS_CALL = re.compile(r"(?<!Object)\.keys\(\s*[^)\s]")
NOT_REDIS_CTORS = frozenset(
    "Map Set WeakMap WeakSet Array Object Date URL URLSearchParams Headers FormData Request Response "
    "Error Promise RegExp LRUCache".split()
)
FUNCTIONS = frozenset(
    {"function_declaration", "generator_function_declaration", "function_expression", "arrow_function"}
    | {"method_definition", "function", "generator_function"}
)
FACTORY_WORDS = ("client", "redis", "valkey", "connection", "conn", "pool", "cache")
FACTORY_PREFIXES = ("get", "create", "make", "new", "init", "connect", "build", "open")
TS_RAW = frozenset({"call", "sendcommand", "send_command"})
# what RR007 points TypeScript code to instead of KEYS: the SCAN helpers of ioredis and node-redis
TS_SCAN = "scanStream in ioredis, scanIterator in node-redis"
# how RR016 names the trim options in TypeScript: ioredis arguments, node-redis's option object
TS_TRIM = "MAXLEN or MINID (ioredis arguments; node-redis: the TRIM option)"
# keys of every argument: Python's KEY_ALL plus DEL, which redis-py spells `delete` and TS clients `del`
TS_KEY_ALL = KEY_ALL | {"del"}
# first arguments that are no KEYS pattern (`schema.keys({...})` extends a Joi schema)
NOT_PATTERNS = frozenset({"object", "array", "arrow_function", "function_expression", "number", "true", "false"})
TS_SCRIPTS = frozenset({"eval", "evalsha", "eval_ro", "evalro", "definecommand", "definescript", "scriptload"})
# RR022: reads whose reply is a stored value (as checks.READ_SOURCES; ioredis' Buffer variants: getBuffer, hgetBuffer)
TS_READS = READ_SOURCES | frozenset(f"{m}buffer" for m in READ_SOURCES)
# what runs (or revives) the text it is given: globals by name, and module functions by (module, name)
_CODE_GLOBALS = frozenset({"eval", "Function", "globalThis.eval", "global.eval", "window.eval"})
_CODE_MODULES = {
    "vm": frozenset({"runInNewContext", "runInThisContext", "runInContext", "compileFunction", "Script"}),
    "v8": frozenset({"deserialize"}),
    "node-serialize": frozenset({"unserialize"}),
}


# RR018: commands that put a connection in subscriber mode (lowercased: node-redis spells them pSubscribe, sSubscribe)
SUBSCRIBES = frozenset({"subscribe", "psubscribe", "ssubscribe"})
# a binding or factory named for a connection of its own (`subscriber`, `sub`, `listener`, `blockingClient`)
_DEDICATED = re.compile(r"sub|listen|block|dedicated", re.IGNORECASE)
# a function named for setting a subscriber up (`startSubscriber`, `listenForEvents`): called once, not per request
_SUBSCRIBER_SETUP = re.compile(r"subscri|listen|^start|^run|watch|consume", re.IGNORECASE)

_CLASSES = frozenset({"class_declaration", "class", "abstract_class_declaration"})
_PARAMETER_PROPERTY = frozenset({"accessibility_modifier", "readonly", "override_modifier"})  # makes a field
# the node types TsModule._collect looks at (the query finds them in C; every other node is never visited)
_COLLECT = (
    *sorted(FUNCTIONS | _CLASSES),
    *("import_statement", "export_statement", "variable_declarator", "assignment_expression"),
    *("augmented_assignment_expression", "public_field_definition", "field_definition", "return_statement"),
    *("call_expression", "new_expression"),
)
_QUERIES: dict[tuple[int, tuple[str, ...]], Query] = {}
# method names (lowercased, as bytes) of the calls TsModule keeps: the ones TsChecker judges
_JUDGED = frozenset(
    m.encode()
    for m in INTERESTING
    | REDIS_ONLY
    | TS_RAW
    | TS_SCRIPTS
    | TS_KEY_ALL
    | TS_READS
    | SUBSCRIBES
    | {"exec", "execaspipeline"}
    | {"duplicate"}
)


def _language(rel: str) -> Language:
    return _TS if rel.endswith((".ts", ".mts", ".cts")) else _TSX


def _query_nodes(root: Node, types: Sequence[str], language: Language) -> list[Node]:
    """The nodes of these types below `root` (parsed with `language`), in document order (outer before inner
    at the same start)."""
    key = (id(language), tuple(types))
    query = _QUERIES.get(key)
    if query is None:
        known = [t for t in types if language.id_for_node_kind(t, True)]
        query = _QUERIES[key] = Query(language, " ".join(f"({t}) @n" for t in known))
    found = QueryCursor(query).captures(root).get("n", [])
    found.sort(key=lambda n: (n.start_byte, -n.end_byte))
    return found


def parse(source: bytes, rel: str) -> Node:
    """The tree of a TypeScript or JavaScript file (JSX-aware grammar for .tsx and JavaScript)."""
    parser = Parser(_language(rel))
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
        node = next((c for c in node.named_children if c.type not in _TYPE_PARTS), None)
    return node


def _bare(node: Node) -> Node:
    """An argument or option value without the TypeScript around it: parentheses, `as`, `satisfies`, `!`, `<T>x`
    (`{ EX: 300 } as any` is an options object). Not `await`: what is awaited is a call's result."""
    while node.type in _TYPE_WRAPPERS:
        inner = next((c for c in node.named_children if c.type not in _TYPE_PARTS), None)
        if inner is None:
            return node
        node = inner
    return node


_TYPE_PARTS = ("type_annotation", "type_arguments", "comment")  # the type of `<T>x`, not its value
_TYPE_WRAPPERS = frozenset(
    {"parenthesized_expression", "as_expression", "non_null_expression", "satisfies_expression", "type_assertion"}
)


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


def module_specifier(node: Node) -> str | None:
    """The module a node loads, in every form lint and `update` (updating/importers.py) read: `import ... from "m"`,
    `import "m"`, `export ... from "m"`, `import x = require("m")`, a `require("m")` call and a dynamic
    `import("m")` (a string, or a template literal without substitutions). None for any other node."""
    t = node.type
    if t in ("import_statement", "export_statement"):
        source = node.child_by_field_name("source")
        if source is None and t == "import_statement":
            clause = next((c for c in node.named_children if c.type == "import_require_clause"), None)
            source = clause.child_by_field_name("source") if clause is not None else None
        return _string(source)
    if t == "call_expression":
        f = node.child_by_field_name("function")
        args = _args(node)
        if f is not None and args and (f.type == "import" or (_text(f) == "require" and len(args) == 1)):
            return _string(args[0])
    return None


def module_specifiers(source: str, rel: str) -> list[str]:
    """Every module specifier of a TypeScript / JavaScript source, in document order: its import and export-from
    statements, and its `require()` and dynamic `import()` calls wherever they are (module_specifier)."""
    root = parse(source.encode("utf-8", "surrogatepass"), rel)
    nodes = _query_nodes(root, ("import_statement", "export_statement", "call_expression"), _language(rel))
    return [spec for spec in map(module_specifier, nodes) if spec is not None]


def _required(value: Node | None) -> str | None:
    """The module of `require("x")` (also `require("x").default`), else None."""
    value = _unwrap(value)
    if value is not None and value.type == "member_expression":
        value = value.child_by_field_name("object")
    if value is None or value.type != "call_expression" or _text(value.child_by_field_name("function")) != "require":
        return None
    return module_specifier(value)


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

    def plain_keys(self) -> bool:
        """Is its own keys(...) no pass-through to a KEYS (`keys(p) { return this.client.keys(p); }`)? A caller
        of a pass-through chooses the pattern, so the call site is where the KEYS is reported."""
        method = self.methods.get("keys")
        return method is None or not _KEYS_CALL.search(_text(method.node))


@dataclass(frozen=True)
class Import:
    spec: str
    name: str  # "default", "*" or the exported name
    type_only: bool
    node: Node


class TsModule:
    """Imports, scopes, classes and calls of one TypeScript module, and the receiver classifier."""

    def __init__(
        self, root: Node, rel: str, policy: Policy, project: Project | None, source: str = "", light: bool = False
    ) -> None:
        self.root = root
        self.source = source  # the module's text ("" when not given)
        self.light = light  # only imports, re-exports and require() bindings were read (see _collect_top)
        self.rel = rel
        self.policy = policy
        self.project = project
        self.module = Scope(root, None, name="<module>")
        self.imports: dict[str, Import] = {}
        self.import_nodes: list[tuple[Node, str, bool]] = []  # (statement, specifier, type only)
        self.reexports: dict[str, str] = {}  # exported name -> "rel#name" / "*n" -> rel
        self.classes: dict[str, TsClass] = {}
        self.top_classes: set[str] = set()  # classes declared at the top of a light module
        # calls of plain names and of the method names the checks judge: (call, scope, function, method lowercased)
        self.calls: list[tuple[Node, Scope, Node, str]] = []
        self.news: list[tuple[Node, Scope]] = []
        self.scope_of: dict[int, Scope] = {}
        self.exempt: set[int] = set()  # constructor calls stored in an outer variable, a field or this.x
        self.kept: set[str] = set()  # functions and methods whose result is stored that way (factories)
        self._cache: dict[tuple[int, str], Recv | None] = {}
        self._busy: set[tuple[int, str]] = set()
        if light:
            self._collect_top()
        else:
            self._collect()

    # ------------------------------------------------------------------ building
    def _collect_top(self) -> None:
        """Only the imports, re-exports and `require()` bindings of the module (one that cannot touch Redis:
        what it offers the project index is what it passes on)."""
        for node in self.root.named_children:
            t = node.type
            decl = node.child_by_field_name("declaration") if t == "export_statement" else node
            if decl is not None and decl.type in ("class_declaration", "abstract_class_declaration"):
                self.top_classes.add(_text(decl.child_by_field_name("name")))  # a plain class (the index asks)
            if t in ("import_statement", "export_statement"):
                self._import(node)
            elif t in ("lexical_declaration", "variable_declaration"):
                for decl in node.named_children:
                    name, value = decl.child_by_field_name("name"), decl.child_by_field_name("value")
                    spec = _required(value) if decl.type == "variable_declarator" else None
                    if spec is not None and name is not None:
                        self._require(decl, name, spec)

    def imports_client(self) -> bool:
        """Does the module import a client package, the client module, or a project name that holds or returns
        a client or is a client class (a module not indexed yet is noted in the index's `missed`)?"""
        if self.project is None:
            return False
        index = self.project.index
        for imp in self.imports.values():
            if imp.type_only:
                continue
            if imp.spec in CLIENT_PACKAGES or self._client_module(imp.spec):
                return True
            target = self.resolve(imp.spec)
            if target is None:
                continue
            if imp.name == "*":
                facts = index.by_path.get(target)
                if facts is None:
                    if target in index.expected_paths:
                        index.missed.add(target)
                elif facts.instances or facts.factories or facts.client_classes or facts.aliases:
                    return True
            elif any(index._resolve((f"ts-{kind}", target, imp.name)) for kind in ("instance", "factory", "class")):
                return True
        return False

    def _collect(self) -> None:
        """One pass over the nodes that matter (found by a tree-sitter query, in C), in document order, each
        with the function and class enclosing it (a stack of open containers by byte range)."""
        nodes = _query_nodes(self.root, _COLLECT, _language(self.rel))
        open_: list[tuple[int, Scope, TsClass | None]] = [(self.root.end_byte + 1, self.module, None)]
        for node in nodes:
            start = node.start_byte
            while open_[-1][0] <= start:
                open_.pop()
            _, scope, cls = open_[-1]
            t = node.type
            if t in FUNCTIONS:
                open_.append((node.end_byte, self._function(node, scope, cls), cls))
            elif t in _CLASSES:
                open_.append((node.end_byte, scope, self._class(node, scope)))
            elif t == "call_expression":  # kept: calls of plain names, and of the method names the checks judge
                f = node.child_by_field_name("function")
                ft = f.type if f is not None else ""
                if ft == "member_expression":
                    prop = f.child_by_field_name("property")  # type: ignore[union-attr]
                    name = prop.text.lower() if prop is not None and prop.text is not None else b""
                    if name in _JUDGED:
                        self.calls.append((node, scope, f, name.decode()))  # type: ignore[arg-type]
                elif ft == "identifier":
                    self.calls.append((node, scope, f, ""))  # type: ignore[arg-type]
            elif t == "new_expression":
                self.news.append((node, scope))
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
            elif t in ("public_field_definition", "field_definition"):
                name = node.child_by_field_name("name") or node.child_by_field_name("property")
                if name is not None and cls is not None:
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
            elif scope is self.module:  # import_statement, export_statement
                self._import(node)

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
        spec = module_specifier(node)
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
        clause = next((c for c in node.named_children if c.type in ("import_clause", "import_require_clause")), None)
        if clause is None:
            return
        if clause.type == "import_require_clause":  # `import Redis = require("ioredis")`: as `const Redis = require`
            ident = next((c for c in clause.named_children if c.type == "identifier"), None)
            if ident is not None:
                self.imports[_text(ident)] = Import(spec, "*", type_only, node)
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
            if cls is not None and any(c.type in _PARAMETER_PROPERTY for c in p.children):
                # constructor(private readonly redis: Redis), constructor(readonly redis = getClient()): a
                # parameter property is a field, typed by its annotation or valued by its default
                if ann is not None:
                    cls.annots[pname] = ann
                default = p.child_by_field_name("value")
                if default is not None:
                    cls.fields.setdefault(pname, []).append((default, scope))
                    self.exempt.add(default.id)
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
                self._keep(right)
        elif left.type == "member_expression":
            self.exempt.add(right.id)
            self._keep(right)
            obj = left.child_by_field_name("object")
            if obj is not None and obj.type == "this" and scope.cls is not None:
                prop = _text(left.child_by_field_name("property"))
                scope.cls.fields.setdefault(prop, []).append((right, scope))

    def _keep(self, value: Node) -> None:
        """`this.redis = this.create()`: what `create` returns is kept, so it is built once (a factory)."""
        v = _unwrap(value)
        f = _unwrap(v.child_by_field_name("function")) if v is not None and v.type == "call_expression" else None
        if f is not None and f.type == "identifier":
            self.kept.add(_text(f))
        elif f is not None and f.type == "member_expression" and _unwrap(f.child_by_field_name("object")) is not None:
            if _unwrap(f.child_by_field_name("object")).type == "this":  # type: ignore[union-attr]
                self.kept.add(_text(f.child_by_field_name("property")))

    # ------------------------------------------------------------------ names and imports
    def owner(self, scope: Scope | None, name: str) -> Scope | None:
        s = scope
        while s is not None:
            if name in s.bound or name in s.values or name in s.annots:
                return s
            s = s.parent
        return None

    def resolve(self, spec: str) -> str | None:
        """A specifier as a project file (relative to the root), when it is one (Project.resolve_spec)."""
        return self.project.resolve_spec(self.rel, spec) if self.project is not None else None

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
        self,
        mod: TsModule,
        reset_script: bool,
        edge: bool,
        test_file: bool = False,
        containers_need_ttl: bool = False,
        ports: bool = True,
    ) -> None:
        self.mod = mod
        self.ports = ports  # the text holds a Redis port number (literal endpoints are looked for)
        self.containers_need_ttl = containers_need_ttl  # policy lint.containers_need_ttl
        self.test_file = test_file
        self.reset_script = reset_script
        self.edge = edge
        self.raw: list[Raw] = []
        self.bodies: list[tuple[Scope, list[Cmd]]] = []  # the Redis commands of each function body
        self._builds: bool | None = None  # the module builds a Redis client (see _builds_client)
        self.scope = mod.module
        self.recv_node: Node | None = None
        self.method_name = ""
        self.usage: dict[tuple[int, str], list[tuple[str, int]]] = {}
        self.executed: set[tuple[int, str]] = set()
        self.grown: set[str] = set()  # hash keys written with a field from a variable: they grow
        self.reported: set[int] = set()  # nodes already reported as hard-coded connections
        self.inline_keys: set[int] = set()  # key expressions already reported as built inline
        self.revived: set[int] = set()  # calls already reported as running a value read from Redis
        self._judging: set[int] = set()  # functions whose returns _not_redis is reading (a recursive one: no answer)
        # RR009's reasoning over chains of calls (_in_factory, _request_calls, _runs_once; answers kept per scope)
        self._once_memo: dict[int, bool] = {}
        self._helper_memo: dict[int, bool] = {}
        self._request_memo: dict[int, list[tuple[Node, Scope]]] = {}
        self._open: dict[tuple[int, int], int] = {}  # (table, scope) being worked out -> how many were open before
        self._low = _CHAIN_LIMIT  # the outermost open question a provisional answer came from
        self._tentative: list[tuple[dict[int, Any], int]] = []
        self._calls_by_name: dict[str, list[tuple[Node, Scope]]] | None = None
        self._imported_calls: set[int] = set()  # calls reported as per-request uses of an imported factory
        self._types: dict[str, Node] | None = None  # interfaces and type aliases of the file (_local_types)

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
        for call, scope, f, m in self.mod.calls:
            if m:
                if m in GROWING_FIELD_WRITES:
                    args = _args(call)
                    if len(args) >= 2 and _string(args[1]) is None and _bare(args[1]).type != "object":
                        self.grown.add(_text(args[0]))
                if m in REDIS_ONLY or m in ("exec", "execaspipeline"):
                    key = self._key(f.child_by_field_name("object"), scope)
                    if key is not None:
                        if m in REDIS_ONLY:
                            self.usage.setdefault(key, []).append((m, call.start_point[0] + 1))
                        else:
                            self.executed.add(key)
        by_scope: dict[int, tuple[Scope, list[Cmd]]] = {}
        for call, scope, f, m in self.mod.calls:
            if m:
                self.scope = scope
                self._call(call, f, m, by_scope.setdefault(scope.node.id, (scope, []))[1])
        self.bodies = list(by_scope.values())
        for scope, cmds in self.bodies:
            self.scope = scope
            self._end_body(cmds)
            self._run_as_code(cmds)
        for node, scope in self.mod.news:
            self.scope = scope
            self._constructor(node, scope)
        for call, scope, f, m in self.mod.calls:  # node-redis builds clients with createClient()/createCluster()
            imp = self.mod.imports.get(_text(f)) if not m else None
            if imp is not None and imp.spec in NODE_REDIS and imp.name in NODE_REDIS_FACTORIES:
                self.scope = scope
                self._hardcoded(call)
                self._per_call(call, scope, f"{imp.name}")
            elif imp is not None and not imp.type_only:
                self._imported_factory(call, scope, imp)
        for call, scope, f, m in self.mod.calls:
            if m in SUBSCRIBES or m == "duplicate":
                self.scope = scope
                self._subscriber(call, scope, f, m)
        self._url_defaults()
        if self.edge:
            self._edge()
        return self.raw

    # ------------------------------------------------------------------ RR022 pickle-values
    def _run_as_code(self, cmds: list[Cmd]) -> None:
        """A value read from Redis (the reply of a client's GET, HGET, MGET, getBuffer...: awaited, through locals,
        a template literal or `+`) handed to what runs it as code or revives it: `eval`, `Function`, `vm`, `v8.
        deserialize`, node-serialize's `unserialize` (the pickle.loads of JavaScript). Test code too, as in Python."""
        fn = self.scope.node
        for c in cmds:
            if c.method not in TS_READS or c.recv.kind != "client":
                continue
            sink = self._code_from(c.node, fn)
            if sink is None or sink[0].id in self.revived:
                continue
            self.revived.add(sink[0].id)
            self.recv_node = _receiver_of(c.node)
            self.report("pickle-values", sink[0], "code", c.recv, method=sink[1])

    def _code_from(self, node: Node, fn: Node, depth: int = 0) -> tuple[Node, str] | None:
        """(the call, its name) that runs the value of `node` as code, following it up through `await`,
        parentheses and casts, template literals, `+`, `??`, `||`, the branches of `?:`, `String(x)`,
        `x.toString()`, `Buffer.from(x)` and locals it is assigned to (as _compared follows a count)."""
        child, parent = node, node.parent
        while parent is not None and parent.id != fn.id:
            t = parent.type
            if t == "arguments":
                call = parent.parent
                if call is None or call.type not in ("call_expression", "new_expression"):
                    return None
                first = next((a for a in parent.named_children if a.type != "comment"), None)
                name = self._code_runner(call)
                if name is not None and (
                    name in ("Function", "new Function") or (first is not None and first.id == child.id)
                ):
                    return call, name
                callee = _text(call.child_by_field_name("function"))
                if callee not in ("String", "Buffer.from") or first is None or first.id != child.id:
                    return None
                parent = call
            elif t == "binary_expression":
                if _text(parent.child_by_field_name("operator")) not in ("+", "??", "||"):
                    return None
            elif t == "ternary_expression":  # `raw ? eval(raw) : null`, not its condition
                test = parent.child_by_field_name("condition")
                if test is None or test.id == child.id:
                    return None
            elif t == "member_expression":  # raw.toString()
                call = parent.parent
                if _text(parent.child_by_field_name("property")) != "toString" or call is None:
                    return None
                callee_node = call.child_by_field_name("function") if call.type == "call_expression" else None
                if callee_node is None or callee_node.id != parent.id:
                    return None
                parent = call
            elif t in ("variable_declarator", "assignment_expression"):
                name_node = parent.child_by_field_name("name" if t == "variable_declarator" else "left")
                value = parent.child_by_field_name("value" if t == "variable_declarator" else "right")
                if name_node is None or name_node.type != "identifier" or value is None or value.id != child.id:
                    return None
                if depth >= 3:
                    return None
                for use in _uses(fn, _text(name_node), name_node):
                    found = self._code_from(use, fn, depth + 1)
                    if found is not None:
                        return found
                return None
            elif (
                t not in _WRAPPERS and t not in _TYPE_WRAPPERS and t not in ("template_substitution", "template_string")
            ):
                return None
            child, parent = parent, parent.parent
        return None

    def _code_runner(self, call: Node) -> str | None:
        """The name of what `call` (a call or `new`) is when it runs or revives the text it is given: `eval`,
        `Function`/`new Function`, `vm.runInNewContext`/`new vm.Script`, `v8.deserialize`, `unserialize` of
        node-serialize (imported or required under any name), else None."""
        new = call.type == "new_expression"
        f = call.child_by_field_name("constructor" if new else "function")
        name = _dotted(f)
        if name is None:
            return None
        if name in _CODE_GLOBALS:
            head = name.partition(".")[0]
            if head not in ("eval", "Function") or (
                self.mod.owner(self.scope, head) is None and head not in self.mod.imports
            ):
                return f"new {name}" if new else name
            return None
        head, _, attr = name.rpartition(".")
        imp = self.mod.imports.get(head or name)
        if imp is None or imp.type_only:
            return None
        names = _CODE_MODULES.get(imp.spec.removeprefix("node:"), frozenset())
        if head and "." not in head and imp.name in ("*", "default") and attr in names:
            return f"new {name}" if new else name
        if not head and imp.name in names:
            return f"new {name}" if new else name
        return None

    # ------------------------------------------------------------------ RR018 dedicated-subscriber-connection
    def _subscriber(self, call: Node, scope: Scope, f: Node, m: str) -> None:
        """SUBSCRIBE on the shared client (anywhere: its connection then refuses every other command), and
        `duplicate()` in a function that runs per call (a new connection each time, as client-per-call judges)."""
        if "upstash" in self.mod.policy.client.lower():
            return  # REST: no subscriber connection to share or open
        obj = f.child_by_field_name("object")
        written = _text(f.child_by_field_name("property"))
        if m in SUBSCRIBES:
            why = self._shared(obj, scope, 0)
            if why is not None:
                self.recv_node = _unwrap(obj)
                name = f"{_dotted(obj) or _text(obj)}.{written}"
                self.report("dedicated-subscriber-connection", call, "shared", client(why), name=name, fix=self._fix())
            return
        if self.test_file or scope is self.mod.module or self._kept_call(call):
            return
        r = self.mod.recv(obj, scope)
        if r is None or r.kind != "client" or any(_rest_client(w) for w in r.why):
            return
        if self._in_factory(scope, _returned(call)) or self._runs_once(scope):
            return
        s: Scope | None = scope
        while s is not None and s is not self.mod.module:
            if _SUBSCRIBER_SETUP.search(s.name) or _DEDICATED.search(s.name):
                return  # `startSubscriber()`, `subscribe(channel, handler)`: sets a subscriber up, once
            s = s.parent
        self.recv_node = _unwrap(obj)
        name = f"{_dotted(obj) or _text(obj)}.{written}"
        self.report(
            "dedicated-subscriber-connection", call, "duplicate", r, name=name, caller=_who(scope), fix=self._fix()
        )

    def _fix(self) -> str:
        """The advice: the generated pubsub module when the project has one, else a dedicated connection."""
        project, path = self.mod.project, self.mod.policy.module_path.strip("/")
        if project is not None and path:
            index = project.index
            if any(
                f"{path}/pubsub{ext}" in index.expected_paths or f"{path}/pubsub{ext}" in index.by_path
                for ext in (".ts", ".js")
            ):
                return "subscribe once at startup with pubsub.subscribeInvalidations(handler), on its own connection"
        return "subscribe once at startup on a dedicated connection (client.duplicate(), kept)"

    def _shared(self, node: Node | None, scope: Scope, depth: int) -> str | None:
        """Why `node` is the process's shared client (the client module's instance or getter, `getClient()`, a
        client kept at module level or in a field and also sent commands), or None: a duplicate(), a client
        built for one use, a connection named for subscribing, or anything not known."""
        node = _unwrap(node)
        if node is None or depth > 8:
            return None
        t = node.type
        if t == "identifier":
            name = _text(node)
            if _DEDICATED.search(name):
                return None
            owner = self.mod.owner(scope, name)
            if owner is None:
                imp = self.mod.imports.get(name)
                r = self.mod._imported(name, call=False) if imp is not None else None
                if r is None or imp is None or _DEDICATED.search(imp.name):
                    return None
                return r.origin
            values = owner.values.get(name, ())
            if not values:
                return None
            reasons = [self._kept_shared(v, vs, node, scope, depth) for v, vs in values]
            return reasons[0] if all(reasons) else None
        if t == "member_expression":
            obj = _unwrap(node.child_by_field_name("object"))
            prop = _text(node.child_by_field_name("property"))
            if _DEDICATED.search(prop) or obj is None:
                return None
            if obj.type == "this" and scope.cls is not None:
                values = scope.cls.fields.get(prop, [])
                reasons = [self._kept_shared(v, vs, node, scope, depth) for v, vs in values]
                return reasons[0] if reasons and all(reasons) else None
            r = self.mod.recv(node, scope)  # `redis.client` of the client module imported as a namespace
            return r.origin if r is not None and r.ours else None
        if t == "call_expression":
            fn = _unwrap(node.child_by_field_name("function"))
            if fn is None:
                return None
            called = _text(fn.child_by_field_name("property")) if fn.type == "member_expression" else _text(fn)
            if fn.type not in ("identifier", "member_expression") or not called.lower().startswith("get"):
                return None  # createClient(), createSubscriber(), duplicate(), connect(): a connection of its own
            if _DEDICATED.search(called):
                return None
            r = self.mod.recv(node, scope)
            if r is None or r.kind != "client" or any(_rest_client(w) for w in r.why):
                return None
            if fn.type == "identifier":
                local = self.mod.owner(scope, called)
                target = local.funcs.get(called) if local is not None else None
                if target is not None and _returns_new_client(self.mod, target) is not None:
                    return None  # a getter that builds a new client each time
            return r.origin
        return None

    def _kept_shared(self, value: Node, vscope: Scope, use: Node, scope: Scope, depth: int) -> str | None:
        """A value bound to the subscribing receiver: the shared client it comes from, or a client constructed
        here that the module keeps at module level or in a field and also sends other commands to."""
        v = _unwrap(value)
        if v is None:
            return None
        if v.type in ("new_expression", "call_expression"):
            r = self.mod.recv(v, vscope)
            built = v.type == "new_expression" or (
                r is not None
                and v.type == "call_expression"
                and _text(v.child_by_field_name("function")) in NODE_REDIS_FACTORIES
            )
            if built:
                if r is None or any(_rest_client(w) for w in r.why):
                    return None
                owner_is_kept = use.type == "member_expression" or self.mod.owner(scope, _text(use)) is self.mod.module
                if owner_is_kept and self._sent_commands(use, scope):
                    return f"{r.origin}, also sent commands"
                return None
        return self._shared(v, vscope, depth + 1)

    def _sent_commands(self, use: Node, scope: Scope) -> bool:
        """Is the receiver `use` names (same binding) sent any command other than (un)subscribing?"""
        key = self._key(use, scope)
        if key is None:
            return False
        for _call, sc, f, m in self.mod.calls:
            if not m or m in SUBSCRIBES or m in ("duplicate",):
                continue
            if self._key(f.child_by_field_name("object"), sc) == key:
                return True
        return False

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
            head, _, rest = d.partition(".")
            return d.rsplit(".", 1)[-1] in NOT_REDIS_CTORS or (self._foreign(head) if rest else self._no_client(d, m))
        if t == "this":
            cls = scope.cls
            return cls is not None and (
                m in {k.lower() for k in cls.methods} or self.mod._class_why(cls, set()) is None
            )
        if t == "member_expression":
            obj = _unwrap(node.child_by_field_name("object"))
            if obj is not None and obj.type == "this" and scope.cls is not None and m:
                return self._field_not_redis(scope.cls, _text(node.child_by_field_name("property")), m)
            return (
                self._not_redis(obj, scope, "")
                if m == ""
                else (_dotted(obj) in ("Object", "Reflect", "JSON", "Array", "Math"))
            )
        if t == "call_expression":  # `await Trie.create()`: a static factory of a package that names no Redis
            d = _dotted(node.child_by_field_name("function")) or ""
            fn = self.mod.module.funcs.get(d)  # `makeStore().keys("u:")`: every return is no client
            if fn is not None and fn.returns and fn.node.id not in self._judging:
                self._judging.add(fn.node.id)
                try:
                    return all(self._not_redis(v, fn, m) for v in fn.returns)
                finally:
                    self._judging.discard(fn.node.id)
            head = d.split(".", 1)[0]
            imp = self.mod.imports.get(head)
            return (
                imp is not None and self._foreign(head) and not self.mod._factory_name(d.rsplit(".", 1)[-1], imp.spec)
            )
        if t != "identifier":
            return False
        name = _text(node)
        owner = self.mod.owner(scope, name)
        if owner is None:
            imp = self.mod.imports.get(name)
            if imp is None:
                return True  # a global (Object, JSON, Reflect, window, ...)
            return self._other_package(imp)
        ann = owner.annots.get(name)
        if ann is not None and self._type_not_redis(ann, m):
            return True
        values = owner.values.get(name, ())
        return bool(values) and all(self._not_redis(v, vs, m) for v, vs in values)

    def _type_not_redis(self, ann: Node, m: str, seen: frozenset[str] = frozenset()) -> bool:
        """A type annotation of something that is no client: a container, a class that is none (_no_client), an
        object type literal (`store: { keys(p: string): string[] }`) or an interface or type alias of this file
        that names no Redis type (_names_redis); a union of such (with null/undefined). `any`, `unknown`, an
        imported type and anything else not known are left to the other evidence."""
        txt = _text(ann).lstrip(": ").strip()
        if re.match(r"^(Map|Set|WeakMap|Record|Array|ReadonlyArray|string|number|URLSearchParams|Headers)\b", txt):
            return True
        if txt.endswith("[]"):
            return True
        node: Node | None = ann
        while node is not None and node.type in ("type_annotation", "parenthesized_type"):
            node = next((c for c in node.named_children if c.type != "comment"), None)
        if node is None:
            return False
        if node.type == "object_type":
            return not self._names_redis(node, seen)
        if node.type == "union_type":
            parts = [c for c in _union_parts(node) if _text(c) not in ("null", "undefined", "void")]
            return bool(parts) and all(self._type_not_redis(c, m, seen) for c in parts)
        name = _text(node.child_by_field_name("name") if node.type == "generic_type" else node)
        decl = self._local_types().get(name)
        if decl is not None and node.type in ("type_identifier", "generic_type"):
            if name in seen or REDIS_NAMED.search(name):
                return False  # `interface RedisLike { ... }`: a client type by its name
            if decl.type == "interface_declaration":
                return not self._names_redis(decl, seen | {name})
            value = decl.child_by_field_name("value")
            return value is not None and self._type_not_redis(value, m, seen | {name})
        return self._no_client(re.split(r"[<\s|&]", txt, maxsplit=1)[0], m)

    def _local_types(self) -> dict[str, Node]:
        """The interfaces and type aliases declared in this file, by name (the first of each)."""
        if self._types is None:
            self._types = {}
            for decl in _query_nodes(
                self.mod.root, ("interface_declaration", "type_alias_declaration"), _language(self.mod.rel)
            ):
                self._types.setdefault(_text(decl.child_by_field_name("name")), decl)
        return self._types

    def _names_redis(self, node: Node, seen: frozenset[str]) -> bool:
        """Does a type (an object type, an interface with its `extends`) name a Redis type anywhere: a client or
        pipeline type name, a type imported from a package named for Redis or from a client package, a client
        class, a `typeof` query (`ReturnType<typeof createClient>`), an interface or alias of this file that
        does?"""
        if self.mod.annotation(node) is not None:
            return True
        stack = [node]
        while stack:
            n = stack.pop()
            if n.type == "type_query":
                return True
            if n.type in ("type_identifier", "nested_type_identifier"):
                d = _dotted(n) or _text(n)
                head = d.partition(".")[0]
                last = d.rsplit(".", 1)[-1]
                if last in CLIENT_TYPES or last in PIPELINE_TYPES or REDIS_NAMED.search(d):
                    return True
                imp = self.mod.imports.get(head)
                if imp is not None and (imp.spec in CLIENT_PACKAGES or REDIS_NAMED.search(imp.spec)):
                    return True
                local = self.mod.classes.get(head)
                if local is not None and self.mod._class_why(local, set()) is not None:
                    return True
                decl = self._local_types().get(head)
                if decl is not None and head not in seen:
                    if self._names_redis(decl, seen | {head}):
                        return True
                continue
            stack.extend(n.named_children)
        return False

    def _no_client(self, name: str, m: str) -> bool:
        """Is the class `name` no client class: one of this file or of a project module that extends none (its
        own keys(prefix) is no KEYS, a KEYS inside it is reported where it is sent; TsClass.plain_keys), or one
        from a package that names no Redis?"""
        cls = self.mod.classes.get(name)
        if cls is not None:
            return self.mod._class_why(cls, set()) is None and (m != "keys" or cls.plain_keys())
        imp = self.mod.imports.get(name)
        target = self.mod.resolve(imp.spec) if imp is not None and imp.name != "*" else None
        if target is not None and self.mod.project is not None:
            return self.mod.project.index.ts_plain_class(target, imp.name)  # type: ignore[union-attr]
        return self._foreign(name)

    def _field_not_redis(self, cls: TsClass, prop: str, m: str) -> bool:
        """`this.trie.keys(p)` with `private trie = new Trie()` or `trie: Trie` in the class."""
        ann = cls.annots.get(prop)
        if ann is not None and self._type_not_redis(ann, m):
            return True
        values = cls.fields.get(prop, [])
        return bool(values) and all(self._not_redis(v, vs, m) for v, vs in values)

    def _foreign(self, name: str) -> bool:
        """Is `name` imported from another package that names no Redis (`new Trie()` from "@ethereumjs/trie")?
        Its instances' keys(prefix) is their own; a package named for Redis may wrap a client."""
        imp = self.mod.imports.get(name)
        return imp is not None and not REDIS_NAMED.search(imp.spec) and self._other_package(imp)

    def _other_package(self, imp: Import) -> bool:
        """Is the import from a package that is no client package and not the project (its files, its client
        module)?"""
        return (
            imp.spec not in CLIENT_PACKAGES
            and not imp.spec.startswith((".", "@/", "~/"))
            and self.mod.resolve(imp.spec) is None
            and not self.mod._client_module(imp.spec)
        )

    def _weak(self, call: Node, m: str, obj: Node | None) -> Recv | None:
        scope = self.scope
        if self._not_redis(obj, scope, m):
            return None
        key = self._key(obj, scope)
        ident = hash(key) if key is not None else call.id
        kind, tx = "client", False
        opened, opener = self._opened(obj, scope)
        if opened is not None:  # `const multi = client.multi()`: a transaction; `.pipeline()`: not one
            kind, tx, ident = "pipeline", opened, key and hash(key) or call.id  # type: ignore[assignment]
            # opened on a receiver that is Redis by usage: the transaction is Redis too (`multi.set(k, v)`)
            opener_key = self._key(opener, scope) if opener is not None else None
            for um, line in self.usage.get(opener_key, ()) if opener_key is not None else ():
                via = f"{_dotted(opener)}.{'multi' if opened else 'pipeline'}()"
                return Recv(kind, tx, ident, (f"queued on {via}, also sent {um.upper()} at line {line}",), "usage")
        elif key is not None and key in self.executed:
            kind, tx = "pipeline", True
        for um, line in self.usage.get(key, ()) if key is not None else ():
            if um != m or line != call.start_point[0] + 1:
                return Recv(kind, tx, ident, (f"also sent {um.upper()} at line {line}",), "usage")
        args = _args(call)
        why: str | None = None
        if m in REDIS_ONLY:
            why = f"{m}() is a Redis command"
        elif m == "keys" and args and args[0].type not in NOT_PATTERNS and (len(args) < 2 or _callback(args[1])):
            # KEYS takes one pattern (ioredis: and a callback); `tree.keys(lo, hi)` is a range of a sorted map
            why = "keys(pattern) takes a pattern, Map.keys() and Array.keys() take none"
        elif m in TS_RAW and args and (self._raw_command(args) or "") in ("KEYS", "FLUSHALL", "FLUSHDB"):
            why = f"{m}({self._raw_command(args)!r}) is a raw Redis command"
        elif m in TS_SCRIPTS and self._script_text(call) is not None and LUA_CALL.search(self._script_text(call) or ""):
            why = "the Lua script calls redis.call"
        elif m in INCRS or m in EXPIRES:
            why = f"{m}() is judged with the INCR/EXPIRE it pairs with"
        return Recv(kind, tx, ident, (why,), "shape") if why is not None else None

    def _opened(self, obj: Node | None, scope: Scope) -> tuple[bool | None, Node | None]:
        """(True/False, x) when `obj` is (bound to) `x.multi()` / `x.pipeline()` (transaction or not), else
        (None, None)."""
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
                    return m == "multi", _unwrap(f.child_by_field_name("object"))
        return None, None

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
        for a in map(_bare, args):
            if a.type == "object":  # defineCommand(name, { lua }), defineScript({ SCRIPT })
                for pair in a.named_children:
                    if pair.type == "pair" and _text(pair.child_by_field_name("key")).strip("'\"").lower() in (
                        "lua",
                        "script",
                    ):
                        return self._const(pair.child_by_field_name("value"))
        return self._const(args[0]) if args else None

    def _call(self, call: Node, f: Node, m: str, cmds: list[Cmd]) -> None:
        if not (
            m in INTERESTING or m in REDIS_ONLY or m in TS_RAW or m in TS_SCRIPTS or m in TS_KEY_ALL or m in TS_READS
        ):
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
        key = args[0] if args and (m in KEY_FIRST or m in TS_KEY_ALL) else None
        if key is not None and (not weak or m in REDIS_ONLY):
            for k in [c for a in args for c in _key_candidates(self._bound_list(a))] if m in TS_KEY_ALL else [key]:
                self._inline_key(k, r)
        cmds.append(Cmd(m, call, r, key, _dotted(self.recv_node) or ""))
        if m == "keys" and (args or not weak):
            self.report("keys-command", call, "call", r, scan=TS_SCAN)
        elif m in TS_RAW and args:
            name = self._raw_command(args)
            if name == "KEYS":
                self.report("keys-command", call, "raw", r, via=self.method_name, scan=TS_SCAN)
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
        elif m in WHOLE_READS:  # as in checks.Checker._command
            grows = m == "hgetall" and key is not None and _text(key) in self.grown and not self._entity_key(key)
            if r.ours or grows:
                self.report("unbounded-read", call, "whole", r, command=m.upper())
            else:
                paging = self._paging_param()
                if paging is not None and not _in_loop(call):  # read once, then paged
                    self.report("unbounded-read", call, "page", r, command=m.upper(), param=paging)
        elif m in RANGE_READS and len(args) >= 3:
            if self._number(args[1]) == 0 and self._number(args[2]) == -1:
                self.report("unbounded-read", call, "range", r, command=m.upper())
        elif m in _FULL_RANGES and (bounds := _full_range(m, args)) is not None:
            self.report("unbounded-read", call, "full", r, command=m.upper(), where=bounds, param=_FULL_RANGES[m][2])
        elif m == "xadd" and not _trimmed(args):
            self.report("xadd-unbounded", call, recv=r, trim=TS_TRIM)

    def _assigned_once(self, name: Node, *, local: bool = False) -> Node | None:
        """The expression an identifier is bound to, when it is bound exactly once (`const x = ...`); with
        `local`, only a binding inside a function (module constants are names, not inline builds)."""
        if name.type != "identifier":
            return None
        owner = self.mod.owner(self.scope, _text(name))
        if owner is None or (local and owner is self.mod.module):
            return None
        values = owner.values.get(_text(name), ())
        return _unwrap(values[0][0]) if len(values) == 1 else None

    def _bound_list(self, arg: Node) -> Node:
        """`const ks = ids.map(...)` / `[...]` just before `r.mget(ks)`: the list expression, else `arg`."""
        value = self._assigned_once(arg, local=True)
        return value if value is not None and value.type in ("array", "call_expression") else arg

    def _inline_key(self, key: Node, r: Recv) -> None:
        # const key = `app:user:${uid}` just before r.get(key): still built inline, one line up (checks.py too)
        built = self._assigned_once(key, local=True) or key
        how = _inline_key(built)
        if how is not None and built.id not in self.inline_keys:  # one finding per key, however many calls use it
            self.inline_keys.add(built.id)
            self.report("inline-key", built, recv=r, how=how)

    def _entity_key(self, key: Node) -> bool:
        """Is the key built from a variable (`this.runStateKey(runId)`, `run:${id}`, a local bound to one)?"""
        key = _unwrap(key) or key
        key = self._assigned_once(key) or key
        if key.type == "template_string":
            return any(c.type == "template_substitution" for c in key.children)
        if key.type == "call_expression":
            return any(not _fixed(a) for a in _args(key))
        if key.type == "binary_expression":
            return not (_fixed(key.child_by_field_name("left")) and _fixed(key.child_by_field_name("right")))
        return False

    def _paging_param(self) -> str | None:
        """A paging parameter (`limit`, `offset`, `top`, `skip`, ...) of the function being checked: a parameter,
        a field of a destructured parameter, or one destructured from the options in its body."""
        fn = self.scope.node
        if fn.type not in FUNCTIONS:
            return None
        stack = [c for c in fn.children if c.type != "statement_block"]
        body = fn.child_by_field_name("body")
        if body is not None and body.type == "statement_block":
            stack.extend(
                c for c in body.named_children if c.type == "lexical_declaration" or c.type == "variable_declaration"
            )
        while stack:
            n = stack.pop()
            if n.type in FUNCTIONS:
                continue
            if n.type in ("identifier", "shorthand_property_identifier_pattern") and paging_name(_text(n)):
                return _text(n)
            stack.extend(n.named_children)
        return None

    def _in_callbacks(self, c: Cmd) -> list[Cmd]:
        """The commands of functions passed to the command `c` (`client.hmset(k, v, function () {
        client.expire(k, ttl) })`): sent after its reply, separate commands."""
        start, end = c.node.start_byte, c.node.end_byte
        return [e for scope, cmds in self.bodies if start < scope.node.start_byte < end for e in cmds]

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
                    self._without_ttl(c, cmds, "mset")
                continue
            if c.key is None or (c.method == "set" and _set_has_ttl(_args(c.node))):
                continue
            if in_tx(c) and (c.recv.ident, kid(c)) in expired:
                continue
            key_expires = [e for e in cmds if e.method in KEY_EXPIRES and kid(e) == kid(c)]
            if key_expires:  # never one on another branch of an `if`: both never run
                mine = _branch_path(c.node)
                key_expires = [e for e in key_expires if not branches_differ(mine, _branch_path(e.node))]
            key_expires += [e for e in self._in_callbacks(c) if e.method in KEY_EXPIRES and kid(e) == kid(c)]
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
                    line=_pos(later.node)[0],
                )
            else:
                self._without_ttl(c, cmds)
        incremented: dict[tuple[str, str | None], Cmd] = {}
        for c in sorted(cmds, key=_sent_at):  # in the order they are sent, chained calls too
            if in_tx(c) or c.key is None:
                continue
            pair = recv_pair(c, kid(c))
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
                    line=_pos(first.node)[0],
                )
        if self.test_file:  # a test's setup against a disposable server: no concurrent requests
            return
        watched: set[str | None] = {_text(a) for c in cmds if c.method == "watch" for a in _args(c.node)}

        def exclusive(a: Cmd, b: Cmd) -> bool:
            return branches_differ(_branch_path(a.node), _branch_path(b.node))

        fn = self.scope.node
        for write, read in racy_writes(cmds, in_tx, kid, lambda c: _compared(c.node, fn), exclusive, watched, _sent_at):
            self.recv_node = _receiver_of(write.node)
            self.report(
                "check-then-act-counter",
                write.node,
                recv=write.recv,
                command=write.method.upper(),
                method=read.method.upper(),
                line=_pos(read.node)[0],
                fix="in a redis-rules project: rateLimit.checkRateLimit",
            )

    def _without_ttl(self, c: Cmd, cmds: list[Cmd], variant: str = "") -> None:
        """A write leaving its key without any TTL: reported as checks.Checker._without_ttl decides (every one
        under the strict policy; elsewhere a string write whose other branch gives a TTL, or a key named for
        something short-lived)."""
        string = c.method in STRING_WRITES
        self.recv_node = _receiver_of(c.node)
        fields: dict[str, Any] = {"command": c.method.upper()}
        if self.containers_need_ttl or (string and c.recv.ours):
            word = self._short_lived(c) if string and not variant else None  # "a session key" says more (trial 15)
            if word is not None:
                self.report("write-without-ttl", c.node, "named", c.recv, a_word=with_article(word), **fields)
            else:
                self.report(
                    "write-without-ttl", c.node, variant or ("write" if string else "container"), c.recv, **fields
                )
            return
        if self.test_file:
            return
        branch = self._ttl_branch(c, cmds) if string else None
        if branch is not None:
            other, opt_out = branch
            if not opt_out:
                line = other.node.start_point[0] + 1
                self.report("write-without-ttl", c.node, variant or "optional", c.recv, line=line, **fields)
            return
        word = self._short_lived(c)
        if word is not None:
            self.report("write-without-ttl", c.node, variant or "named", c.recv, a_word=with_article(word), **fields)

    @staticmethod
    def _gives_ttl(c: Cmd) -> bool:
        m = c.method
        return m in KEY_EXPIRES or m in ("setex", "psetex", "getex") or (m == "set" and _set_has_ttl(_args(c.node)))

    def _ttl_branch(self, c: Cmd, cmds: list[Cmd]) -> tuple[Cmd, bool] | None:
        """(the TTL-giving command, whether `c`'s branch is an explicit opt-out) when `c` sits in one branch of
        an `if` or `?:` whose other branch gives a TTL."""
        givers = [t for t in cmds if t is not c and self._gives_ttl(t)]
        if not givers:
            return None
        mine = _branch_path(c.node)
        for t in givers:
            theirs = _branch_path(t.node)
            if branches_differ(mine, theirs):
                a = next(a for a, b in zip(mine, theirs, strict=False) if a[:2] != b[:2])
                return t, _opt_out(a[2], a[1])
        return None

    def _short_lived(self, c: Cmd) -> str | None:
        """A short-lived word in the key's names and literals (through locals, key-builder methods and the
        arguments callers pass), a string value's type, or the function and class doing the write."""
        texts: list[str] = []
        if c.key is not None:
            self._key_texts(c.key, self.scope, texts, 2)
        values = _args(c.node)[1:2] if c.method in STRING_WRITES else []
        for value in values:  # the declared type of a string's value (`content: ICacheItem`)
            for n in self._walk(value):
                if n.type == "identifier":
                    owner = self.mod.owner(self.scope, _text(n))
                    ann = owner.annots.get(_text(n)) if owner is not None else None
                    if ann is not None:
                        texts.append(_text(ann))
        s: Scope | None = self.scope
        while s is not None and s is not self.mod.module:
            texts.append(s.name)
            if s.cls is not None:
                texts.append(s.cls.name)
            s = s.parent
        return short_lived(texts)

    def _key_texts(self, node: Node, scope: Scope, texts: list[str], depth: int) -> None:
        stack = [node]
        while stack and len(texts) < 200:
            n = stack.pop()
            t = n.type
            if t in ("identifier", "property_identifier", "shorthand_property_identifier"):
                name = _text(n)
                texts.append(name)
                owner = self.mod.owner(scope, name) if t == "identifier" and depth else None
                if owner is not None:
                    for value, vscope in owner.values.get(name, ())[:4]:
                        self._key_texts(value, vscope, texts, depth - 1)
                    if name not in owner.values:
                        for arg, ascope in self._callers_args(owner, name):
                            self._key_texts(arg, ascope, texts, depth - 1)
            elif t == "string_fragment":
                texts.append(_text(n))
            elif t == "call_expression":
                f = _unwrap(n.child_by_field_name("function"))
                fn = self._local_function(f, scope) if depth else None
                if fn is not None:
                    for value in fn.returns[:4]:
                        self._key_texts(value, fn, texts, depth - 1)
                stack.extend(n.named_children)
            else:
                stack.extend(n.named_children)

    def _local_function(self, f: Node | None, scope: Scope) -> Scope | None:
        """The scope of `fn(...)` / `this.method(...)` when this module defines it."""
        if f is None:
            return None
        if f.type == "identifier":
            owner = self.mod.owner(scope, _text(f))
            return owner.funcs.get(_text(f)) if owner is not None else None
        if f.type == "member_expression" and scope.cls is not None:
            obj = _unwrap(f.child_by_field_name("object"))
            if obj is not None and obj.type == "this":
                return scope.cls.methods.get(_text(f.child_by_field_name("property")))
        return None

    def _callers_args(self, fn: Scope, param: str) -> list[tuple[Node, Scope]]:
        """What the calls of function `fn` in this module pass for its parameter `param`."""
        params = fn.node.child_by_field_name("parameters")
        names = [_text(p.child_by_field_name("pattern")) for p in params.named_children] if params is not None else []
        if param not in names or not fn.name:
            return []
        index = names.index(param)
        out: list[tuple[Node, Scope]] = []
        for call, scope, f, m in self.mod.calls:
            if not m and _text(f) == fn.name and len(out) < 8:
                args = _args(call)
                if index < len(args):
                    out.append((args[index], scope))
        return out

    # ------------------------------------------------------------------ constructors and connections
    def _constructor(self, node: Node, scope: Scope) -> None:
        name = self.mod._ctor_name(node.child_by_field_name("constructor"))
        if name is None:
            return
        self._hardcoded(node)
        if not _rest_client(name):  # @upstash/redis speaks HTTP: no pool, no connection to open per call
            self._per_call(node, scope, f"new {name.split(' ')[-1]}")

    def _per_call(self, node: Node, scope: Scope, name: str) -> None:
        if self.test_file or scope is self.mod.module or node.id in self.mod.exempt:
            return
        if any(w.id in self.mod.exempt for w in _wrappers(node)):
            return
        if not self._in_factory(scope, _returned(node)):
            factory = self._enclosing_factory(scope)
            calls = self._request_calls(factory) if factory is not None else []
            if factory is not None and calls:
                what = "a Redis client"
                caller = _calling(*calls[0])
                self.report(
                    "client-per-call", node, "factory", name=name, what=what, factory=factory.name, caller=caller
                )
                return
            self.report("client-per-call", node, name=name, what="a Redis client")

    def _imported_factory(self, call: Node, scope: Scope, imp: Import) -> None:
        """RR009 at a per-request call of a project factory from another module that builds a new client each
        time it runs (its facts' `fresh`, through re-exports): `getRedis()` in a route handler. A call at module
        level, or from code that runs once (startup hooks, main, other factories), is not reported. A factory of
        this file that calls it is a factory too: its own calls from code that runs per request are reported
        (`makeClient()` in a route handler, returning `getRedis()`), through any number of factories."""
        project = self.mod.project
        if self.test_file or project is None or scope is self.mod.module or self._kept_call(call):
            return
        target = self.mod.resolve(imp.spec)
        if target is None:
            return
        where = project.index._resolve(("ts-fresh", target, imp.name))
        if where is None or self._runs_once(scope):
            return
        factory = self._enclosing_factory(scope)
        # a factory calling a factory: its own per-request callers are where the client is built per request
        uses = [(call, scope)] if factory is None else self._request_calls(factory)
        for use, caller in uses:
            if use.id in self._imported_calls or self._kept_call(use):
                continue
            self._imported_calls.add(use.id)
            self.report(
                "client-per-call",
                use,
                "imported",
                factory=_text(use.child_by_field_name("function")),
                where=where,
                caller=_who(caller),
            )

    def _kept_call(self, call: Node) -> bool:
        """Is the result of this call kept in an outer variable or a field (`blocker ??= createClient()`)?"""
        node: Node | None = call
        while node is not None and node.type in ("call_expression", "await_expression", "parenthesized_expression"):
            if node.id in self.mod.exempt:
                return True
            node = node.parent
        return False

    def _enclosing_factory(self, scope: Scope) -> Scope | None:
        """The innermost factory-named function `scope` is (or is in), if any."""
        s: Scope | None = scope
        while s is not None and s is not self.mod.module:
            if _factory_function(s.name):
                return s
            s = s.parent
        return None

    def _callers(self, name: str) -> list[tuple[Node, Scope]]:
        """The calls `name(...)` in this module, each with the scope it is in."""
        if self._calls_by_name is None:
            self._calls_by_name = {}
            for call, sc, f, m in self.mod.calls:
                if not m:
                    self._calls_by_name.setdefault(_text(f), []).append((call, sc))
        return self._calls_by_name.get(name, [])

    # Whether code runs once per process or per request follows chains of calls in this file to any length (as
    # checks.py does): each answer is kept per scope, and a scope reached again while its own answer is being
    # worked out (recursion, `a()` calling `b()` calling `a()`) gets a provisional one, so a cycle ends
    def _in_factory(self, scope: Scope | None, returned: bool = True) -> bool:
        """Does code in `scope` run inside a client factory: a function named as one, one whose result is kept
        (`this.redis = this.create()`), or a helper that only factories call (`function build()` called from
        `createClient()`)?"""
        s = scope
        while s is not None and s is not self.mod.module:
            if s.name in self.mod.kept or s.name == "constructor" or _constructor_function(s):
                return True
            if s is scope and (_startup_hook(s.name) or _registered_once(self.mod, s)):
                return True  # its own body runs once (`createApp()`, a plugin, a provider's factory)
            if _factory_function(s.name):  # per request only when it returns the new client itself
                return not returned or not self._request_calls(s)
            if s is scope and returned and _default_anonymous(s):
                return True  # `export default () => new Redis()`: a factory its importers name (_imported_factory)
            if s.name and self._memo(self._helper_memo, s, False, self._only_factories_call, True):
                return True
            s = s.parent
        return False

    def _only_factories_call(self, fn: Scope) -> bool:
        """Is `fn` called in this file, and only from inside client factories? (recursion: no factory by itself)"""
        callers = self._callers(fn.name)
        return bool(callers) and all(self._in_factory(sc) for _, sc in callers)

    def _request_calls(self, factory: Scope) -> list[tuple[Node, Scope]]:
        """The calls of a factory-named function from code of this file that runs per request (a route handler,
        `export async function GET()`): it builds a client on each of them (checks.py's rule, for TypeScript).
        Callers that run once (module level, `main`, startup hooks by name, other factories called once) keep the
        exemption; a factory calling it is judged by its own callers (the route handler's call); callers in other
        files are not seen."""
        return self._memo(self._request_memo, factory, [], self._find_request_calls, [])

    def _find_request_calls(self, factory: Scope) -> list[tuple[Node, Scope]]:
        name = factory.name
        if _snake(name).lstrip("_") in ENTRY_POINTS:
            return []
        out: list[tuple[Node, Scope]] = []
        for call, caller in self._callers(name):
            if caller is self.mod.module or caller.name == name or self._runs_once(caller):
                continue
            outer = self._enclosing_factory(caller)
            through = self._request_calls(outer) if outer is not None and outer.name != name else []
            for found in through or [(call, caller)]:
                if all(found[0].id != c.id for c, _ in out):
                    out.append(found)
        return out

    def _runs_once(self, scope: Scope) -> bool:
        """A scope that runs once per process: a startup hook by its name, a factory (or inside one), or a function
        this file calls only from such places, however deep (`const services = buildServices()`; callers in a
        cycle count as once, the cycle's entry decides)."""
        return self._memo(self._once_memo, scope, True, self._once, True)

    def _once(self, scope: Scope) -> bool:
        if _startup_hook(scope.name):
            return True
        if scope.name:
            callers = self._callers(scope.name)
            if callers and all(sc is self.mod.module or self._runs_once(sc) for _, sc in callers):
                return True
        return self._in_factory(scope)

    def _memo(self, table: dict[int, _T], scope: Scope, provisional: _T, work: Callable[[Scope], _T], deep: _T) -> _T:
        """`work(scope)`, worked out once per scope. Asked again while it is being worked out (a cycle of calls),
        the answer is `provisional`; answers that read the provisional answer of a scope further out are dropped
        once the outermost question is answered, so no answer depends on the order of the questions. `deep` is the
        answer past _CHAIN_LIMIT questions open at once (far deeper than real code: the stack's limit)."""
        key = id(scope)
        opened = self._open.get((id(table), key))
        if opened is not None:
            self._low = min(self._low, opened)
            return table[key]
        if key in table:
            return table[key]
        depth = len(self._open)
        if depth >= _CHAIN_LIMIT:
            self._low = -1  # an answer that stopped short: worked out again next time
            return deep
        self._open[(id(table), key)] = depth
        table[key] = provisional
        outer, self._low = self._low, depth
        try:
            value = work(scope)
        finally:
            del self._open[(id(table), key)]
        table[key] = value
        if self._low < depth:
            self._tentative.append((table, key))
        self._low = min(outer, self._low)
        if not self._open:
            for done, k in self._tentative:
                done.pop(k, None)
            self._tentative.clear()
            self._low = _CHAIN_LIMIT
        return value

    def _hardcoded(self, node: Node) -> None:
        for arg in map(_bare, _args(node)):
            url = _string(arg)
            if url is not None and url.lower().startswith(URL_SCHEMES):
                self._url(arg, url)
            elif arg.type == "object":
                self._options(arg)
            elif (options := self._assigned_once(arg)) is not None and options.type == "object":
                self._options(options)  # const opts = { password: "..." }; new Redis(opts)
            elif url and not url.startswith("/") and self._hard_host(url):
                # ioredis new Redis(port, host), or new Redis("cache.internal") (a host, parsed as a URL); a
                # string starting with / is a Unix socket path, not a host
                self.report("hardcoded-connection", arg, "host", host=url)

    def _hard_host(self, host: str) -> bool:
        """Is a literal host reported: any host outside test code, as a URL naming it is (`{ host: "localhost" }`
        and `"redis://localhost:6379"` alike); in test code only a non-local one (as checks.py)."""
        return not self.test_file or host.lower() not in LOCAL_HOSTS

    def _url(self, node: Node, url: str) -> None:
        password, remote = _url_problem(url)
        if self.test_file and not (password or remote):
            return  # a test's own local server (as checks.py)
        detail = " with a password" if password else " with a remote host" if remote else ""
        self.report("hardcoded-connection", node, "url", detail=detail)

    def _options(self, obj: Node) -> None:
        for pair in obj.named_children:
            if pair.type != "pair":
                continue
            key = _text(pair.child_by_field_name("key")).strip("'\"")
            value = pair.child_by_field_name("value")
            value = _bare(value) if value is not None else None
            text = _string(value)
            if key == "url" and text is not None and text.lower().startswith(URL_SCHEMES):
                self._url(value, text)  # type: ignore[arg-type]
            elif key in ("password", "token") and text:
                self.report("hardcoded-connection", value, "password")  # type: ignore[arg-type]
            elif key == "host" and text and self._hard_host(text):
                self.report("hardcoded-connection", value, "host", host=text)  # type: ignore[arg-type]
            elif key == "sentinels" and value is not None and value.type == "array":
                for item in value.named_children:
                    host = (
                        next(
                            (
                                p.child_by_field_name("value")
                                for p in _bare(item).named_children
                                if p.type == "pair" and _text(p.child_by_field_name("key")) == "host"
                            ),
                            None,
                        )
                        if _bare(item).type == "object"
                        else None
                    )
                    h = _string(host)
                    if host is not None and h and self._hard_host(h):
                        self.report("hardcoded-connection", host, "sentinel", host=h)
            elif key == "socket" and value is not None and value.type == "object":
                self._options(value)

    def _number(self, node: Node | None, depth: int = 0) -> int | None:
        """A number: a literal, `-(x + 1)` arithmetic over numbers, or a parameter's value when the caller passes
        none: its default (`lrange(key, start = 0, stop = -1)`) or the fallback the function assigns it
        (`end = end ?? -1`, `end = _.isUndefined(end) ? -1 : end`, `start = start || 0`)."""
        node = _unwrap(node)
        if node is None or depth > 8:
            return None
        t = node.type
        if t == "unary_expression" and _text(node.child_by_field_name("operator")) in ("-", "+"):
            inner = self._number(node.child_by_field_name("argument"), depth + 1)
            if inner is None:
                return None
            return -inner if _text(node.child_by_field_name("operator")) == "-" else inner
        if t == "binary_expression" and _text(node.child_by_field_name("operator")) in ("??", "||"):
            # `end ?? -1`, `opts.end || 0` written in the call: the value when the caller passes none
            left = self._number(node.child_by_field_name("left"), depth + 1)
            return left if left is not None else self._number(node.child_by_field_name("right"), depth + 1)
        if t == "binary_expression" and _text(node.child_by_field_name("operator")) in ("+", "-"):
            left = self._number(node.child_by_field_name("left"), depth + 1)
            right = self._number(node.child_by_field_name("right"), depth + 1)
            if left is None or right is None:
                return None
            return left + right if _text(node.child_by_field_name("operator")) == "+" else left - right
        if t == "ternary_expression":  # `isUndefined(end) ? -1 : end`, `end === undefined ? -1 : end`
            then, other = (
                _unwrap(node.child_by_field_name("consequence")),
                _unwrap(node.child_by_field_name("alternative")),
            )
            nums = [_number(then), _number(other)]
            names = [n is not None and n.type in ("identifier", "member_expression") for n in (then, other)]
            if nums.count(None) == 1 and names[nums.index(None)]:
                return next(n for n in nums if n is not None)
            return None
        if t != "identifier":
            return _number(node)
        name = _text(node)
        owner = self.mod.owner(self.scope, name)
        if owner is None or _assigns(owner.node, name, _updated):  # `stop += 100`, `stop++`: changed since
            return None
        value: int | None = None
        params = owner.node.child_by_field_name("parameters")
        param = False
        for p in params.named_children if params is not None else ():
            if _text(p.child_by_field_name("pattern")) == name:
                value, param = _number(p.child_by_field_name("value")), True
        values = owner.values.get(name, ())
        if not param and len(values) == 1:  # `const stop = end ?? -1`
            return self._number(values[0][0], depth + 1)
        for assigned, _ in values:  # every reassignment must be a fallback of the parameter
            value = _fallback(assigned, name)
            if value is None:
                return None
        return value

    def _builds_client(self) -> bool:
        """Does this module build a Redis client (a client constructor or factory, `require("redis")`)?"""
        if self._builds is None:
            self._builds = any(self.mod._ctor_name(n.child_by_field_name("constructor")) for n, _ in self.mod.news)
            for call, _, f, m in self.mod.calls if not self._builds else ():
                name = _text(f) if not m else ""
                imp = self.mod.imports.get(name)
                if (imp is not None and imp.spec in NODE_REDIS and imp.name in NODE_REDIS_FACTORIES) or (
                    name == "require" and (_string(next(iter(_args(call)), None)) or "") in CLIENT_PACKAGES
                ):
                    self._builds = True
                    break
        return self._builds

    def _url_defaults(self) -> None:
        """Redis URLs as defaults: parameters, module constants and config objects, class fields,
        and `process.env.X ?? "redis://..."` with a password or a remote host; literal endpoints; host options
        with a literal fallback. Only the node types the text can hold are looked for (a query, in C)."""
        text = self.mod.source
        urls = "://" in text
        hosts = "host" in text.lower() and not self.test_file
        types = [
            *(("object",) if self.ports and not self.test_file else ()),
            *(("required_parameter", "optional_parameter") if urls else ()),
            *(("binary_expression",) if urls or hosts else ()),
            *(("pair",) if hosts and ".default(" in text else ()),
            *(("string", "template_string") if urls and not self.test_file else ()),
        ]
        nodes = _query_nodes(self.mod.root, types, _language(self.mod.rel)) if types else []
        literals: list[Node] = []
        for node in nodes:
            t = node.type
            if t == "object":
                self._endpoint(node)
            elif t in ("required_parameter", "optional_parameter"):
                value = node.child_by_field_name("value")
                url = _string(value)
                local_test = self.test_file and url is not None and not any(_url_problem(url))
                is_url = url is not None and url.lower().startswith(DEFAULT_URL_SCHEMES)
                if value is not None and is_url and not local_test:
                    pname = _text(node.child_by_field_name("pattern"))
                    where = f"the parameter {pname}"
                    self.report("hardcoded-connection", value, "default", where=where, detail=url_detail(url or ""))
            elif t == "binary_expression" and _text(node.child_by_field_name("operator")) in ("??", "||"):
                left = _dotted(node.child_by_field_name("left")) or ""
                right = node.child_by_field_name("right")
                fallback = _string(right)
                env_url = fallback is not None and fallback.lower().startswith(URL_SCHEMES)
                env = _env_name(node.child_by_field_name("left"))
                if env is not None and env_url:
                    password, remote = _url_problem(fallback)  # type: ignore[arg-type]
                    if password or remote:
                        what = "a password" if password else "a non-local host"
                        self.report("hardcoded-connection", right, "env-default", what=what)  # type: ignore[arg-type]
                    elif not self.test_file and fallback.lower().startswith(DEFAULT_URL_SCHEMES):  # type: ignore[union-attr]
                        # read from the environment, with a local fallback: named as checks.py names os.getenv's
                        where = f"{env} (when unset)"
                        self.report("hardcoded-connection", right, "default", where=where, detail="")  # type: ignore[arg-type]
                elif fallback and hosts and _host_option(left) and self._builds_client():
                    # `this.host = options.host || "localhost"`: without the option it silently uses this server
                    self.report("hardcoded-connection", right, "host-default", host=fallback, where=env or left)  # type: ignore[arg-type]
            elif t == "pair":
                key = _text(node.child_by_field_name("key")).strip("'\"")
                default = _schema_default(node.child_by_field_name("value")) if _host_option(key) else None
                if default is not None and self._builds_client():  # host: Joi.string().default("127.0.0.1")
                    self.report("hardcoded-connection", default, "host-default", host=_string(default), where=key)
            elif t in ("string", "template_string"):
                literals.append(node)
        if urls:
            for name, values in self.mod.module.values.items():
                for value, _ in values:
                    self._default(value, name)
            for cls in self.mod.classes.values():
                for name, values in cls.fields.items():
                    for value, _ in values:
                        self._default(value, f"{cls.name}.{name}")
        for node in literals:  # other URLs (a `??=` fallback, a config object built in a function)
            url = _string(node)
            if url is None or node.id in self.reported or " " in url or not url.partition("://")[2]:
                continue
            if url.lower().startswith(DEFAULT_URL_SCHEMES):
                self.report("hardcoded-connection", node, "url", detail=url_detail(url))

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
            node = _bare(node)
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
            if text is not None and text.lower().startswith(DEFAULT_URL_SCHEMES) and node.id not in self.reported:
                if not (self.test_file and not any(_url_problem(text))):  # (reported: a client's options, once)
                    self.report("hardcoded-connection", node, "constant", where=at, detail=url_detail(text))

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


def _union_parts(node: Node) -> list[Node]:
    """The members of a union type (`A | B | null`, nested unions flattened)."""
    parts: list[Node] = []
    for c in node.named_children:
        parts.extend(_union_parts(c) if c.type == "union_type" else [c] if c.type != "comment" else [])
    return parts


def _snake(name: str) -> str:
    """`createRedisClient` -> `create_redis_client`: the Python checks' name rules apply to TypeScript names."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _calling(call: Node, caller: Scope) -> str:
    """A call as a finding names it: `GET() at line 7`, or an anonymous caller by its line."""
    return f"{caller.name}() at line {call.start_point[0] + 1}" if caller.name else _who(caller)


def _who(scope: Scope) -> str:
    """A function as a finding names it: `GET()`, or an anonymous one by its line (a route's arrow callback)."""
    return f"{scope.name}()" if scope.name else f"the function at line {scope.node.start_point[0] + 1}"


def _builds_per_call(mod: TsModule, name: str, fn: Scope) -> int | None:
    """The line of the client constructor a factory-named function returns itself (`return new Redis(url)`,
    `() => createClient({ url })`): a new client each time it runs (index.py's rule, for TypeScript). None for an
    entry point, or when the client is stored first (a lazy singleton keeps it)."""
    if not _factory_function(name) or _snake(name).lstrip("_") in ENTRY_POINTS:
        return None
    return _returns_new_client(mod, fn)


def _default_fresh(mod: TsModule, fresh: dict[str, str]) -> str | None:
    """Where the function a module exports as default builds a new client each time it runs (its `fresh`):
    `export default function getRedis()`, `export default getRedis`, `export { getRedis as default }`, or an
    anonymous `export default () => new Redis()` (a factory its importers name)."""
    for node in mod.root.named_children:
        if node.type != "export_statement" or node.child_by_field_name("source") is not None:
            continue
        if not any(c.type == "default" for c in node.children):
            clause = next((c for c in node.named_children if c.type == "export_clause"), None)
            for spec in clause.named_children if clause is not None else ():
                if spec.type == "export_specifier" and _text(spec.child_by_field_name("alias")) == "default":
                    return fresh.get(_text(spec.child_by_field_name("name")))
            continue
        decl = _unwrap(node.child_by_field_name("declaration") or node.child_by_field_name("value"))
        if decl is None:
            return None
        name = _text(decl) if decl.type == "identifier" else _text(decl.child_by_field_name("name"))
        if name:
            return fresh.get(name)
        fn = mod.scope_of.get(decl.id) if decl.type in FUNCTIONS else None
        line = _returns_new_client(mod, fn) if fn is not None else None
        return f"{mod.rel} line {line}" if line is not None else None
    return None


_THIS_FIELD = re.compile(r"\bthis\.[A-Za-z_$][\w$]*\s*=(?!=)")


def _constructor_function(fn: Scope) -> bool:
    """A JavaScript constructor function (`function Queue(name, opts) { this.name = name; ... }`, called with
    `new`): it runs once per object it builds, as a class's `constructor` does (corpus: bull's Queue). Only a
    PascalCase `function` that sets fields of `this`, so a React or Next component (`function Page()`) is none."""
    return (
        fn.name[:1].isupper()
        and fn.node.type in ("function_declaration", "function_expression", "function")
        and _THIS_FIELD.search(_text(fn.node)) is not None
    )


def _startup_hook(name: str) -> bool:
    """A function named as one that runs once at startup (names.py's, and `buildApp`, `buildServer`: Fastify's
    app factories)."""
    snake = _snake(name)
    return is_startup_hook(snake) or snake.lstrip("_") in ("build_app", "build_server")


def _registered_once(mod: TsModule, fn: Scope) -> bool:
    """A function a framework runs once per app: a NestJS provider's `useFactory` (`{ provide: TOKEN,
    useFactory: (c) => new Redis(...) }`, unless `scope: Scope.REQUEST`), a Fastify plugin (`fp(async (f) => ...)`
    from 'fastify-plugin', `fastify.register(async (f) => ...)`). Only its own body: a route handler it registers
    still runs per request."""
    node = fn.node
    while node.parent is not None and node.parent.type == "parenthesized_expression":
        node = node.parent
    parent = node.parent
    if parent is None:
        return False
    provider: Node | None = None
    if parent.type == "pair" and _text(parent.child_by_field_name("key")) == "useFactory":
        provider = parent.parent
    elif node.type == "method_definition" and fn.name == "useFactory":
        provider = parent
    if provider is not None and provider.type == "object":
        keys = {_text(p.child_by_field_name("key")): p.child_by_field_name("value") for p in provider.named_children}
        if "provide" in keys:
            scope = keys.get("scope")
            return scope is None or "REQUEST" not in _text(scope)
        return False
    if parent.type != "arguments" or parent.parent is None or parent.parent.type != "call_expression":
        return False
    f = parent.parent.child_by_field_name("function")
    if f is not None and f.type == "identifier":
        imp = mod.imports.get(_text(f))
        return imp is not None and imp.spec == "fastify-plugin" and parent.named_children[0].id == node.id
    return (
        f is not None
        and f.type == "member_expression"
        and _text(f.child_by_field_name("property")) == "register"
        and parent.named_children[0].id == node.id
        and any(i.spec in ("fastify", "fastify-plugin") for i in mod.imports.values())
    )


def _default_anonymous(fn: Scope) -> bool:
    """Is `fn` an anonymous function a module exports as default (`export default () => new Redis()`)?"""
    node = fn.node
    while node.parent is not None and node.parent.type == "parenthesized_expression":
        node = node.parent
    return not fn.name and node.parent is not None and node.parent.type == "export_statement"


def _returns_new_client(mod: TsModule, fn: Scope) -> int | None:
    """The line of the client constructor function `fn` returns itself, each time it runs (_builds_per_call)."""
    for value in fn.returns:
        node = _unwrap(value)
        if node is not None and node.type == "identifier":  # `const c = createClient(...); ...; return c;`
            assigned = fn.values.get(_text(node), [])
            if len(assigned) != 1 or _assigns(fn.node, _text(node), _stored):
                continue  # reassigned, or kept somewhere (`lazy = c`, `this.c = c`): a lazy singleton
            node = _unwrap(assigned[0][0])
        if node is None or node.id in mod.exempt:
            continue
        if node.type == "new_expression":
            name = mod._ctor_name(node.child_by_field_name("constructor"))
            if name is not None and not _rest_client(name):
                return node.start_point[0] + 1
        if node.type == "call_expression":
            imp = mod.imports.get(_text(node.child_by_field_name("function")))
            if imp is not None and imp.spec in NODE_REDIS and imp.name in NODE_REDIS_FACTORIES:
                return node.start_point[0] + 1
    return None


def _env_name(node: Node | None) -> str | None:
    """The variable an environment read names: `process.env.REDIS_URL`, `process.env["REDIS_URL"]`,
    `import.meta.env.REDIS_URL`, `Bun.env.REDIS_URL` -> `REDIS_URL`; else None."""
    node = _unwrap(node)
    if node is None:
        return None
    if node.type == "subscript_expression":
        name = _string(node.child_by_field_name("index"))
        obj = _dotted(node.child_by_field_name("object")) or ""
    elif node.type == "member_expression":
        name = _text(node.child_by_field_name("property"))
        obj = _dotted(node.child_by_field_name("object")) or ""
    else:
        return None
    return name if name and obj in ("process.env", "import.meta.env", "Bun.env") else None


# range reads whose literal bounds span the whole stream or sorted set: (first, last, the option that pages it)
_FULL_RANGES = {
    "xrange": (("-",), ("+",), "COUNT"),
    "xrevrange": (("+",), ("-",), "COUNT"),
    "zrangebyscore": (("-inf",), ("+inf", "inf"), "LIMIT"),
    "zrevrangebyscore": (("+inf", "inf"), ("-inf",), "LIMIT"),
}


def _full_range(m: str, args: list[Node]) -> str | None:
    """`xrange(k, "-", "+")`, `xRevRange(k, "+", "-")`, `zrangebyscore(k, "-inf", "+inf")` without COUNT / LIMIT
    (ioredis arguments, node-redis's options object): the bounds as written, else None. Options passed in from
    elsewhere (a name, a spread) may page it: not reported."""
    first, last, limit = _FULL_RANGES[m]
    bounds = [_string(_bare(a)) for a in args[1:3]]
    if len(args) < 3 or bounds[0] not in first or bounds[1] not in last:
        return None
    for a in map(_bare, args[3:]):
        text = _string(a)
        if text is not None:
            if text.upper() == limit:
                return None
        elif a.type == "object":
            if any(
                p.type != "pair" or _text(p.child_by_field_name("key")).strip("'\"").upper() == limit
                for p in a.named_children
                if p.type != "comment"
            ):
                return None
        elif a.type != "number":
            return None
    return f"{bounds[0]} {bounds[1]}"


def _sent_at(c: Cmd) -> int:
    """Where command `c` is named in the text: the order commands are sent, in a chain too. A chained call starts
    where its chain does (`r.pipeline().incr(k).expire(k, 60)`: EXPIRE's call starts at `r`), its method name
    does not."""
    f = c.node.child_by_field_name("function")
    prop = f.child_by_field_name("property") if f is not None and f.type == "member_expression" else None
    return (prop if prop is not None else c.node).start_byte


def _rest_client(ctor: str) -> bool:
    """Does a constructor (as _ctor_name names it) build an @upstash/redis client, or a class extending one? Its
    commands are HTTP requests: building one per request opens no pool or connection (as `Redis.fromEnv()`)."""
    return any(spec in ctor for spec in UPSTASH)


def _assigns(fn: Node, name: str, part: Callable[[Node], Node | None]) -> bool:
    """Is `name` the identifier that `part` picks out of some node of `fn`: with `_stored`, local `name` kept in
    something else (`lazy = c`, `this.c = c`, `cache.c ??= c`); with `_updated`, `name` changed in place
    (`name += x`, `name++`, `--name`)? One walk for both (an explicit stack)."""
    stack = [fn]
    while stack:
        node = stack.pop()
        target = part(node)
        if target is not None and target.type == "identifier" and _text(target) == name:
            return True
        stack.extend(node.named_children)
    return False


def _stored(node: Node) -> Node | None:
    """The value an assignment stores (`lazy = c`, `cache.c ??= c`), for _assigns."""
    if node.type in ("assignment_expression", "augmented_assignment_expression"):
        return _unwrap(node.child_by_field_name("right"))
    return None


def _updated(node: Node) -> Node | None:
    """The name an update changes in place (`stop += 100`, `stop++`, `--stop`), for _assigns."""
    if node.type == "augmented_assignment_expression":
        return node.child_by_field_name("left")
    if node.type == "update_expression":
        return node.child_by_field_name("argument")
    return None


def _factory_function(name: str) -> bool:
    """A constructor, a connection factory or store builder (`createRedisClient`, `getClient`, `redisStore`,
    `connect`), or a process entry point (`main`): what it builds is kept by its caller."""
    snake = _snake(name)
    return snake == "constructor" or "redis" in snake or "valkey" in snake or is_factory_name(snake)


_LOOPS = frozenset({"for_statement", "for_in_statement", "while_statement", "do_statement"})


def _exits(node: Node | None) -> bool:
    """Does this statement (or block) end by leaving the block: return, throw, continue, break?"""
    if node is not None and node.type == "statement_block":
        node = node.named_children[-1] if node.named_children else None
    return node is not None and node.type in (
        "return_statement",
        "throw_statement",
        "continue_statement",
        "break_statement",
    )


def _host_option(name: str) -> bool:
    """A host setting by its name (`options.host`, `redisHost`, `REDIS_HOST`, `hostname`)."""
    return "".join(words(name.rsplit(".", 1)[-1])) in ("host", "hostname", "redishost")


def _schema_default(value: Node | None) -> Node | None:
    """The string literal of a schema's default (`Joi.string().default('127.0.0.1')`, zod/yup alike)."""
    v = _unwrap(value)
    if v is None or v.type != "call_expression":
        return None
    f = v.child_by_field_name("function")
    args = _args(v)
    if f is None or f.type != "member_expression" or _text(f.child_by_field_name("property")) != "default":
        return None
    return args[0] if len(args) == 1 and _string(args[0]) else None


_CALLBACK_NAME = re.compile(r"^(?:cb|callback|done|next|fn|handler)$|(?:callback|cb|handler)$", re.IGNORECASE)


def _callback(node: Node) -> bool:
    """Can `node` be a Node-style callback (`(err, keys) => ...`, `domain.intercept(fn)`, `cb`)?"""
    node = _unwrap(node) or node
    if node.type in FUNCTIONS or node.type == "call_expression":
        return True
    name = _text(node).rsplit(".", 1)[-1] if node.type in ("identifier", "member_expression") else ""
    return bool(_CALLBACK_NAME.search(name))


def _fallback(value: Node, name: str) -> int | None:
    """The number `name` falls back to in `name ?? -1`, `name || 0`, `isUndefined(name) ? -1 : name`."""
    v = _unwrap(value)
    if v is None:
        return None
    if v.type == "binary_expression" and _text(v.child_by_field_name("operator")) in ("??", "||"):
        if _text(_unwrap(v.child_by_field_name("left"))) == name:
            return _number(_unwrap(v.child_by_field_name("right")))
    if v.type == "ternary_expression":
        then, other = _unwrap(v.child_by_field_name("consequence")), _unwrap(v.child_by_field_name("alternative"))
        if then is not None and other is not None:
            if _text(other) == name and _number(then) is not None:
                return _number(then)
            if _text(then) == name and _number(other) is not None:
                return _number(other)
    return None


def _in_loop(node: Node) -> bool:
    """Does `node` run once per item of a loop of its function (not in the loop's head)?"""
    child, parent = node, node.parent
    while parent is not None and parent.type not in FUNCTIONS:
        if parent.type in _LOOPS and parent.child_by_field_name("body") is not None:
            if child.id == parent.child_by_field_name("body").id:  # type: ignore[union-attr]
                return True
        child, parent = parent, parent.parent
    return False


def _fixed(node: Node | None) -> bool:
    """A literal or an UPPER_CASE constant: a part of a key that is the same for every call."""
    if node is None or _string(node) is not None or node.type == "number":
        return True
    name = _dotted(node)
    return name is not None and name.rsplit(".", 1)[-1].isupper()


def _branch_path(node: Node) -> list[tuple[int, int, Node]]:
    """The `if` / `?:` nodes enclosing `node` inside its function, outermost first, as (id, branch, test):
    branch 0 is the consequence, 1 the alternative (an `else if` chain nests in alternatives; the statements
    after an `if` whose consequence returns or throws are its alternative too)."""
    path: list[tuple[int, int, Node]] = []
    child, parent = node, node.parent
    while parent is not None and parent.type not in FUNCTIONS:
        if parent.type in ("statement_block", "program", "switch_case"):  # after `if (c) { ...; return }`: its else
            sibling = child.prev_named_sibling
            while sibling is not None:
                if sibling.type == "if_statement" and sibling.child_by_field_name("alternative") is None:
                    test, then = sibling.child_by_field_name("condition"), sibling.child_by_field_name("consequence")
                    if test is not None and _exits(then):
                        path.append((sibling.id, 1, test))
                sibling = sibling.prev_named_sibling
        if parent.type in ("if_statement", "ternary_expression"):
            test = parent.child_by_field_name("condition")
            then = parent.child_by_field_name("consequence")
            other = parent.child_by_field_name("alternative")
            if test is not None and then is not None and child.id == then.id:
                path.append((parent.id, 0, test))
            elif test is not None and other is not None and child.id == other.id:
                path.append((parent.id, 1, test))
        child, parent = parent, parent.parent
    path.reverse()
    return path


_ORDERINGS = frozenset({"<", "<=", ">", ">="})
_NUMBER_CASTS = frozenset({"Number", "parseInt", "parseFloat"})
_PASSING = frozenset({"??", "||", "+", "-", "*"})  # operators whose result still carries a read's count


def _compared(node: Node, fn: Node, depth: int = 0) -> bool:
    """Is the reply of the call `node` compared with <, <=, > or >= in the function `fn`: directly, through await,
    Number()/parseInt()/parseFloat(), `?? 0`, `|| 0`, `raw ? Number(raw) : 0`, unary `+` and arithmetic, or
    through a local it is assigned to (RR013)?"""
    child, parent = node, node.parent
    while parent is not None and parent.id != fn.id:
        t = parent.type
        if t == "binary_expression":
            op = _text(parent.child_by_field_name("operator"))
            if op in _ORDERINGS:
                return True
            if op not in _PASSING:
                return False
        elif t == "arguments":  # Number(x): its first argument
            call = parent.parent
            named = parent.named_children
            if (
                call is None
                or call.type != "call_expression"
                or _text(call.child_by_field_name("function")) not in _NUMBER_CASTS
                or not named
                or named[0].id != child.id
            ):
                return False
            parent = call
        elif t == "unary_expression":
            if _text(parent.child_by_field_name("operator")) != "+":
                return False
        elif t == "ternary_expression":  # `raw ? Number(raw) : 0`, not its condition
            test = parent.child_by_field_name("condition")
            if test is None or test.id == child.id:
                return False
        elif t in ("variable_declarator", "assignment_expression"):
            name = parent.child_by_field_name("name" if t == "variable_declarator" else "left")
            value = parent.child_by_field_name("value" if t == "variable_declarator" else "right")
            if name is None or name.type != "identifier" or value is None or value.id != child.id or depth >= 3:
                return False
            return any(_compared(use, fn, depth + 1) for use in _uses(fn, _text(name), name))
        elif t not in _WRAPPERS and t not in _TYPE_WRAPPERS:
            return False
        child, parent = parent, parent.parent
    return False


def _uses(fn: Node, name: str, binding: Node) -> Iterator[Node]:
    """The identifiers `name` in `fn` other than `binding` (where it is bound)."""
    stack = [fn]
    while stack:
        n = stack.pop()
        if n.type == "identifier":
            if n.id != binding.id and _text(n) == name:
                yield n
            continue
        stack.extend(n.named_children)


_COMPARISONS = {">": "Gt", ">=": "GtE", "<": "Lt", "<=": "LtE", "==": "Eq", "===": "Eq"}
_FLIPPED = {">": "<", "<": ">", ">=": "<=", "<=": ">="}


def _opt_out(test: Node, branch: int) -> bool:
    """checks.explicit_opt_out for a TypeScript condition: `if (this.disableTTL)`, the else of `if (d > 0)`."""
    node = _unwrap(test)
    while node is not None and node.type == "unary_expression" and _text(node.child_by_field_name("operator")) == "!":
        node, branch = _unwrap(node.child_by_field_name("argument")), 1 - branch
    if node is None:
        return False
    name = _dotted(node)
    if name is not None:
        return branch == 0 and opt_out_flag(name)
    if node.type != "binary_expression":
        return False
    op = _text(node.child_by_field_name("operator"))
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    if _number(left) is not None and _number(right) is None:
        op, right = _FLIPPED.get(op, op), left
    return op in _COMPARISONS and positive_test(_COMPARISONS[op], _number(right), branch)


def _receiver_of(call: Node) -> Node | None:
    f = call.child_by_field_name("function")
    return _unwrap(f.child_by_field_name("object")) if f is not None and f.type == "member_expression" else None


def _key_candidates(arg: Node) -> list[Node]:
    """The keys in one argument of a many-key command: the argument, the elements of an array (also spread), and
    the key an arrow function builds in `ids.map(i => `user:${i}`)`."""
    if arg.type == "spread_element" and arg.named_children:
        arg = arg.named_children[0]
    if arg.type == "array":
        return [c for c in arg.named_children if c.type != "spread_element"]
    if arg.type == "call_expression":
        f = arg.child_by_field_name("function")
        fn = _args(arg)[:1]
        if f is not None and f.type == "member_expression" and _text(f.child_by_field_name("property")) == "map":
            callback = fn[0] if fn and fn[0].type in ("arrow_function", "function_expression", "function") else None
            body = callback.child_by_field_name("body") if callback is not None else None
            if body is not None and body.type == "statement_block":  # `{ return `k:${i}`; }`: its one return
                returns = [c for c in body.named_children if c.type == "return_statement"]
                body = returns[0].named_children[0] if len(returns) == 1 and returns[0].named_children else None
            if body is not None:
                return [body]
    return [arg]


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
    for a in map(_bare, args[2:]):
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
    args = [_bare(a) for a in args]
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
    if (
        len(args) >= 4
        and args[3].type in ("identifier", "member_expression", "call_expression")
        and args[2].type not in ("string", "template_string")
    ):
        # node-redis / @upstash/redis options passed in from elsewhere: xAdd(key, id, message, options). In
        # ioredis's xadd(key, "*", "field", value) the fourth argument is a value (trial 14)
        return True
    return False


# ---------------------------------------------------------------- entry points
def _with_suppressions(
    raw: list[Raw],
    root: Node,
    rel: str,
    source: str,
    shown: str,
    select: Sequence[str] | None,
    ignore: Sequence[str] | None,
) -> list[Finding]:
    """Raw results -> Findings through the file's suppression comments (engine._findings)."""
    from .engine import _column, _findings

    if MARKER not in source:
        return _findings(raw, source, shown, select or (), ignore or (), Suppressions()) if raw else []
    lines = source.splitlines()
    comments = [
        (c.start_point[0] + 1, _column(lines, c.start_point[0] + 1, c.start_point[1]), _text(c))
        for c in _query_nodes(root, ("comment",), _language(rel))
        if MARKER in _text(c)
    ]
    return _findings(raw, source, shown, select or (), ignore or (), parse_suppressions(comments))


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


_WRAPPERS = ("await_expression", "parenthesized_expression", "as_expression")


def _wrappers(node: Node) -> Iterator[Node]:
    """The ancestors of `node` that only wrap its value: `await`, parentheses, `as` casts."""
    parent = node.parent
    while parent is not None and parent.type in _WRAPPERS:
        yield parent
        parent = parent.parent


def _returned(node: Node) -> bool:
    """Is the value of `node` (through `await`, parentheses and casts) what its function returns?"""
    parent = node.parent
    while parent is not None and parent.type in _WRAPPERS:
        parent = parent.parent
    return parent is not None and parent.type in ("return_statement", "arrow_function")


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
    from .engine import (
        _PORT_NEEDLES,
        _PORTS,
        _filters,
        _in_edge,
        _lines,
        glob_match,
        is_test_file,
        relative_to_root,
    )

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
    edge = _in_edge(rel, policy)
    relevant = edge or may_use_redis(source, policy)
    mod = TsModule(root, prel or rel, policy, project, source, light=not relevant)
    if not relevant and mod.imports_client():
        relevant = True
        mod = TsModule(root, prel or rel, policy, project, source)
    if project is not None and prel is not None and prel in project.stale:
        project.record(prel, _facts(mod, prel))
    if not relevant:  # parsed (syntax errors are reported) but nothing in it can reach Redis
        return _with_suppressions([], root, mod.rel, source, shown, select, ignore)
    reset = any(glob_match(rel, p) for p in policy.lint.reset_scripts)
    ports = bool(_lines(_PORTS, source, _PORT_NEEDLES))
    checker = TsChecker(mod, reset, edge, is_test_file(rel), policy.lint.containers_need_ttl, ports)
    raw = checker.run()
    return _with_suppressions(raw, root, mod.rel, source, shown, select, ignore)


def ts_facts(source: str, rel: str, project: Project) -> ModuleFacts | None:
    """The facts a TypeScript module offers the project index (exports holding or returning a client)."""
    root = parse(source.encode("utf-8", "surrogatepass"), rel)
    mod = TsModule(root, rel, project.policy, project, source, light=not may_use_redis(source, project.policy))
    if mod.light and mod.imports_client():
        mod = TsModule(root, rel, project.policy, project, source)
    return _facts(mod, rel)


# Redis-only method names (any case: node-redis spells them hGetAll), `.keys(pattern)` (not Object.keys), raw
# KEYS/FLUSH commands: a module with none of these, that names no Redis package or factory and imports no
# project module offering a client, has nothing the checks could report
_SHAPES = re.compile(  # matched against the lowercased text
    r"\.(?:" + "|".join(sorted(REDIS_ONLY, key=len, reverse=True)) + r"|p?expire|eval|mset|mget)\s*\("
    r"|(?<!object)\.keys\(\s*[^)\s]|['\"](?:keys|flushall|flushdb)['\"]"
)


def _default_export(root: Node) -> str | None:
    """The name of the class or identifier a module exports as default, if any."""
    for node in root.named_children:
        if node.type != "export_statement" or not any(c.type == "default" for c in node.children):
            continue
        decl = node.child_by_field_name("declaration") or node.child_by_field_name("value")
        if decl is not None and decl.type in ("class_declaration", "abstract_class_declaration", "class"):
            return _text(decl.child_by_field_name("name")) or None
        return _text(decl) if decl is not None and decl.type == "identifier" else None
    return None


def may_use_redis(source: str, policy: Policy) -> bool:
    """A sound shortcut (as engine._may_use_redis for Python): can anything in this text reach Redis?"""
    low = source.lower()
    if "redis" in low or "valkey" in low or "upstash" in low or "unix://" in low or _SHAPES.search(low):
        return True
    return any(f.rsplit(".", 1)[-1] in source for f in policy.lint.client_factories)


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
        line = _builds_per_call(mod, name, fn)
        if line is not None:
            facts.fresh[name] = f"{rel} line {line}"
    default = _default_fresh(mod, facts.fresh)
    if default is not None:  # `import getRedis from "./redis"` asks for "default"
        facts.fresh["default"] = default
    for name, cls in mod.classes.items():
        why = mod._class_why(cls, set())
        if why is not None:
            facts.client_classes[name] = (f"{why} ({rel})", ())
    # plain classes: no client class, and no keys(...) that passes its pattern on to KEYS (TsClass.plain_keys)
    facts.classes = {n for n, c in mod.classes.items() if c.plain_keys()} | mod.top_classes
    if _default_export(mod.root) in facts.classes:  # `export default class Store`, `export default Store`
        facts.classes.add("default")
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
