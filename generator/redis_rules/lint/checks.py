"""The checks: one pass over a module's AST, judging Redis calls by their receiver.

Each check has a fixed name tied to a rule id (see model.CHECKS). Checks that need to
see a whole function (write-without-ttl, incr-then-expire) collect the Redis commands of
each function body and decide when the body ends.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .evidence import opt_out_flag, paging_name, short_lived, with_article
from .index import pickle_settings
from .model import BY_NAME
from .names import (
    APP_CLASSES,
    ENTRY_POINTS,
    FACTORY_DECORATORS,
    PER_MESSAGE_BASES,
    PER_REQUEST_DECORATORS,
    STARTUP_DECORATORS,
    is_factory_name,
    is_startup_hook,
)
from .receivers import (
    LUA_FILE,
    REDIS_NAMED,
    REDIS_ROOTS,
    ModuleInfo,
    Recv,
    Scope,
    absolute_module,
    decorator_names,
    dotted,
    last_name,
    str_const,
)


def _dash_callback(decorator: ast.expr) -> bool:
    """`@callback(Output(...), Input(...))` / `@app.callback([Output(...)], ...)`: Dash runs it per browser event.
    A bare `@app.callback()` is Typer's, which runs once per command line."""
    if type(decorator) is not ast.Call or last_name(decorator.func) != "callback":  # type: ignore[attr-defined]
        return False
    args = [*decorator.args, *(kw.value for kw in decorator.keywords)]  # type: ignore[attr-defined]
    items = [e for a in args for e in (a.elts if type(a) in (ast.List, ast.Tuple) else [a])]  # type: ignore[attr-defined]
    return any(
        type(e) is ast.Call and last_name(e.func) in ("Output", "Input", "State")  # type: ignore[attr-defined]
        for e in items
    )


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def with_reason(message: str, receiver: str, recv: Recv) -> tuple[str, str]:
    """(message ending with a short `[receiver: origin]` clause, the full reason chain) for a finding."""
    receiver = _clip(receiver, 40)
    clause = f"{receiver}: {recv.origin}" if receiver else recv.origin
    reason = (f"{receiver}: " if receiver else "") + " <- ".join(recv.why)
    return f"{message} [{_clip(clause, 120)}]", _clip(reason, 1000)


def receiver_text(expr: ast.expr | None) -> str:
    """The receiver as written, shortened for a message (`self.conn`, `get_client()`)."""
    if expr is None:
        return ""
    d = dotted(expr)
    if d is not None:
        return d
    if type(expr) is ast.Call:
        inner = receiver_text(expr.func)  # type: ignore[attr-defined]
        return f"{inner}()" if inner else ""
    if type(expr) is ast.Await:
        return receiver_text(expr.value)  # type: ignore[attr-defined]
    return ""


# ---------------------------------------------------------------- command tables
# commands whose first argument is a key
KEY_FIRST = frozenset(
    """get set setex psetex setnx getex getdel getset append strlen incr incrby incrbyfloat decr decrby
    expire pexpire expireat pexpireat ttl pttl persist type hget hset hsetnx hmset hmget hgetall hdel
    hincrby hincrbyfloat hexists hkeys hvals hlen hscan hscan_iter hexpire hpexpire sadd srem smembers
    sismember smismember scard spop srandmember sscan sscan_iter zadd zrem zrange zrevrange zrangebyscore
    zrevrangebyscore zscore zincrby zcard zcount zrank zrevrank zscan zscan_iter zremrangebyscore
    zremrangebyrank lpush rpush lpushx rpushx lpop rpop lrange llen ltrim lindex lset lrem linsert xadd
    xrange xrevrange xlen xtrim xdel xack xgroup_create xpending xautoclaim xclaim pfadd setbit getbit
    bitcount getrange setrange rename renamenx dump restore object""".split()
)
# commands whose every positional argument is a key
KEY_ALL = frozenset("delete unlink exists touch mget sinter sunion sdiff pfcount watch".split())
WRITES_NEED_TTL = frozenset("set setnx hset hmset hsetnx sadd zadd lpush rpush mset msetnx".split())
STRING_WRITES = frozenset("set setnx getset mset msetnx".split())  # values that are created and forgotten
EXPIRES = frozenset("expire pexpire expireat pexpireat hexpire hpexpire hexpireat hpexpireat".split())
KEY_EXPIRES = frozenset("expire pexpire expireat pexpireat".split())
TTL_KEYWORDS = frozenset({"expire", "ex", "px", "ttl", "timeout", "expiry"})
INCRS = frozenset("incr incrby incrbyfloat decr decrby hincrby hincrbyfloat".split())
# RR013: reads of a counter or window whose reply a limiter compares, and the writes that update it
COUNTER_READS = frozenset("get hget zcard zcount llen scard".split())
COUNTER_WRITES = frozenset("incr incrby hincrby set hset zadd sadd lpush rpush".split())
ORDERINGS = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
NUMBER_CASTS = frozenset({"int", "float"})
RANGE_READS = frozenset({"lrange", "zrange", "zrevrange"})
# ranges over everything unless paged: method -> (first bound: name, whole value), (second bound), page parameter,
# its position, and whether an absent bound means the whole range (redis-py's xrange defaults to - +)
FULL_RANGES: dict[str, tuple[tuple[str, str], tuple[str, str], str, int, bool]] = {
    "xrange": (("min", "-"), ("max", "+"), "count", 3, True),
    "xrevrange": (("max", "+"), ("min", "-"), "count", 3, True),
    "zrangebyscore": (("min", "-inf"), ("max", "+inf"), "num", 4, False),
    "zrevrangebyscore": (("max", "+inf"), ("min", "-inf"), "num", 4, False),
}
GROWING_FIELD_WRITES = frozenset({"hset", "hsetnx", "hincrby", "hincrbyfloat"})
WHOLE_READS = frozenset({"hgetall", "smembers"})
SCRIPT_METHODS = frozenset({"eval", "evalsha", "eval_ro", "evalsha_ro", "register_script", "script_load"})
FLUSHES = frozenset({"flushall", "flushdb"})
VALUE_READS = frozenset("get getdel getex getset hget lpop rpop lindex rpoplpush lmove".split())
VALUE_WRITES = frozenset(
    "set setex psetex setnx getset hset hsetnx hmset mset msetnx lpush rpush lpushx rpushx sadd zadd "
    "publish spublish xadd lset linsert".split()
)
PICKLE_LOADS = frozenset(
    f"{m}.{f}" for m in ("pickle", "cPickle", "_pickle", "dill", "cloudpickle") for f in ("loads", "load")
)
PICKLE_DUMPS = frozenset(f"{m}.dumps" for m in ("pickle", "cPickle", "_pickle", "dill", "cloudpickle"))
# what a Redis read returns values through (a pickle of any of them is a pickle of Redis data)
READ_SOURCES = frozenset(
    "get getdel getex getset hget lpop rpop lindex rpoplpush lmove mget hmget hvals lrange zrange blpop brpop".split()
)
SERIALIZER_METHODS = frozenset({"loads", "load", "loadb", "decode", "deserialize", "unpickle", "decode_value"})
GETENV = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault"})
IO_WRAPPERS = frozenset({"io.BytesIO", "io.StringIO"})
# first arguments of `x.keys(...)` that are no KEYS pattern (a mapping, a list, a function)
NOT_PATTERNS = frozenset({ast.Starred, ast.Dict, ast.List, ast.Lambda, ast.DictComp, ast.ListComp})
# Methods only Redis clients have (no dict, cache, ORM or event API uses these names): a receiver sent any
# of them is Redis by usage, and a call of one is judged on its own shape even when the receiver is unknown.
REDIS_ONLY = frozenset(
    """hgetall hset hmset hsetnx hget hmget hdel hincrby hincrbyfloat hexists hkeys hvals hlen hscan hscan_iter
    sadd srem smembers sismember smismember scard spop srandmember sscan sscan_iter sinter sunion sdiff zadd zrem
    zrange zrevrange zrangebyscore zrevrangebyscore zscore zincrby zcard zcount zrank zrevrank zscan zscan_iter
    zremrangebyscore zremrangebyrank lpush rpush lpushx rpushx lrange ltrim llen lindex lset lrem linsert rpoplpush
    lmove brpop blpop brpoplpush lpop rpop xadd xrange xrevrange xlen xtrim xdel xack xgroup_create xreadgroup xread
    xpending xautoclaim xclaim pfadd pfcount setex psetex setnx getex getdel incrby decrby incrbyfloat pexpire
    expireat pexpireat pttl persist evalsha script_load register_script scan_iter flushall flushdb""".split()
)
# Receivers that are certainly not Redis, by their binding or annotation
NOT_REDIS_TYPES = frozenset(
    "dict Dict set Set frozenset list List tuple Tuple Mapping MutableMapping OrderedDict defaultdict Counter "
    "ChainMap deque str bytes Event ContextVar".split()
)
_KEY_LISTS = (ast.ListComp, ast.SetComp, ast.GeneratorExp)  # many keys built by one expression
INTERESTING = (
    KEY_FIRST | KEY_ALL | WRITES_NEED_TTL | EXPIRES | INCRS | RANGE_READS | WHOLE_READS | SCRIPT_METHODS | FLUSHES
) | {"keys", "execute_command", "multi", "msetnx", "publish", "spublish"}

# Django's cache API: method -> position of its `timeout` argument (None there stores a key that never expires)
DJANGO_CACHE_WRITES = {"set": 2, "add": 2, "set_many": 1, "get_or_set": 2, "touch": 1}

# attribute calls the checks look at: commands, plus constructors / pickle / getenv by their last name
CALL_ATTRS = (
    INTERESTING
    | REDIS_ONLY
    | frozenset(
        {
            "execute",
            *("loadb", "decode", "deserialize", "unpickle", "decode_value"),
            *("Redis", "StrictRedis", "RedisCluster", "Valkey", "StrictValkey", "ValkeyCluster"),
            *("ConnectionPool", "BlockingConnectionPool", "SentinelConnectionPool", "Sentinel"),
            *(
                "from_url",
                "from_env",
                "create_redis_pool",
                "create_redis",
                "loads",
                "load",
                "getenv",
                "setdefault",
                "pubsub",
                *DJANGO_CACHE_WRITES,
            ),
        }
    )
)

REDIS_PORTS = frozenset({6379, 6380, 26379, 16379, *range(7000, 7010), *range(30001, 30007)})
DEFAULT_URL_SCHEMES = ("redis://", "rediss://", "valkey://", "valkeys://", "redis+sentinel://")
URL_SCHEMES = ("redis://", "rediss://", "unix://", "valkey://", "valkeys://", "redis+sentinel://")
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", ""})
LUA_CALL = re.compile(r"""redis\s*\.\s*p?call\s*\(\s*(['"])(keys|flushall|flushdb)\1""", re.IGNORECASE)


@dataclass(frozen=True)
class Raw:
    """A finding before paths, severities and suppressions are applied (columns 0-based, in bytes)."""

    check: str
    message: str
    line: int
    col: int
    end_line: int
    end_col: int
    evidence: str = ""  # proven | usage | shape, for findings that judge a receiver
    reason: str = ""  # the full reason the receiver is believed to be Redis


@dataclass
class Cmd:
    method: str
    node: ast.Call
    recv: Recv
    key: ast.expr | None
    text: str = ""  # the receiver expression as written (`self.conn`)


def _pos(node: ast.AST) -> tuple[int, int, int, int]:
    """Where to report a call: at the method name for `x.method(...)`, else at the node."""
    if type(node) is ast.Call and type(node.func) is ast.Attribute:  # type: ignore[attr-defined]
        f = node.func  # type: ignore[attr-defined]
        line = f.end_lineno or f.lineno
        col = max((f.end_col_offset or 0) - len(f.attr), 0)
        return line, col, node.end_lineno or line, node.end_col_offset or col  # type: ignore[attr-defined]
    return (
        node.lineno,  # type: ignore[attr-defined]
        node.col_offset,  # type: ignore[attr-defined]
        node.end_lineno or node.lineno,  # type: ignore[attr-defined]
        node.end_col_offset or node.col_offset,  # type: ignore[attr-defined]
    )


def _arg(call: ast.Call, index: int, *names: str) -> ast.expr | None:
    """Argument by position or keyword (None when absent or hidden in *args)."""
    for kw in call.keywords:
        if kw.arg in names:
            return kw.value
    args = call.args
    for a in args[: index + 1]:
        if type(a) is ast.Starred:
            return None
    return args[index] if index < len(args) else None


def _nodes_on(tree: ast.AST, lines: frozenset[int]) -> Iterator[ast.AST]:
    """The nodes of `tree` whose span covers one of `lines`, parents before children (subtrees pruned)."""
    if not lines:
        return
    stack: list[ast.AST] = [tree]
    while stack:
        n = stack.pop()
        start = getattr(n, "lineno", None)
        if start is not None:
            decorators = getattr(n, "decorator_list", None)
            if decorators:  # a decorated def starts at its first decorator, not at `def`
                start = min(start, decorators[0].lineno)
            end = getattr(n, "end_lineno", None) or start
            if not any(start <= line <= end for line in lines):
                continue
        yield n
        stack.extend(reversed(list(ast.iter_child_nodes(n))))


def separate_expire(write: Any, expires: Iterable[Any], in_tx: Callable[[Any], bool]) -> Any | None:
    """The EXPIRE (of the write's key) this code gives it outside the write's transaction: a second command,
    so the key lives without a TTL in between. Receivers of unknown type must match by text. Works on the
    Cmd records of both languages (method, recv, text)."""
    for e in expires:
        if in_tx(e) and e.recv.ident == write.recv.ident:
            continue
        if write.recv.level == "proven" and e.recv.level == "proven" or e.text == write.text:
            return e
    return None


def recv_pair(c: Any, key: str | None) -> tuple[str, str | None]:
    """How two commands are paired: by key on proven receivers, by key and receiver text on a receiver of
    unknown type (`a.incr(k)` then `b.expire(k)` is no pair). Works on the Cmd records of both languages."""
    return (c.text if c.recv.level != "proven" else "", key)


def racy_writes(
    cmds: Iterable[Any],
    in_tx: Callable[[Any], bool],
    key_id: Callable[[Any], str | None],
    compared: Callable[[Any], bool],
    exclusive: Callable[[Any, Any], bool],
    watched: set[str | None],
    order: Callable[[Any], Any],
) -> list[tuple[Any, Any]]:
    """RR013's (write, read) pairs: a read of a counter or window whose reply the code compares, then a write of
    the same key on the same receiver, both outside a MULTI transaction and the key not WATCHed in the function
    (an optimistic transaction). Works on the Cmd records of both languages."""
    reads: dict[tuple[str, str | None], Any] = {}
    out: list[tuple[Any, Any]] = []
    for c in sorted(cmds, key=order):
        if c.key is None or in_tx(c) or (c.method not in COUNTER_READS and c.method not in COUNTER_WRITES):
            continue
        key = key_id(c)
        if key in watched:
            continue
        pair = recv_pair(c, key)
        if c.method in COUNTER_READS:
            if pair not in reads and compared(c):
                reads[pair] = c
        elif pair in reads and not exclusive(reads[pair], c):
            out.append((c, reads[pair]))
    return out


def _param_default_none(scope: Scope, name: str) -> bool:
    """Is `name` a parameter of the function `scope` whose default is None?"""
    node = scope.node
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    pairs = list(zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True))
    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None]
    return any(a.arg == name and _is_none(d) for a, d in pairs)


def explicit_opt_out(test: ast.expr, branch: int) -> bool:
    """Is branch `branch` (0: then, 1: else) of `if test:` the one where the TTL is switched off on purpose:
    a flag named for it (`if self.disable_ttl:`), or a duration that is not positive (the else of
    `if seconds > 0:`)? A TTL that is merely absent (`if ttl:`, `if ttl is not None:`) is no opt-out."""
    while type(test) is ast.UnaryOp and type(test.op) is ast.Not:  # type: ignore[attr-defined]
        test, branch = test.operand, 1 - branch  # type: ignore[attr-defined]
    name = dotted(test)
    if name is not None:
        return branch == 0 and opt_out_flag(name)
    if type(test) is not ast.Compare or len(test.ops) != 1:  # type: ignore[attr-defined]
        return False
    op, left, right = type(test.ops[0]), test.left, test.comparators[0]  # type: ignore[attr-defined]
    if _int(left) is not None and _int(right) is None:  # `0 < d` is `d > 0`
        flipped = {ast.Lt: ast.Gt, ast.Gt: ast.Lt, ast.LtE: ast.GtE, ast.GtE: ast.LtE}
        op, right = flipped.get(op, op), left
    return positive_test(op.__name__, _int(right), branch)


def positive_test(op: str, bound: int | None, branch: int) -> bool:
    """`d > 0` / `d >= 1` select a TTL when true: the else branch is the explicit 'no expiry' one; `d <= 0`,
    `d < 1`, `d == 0` select the then branch for it. `op` is an operator name (Gt, GtE, Lt, LtE, Eq)."""
    if bound is None:
        return False
    positive = (op == "Gt" and bound == 0) or (op == "GtE" and bound == 1)
    non_positive = (op == "LtE" and bound == 0) or (op == "Lt" and bound == 1) or (op == "Eq" and bound == 0)
    return (positive and branch == 1) or (non_positive and branch == 0)


_SERIALIZER_SETTING = re.compile(r"seriali[sz]er|pickler|codec", re.IGNORECASE)
LOOP = 2  # branch marker of a loop body in Checker._branch_paths
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
_EXITS = (ast.Return, ast.Raise, ast.Continue, ast.Break)
_LOOPS = (ast.For, ast.AsyncFor, ast.While, *_COMPREHENSIONS)


def branches_differ(mine: Iterable[tuple[Any, ...]], theirs: Iterable[tuple[Any, ...]]) -> bool:
    """Do two branch paths (see Checker._branch_paths) part at one `if`, in different branches?"""
    for a, b in zip(mine, theirs, strict=False):
        if a[:2] == b[:2]:
            continue
        return a[0] == b[0]
    return False


def _fixed(expr: ast.expr) -> bool:
    """A literal or an UPPER_CASE constant (a part of a key that is the same for every call)."""
    if type(expr) is ast.Constant:
        return True
    name = dotted(expr)
    return name is not None and name.rsplit(".", 1)[-1].isupper()


def _has_star(call: ast.Call) -> bool:
    return any(kw.arg is None for kw in call.keywords) or any(type(a) is ast.Starred for a in call.args)


def _is_none(expr: ast.expr | None) -> bool:
    return expr is None or (type(expr) is ast.Constant and expr.value in (None, False))  # type: ignore[attr-defined]


def _int(expr: ast.expr | None) -> int | None:
    if type(expr) is ast.Constant and type(expr.value) is int:  # type: ignore[union-attr]
        return expr.value  # type: ignore[union-attr]
    if type(expr) is ast.UnaryOp and type(expr.op) is ast.USub:  # type: ignore[union-attr]
        inner = _int(expr.operand)  # type: ignore[union-attr]
        return -inner if inner is not None else None
    return None


def _has_colon_literal(expr: ast.expr) -> bool:
    s = str_const(expr)
    if s is not None:
        return ":" in s
    if type(expr) is ast.JoinedStr:
        return any(_has_colon_literal(v) for v in expr.values)  # type: ignore[attr-defined]
    if type(expr) is ast.BinOp and type(expr.op) is ast.Add:  # type: ignore[attr-defined]
        return _has_colon_literal(expr.left) or _has_colon_literal(expr.right)  # type: ignore[attr-defined]
    return False


def inline_key_kind(expr: ast.expr) -> str | None:
    """How a key expression is built inline (f-string, +, .format, %, ':'.join), if it contains ':'."""
    t = type(expr)
    if t is ast.JoinedStr and _has_colon_literal(expr):
        return "an f-string"
    if t is ast.BinOp:
        op = type(expr.op)  # type: ignore[attr-defined]
        if op is ast.Add and _has_colon_literal(expr):
            return "string concatenation"
        if op is ast.Mod and _has_colon_literal(expr.left):  # type: ignore[attr-defined]
            return "%-formatting"
    if t is ast.Call and type(expr.func) is ast.Attribute:  # type: ignore[attr-defined]
        f = expr.func  # type: ignore[attr-defined]
        if f.attr == "format" and _has_colon_literal(f.value):
            return "str.format"
        if f.attr == "join" and str_const(f.value) is not None and ":" in (str_const(f.value) or ""):
            return "':'.join"
    return None


def url_detail(url: str) -> str:
    """What makes a hardcoded URL worse, for the finding: " with a password", " with a remote host" or ""."""
    password, remote = _url_problem(url)
    return " with a password" if password else " with a remote host" if remote else ""


def _url_problem(url: str) -> tuple[bool, bool]:
    """(has a password, has a host other than localhost) for a Redis URL."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        password = parts.password
    except ValueError:
        return ("@" in url, True)
    if url.lower().startswith("unix://"):
        host = ""
    return (bool(password), host.lower() not in LOCAL_HOSTS)


# what ends a PubSub's hold on its connection, or hands the PubSub to something that outlives the call
_PUBSUB_RELEASES = frozenset({"close", "aclose", "reset", "run_in_thread", "__exit__", "__aexit__"})
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _left_open(call: ast.Call, scope: Scope) -> bool:
    """Is the PubSub `call` opens bound to a local of its function (`p = r.pubsub()`) that the function leaves
    open when it returns? Not when it is closed (`close()`/`aclose()`/`reset()`, `with`/`async with`), handed on
    (returned, yielded, stored, passed to a call, used by a nested function, `run_in_thread()`), or listened to by
    a loop with no `break`/`return` (a listener that runs until the process ends)."""
    fn = scope.node
    if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    parents: dict[int, ast.AST] = {}
    for n in ast.walk(fn):
        for child in ast.iter_child_nodes(n):
            parents[id(child)] = n
    holder = parents.get(id(call))
    if type(holder) is ast.Await:
        holder = parents.get(id(holder))
    if type(holder) is ast.Assign and len(holder.targets) == 1:  # type: ignore[attr-defined]
        target = holder.targets[0]  # type: ignore[attr-defined]
    elif type(holder) is ast.AnnAssign:
        target = holder.target  # type: ignore[attr-defined]
    else:
        return False  # `with r.pubsub() as p`, `closing(r.pubsub())`, `self.p = r.pubsub()`, ...
    if type(target) is not ast.Name or target.id in scope.globals:  # type: ignore[attr-defined]
        return False
    name = target.id  # type: ignore[attr-defined]
    loops: list[ast.AST] = []
    for n in ast.walk(fn):
        if type(n) is not ast.Name or n.id != name or n is target:  # type: ignore[attr-defined]
            continue
        up = parents.get(id(n))
        outer: ast.AST | None = up
        while outer is not None and outer is not fn:
            if isinstance(outer, _NESTED):
                return False  # a nested function or class uses it: it may close it, or keep it
            if isinstance(outer, (ast.For, ast.AsyncFor, ast.While)):
                loops.append(outer)
            outer = parents.get(id(outer))
        if type(n.ctx) is not ast.Load:  # type: ignore[attr-defined]
            return False  # bound again or deleted: not followed
        if type(up) is ast.withitem:
            return False
        if type(up) is not ast.Attribute or up.attr in _PUBSUB_RELEASES:  # type: ignore[attr-defined]
            return False  # passed on, returned, stored, compared ...; or closed
    return not any(_runs_until_shutdown(loop, fn, parents) for loop in loops)


def _runs_until_shutdown(loop: ast.AST, fn: ast.AST, parents: dict[int, ast.AST]) -> bool:
    """A loop with no `return` in it and no `break` of its own: it ends only with the process (or an error)."""
    for n in ast.walk(loop):
        if type(n) is ast.Return:
            if not _inside_nested(n, loop, parents):
                return False
        elif type(n) is ast.Break:
            owner = parents.get(id(n))
            while owner is not None and not isinstance(owner, (ast.For, ast.AsyncFor, ast.While, *_NESTED)):
                owner = parents.get(id(owner))
            if owner is loop:
                return False
    return True


def _inside_nested(node: ast.AST, top: ast.AST, parents: dict[int, ast.AST]) -> bool:
    up = parents.get(id(node))
    while up is not None and up is not top:
        if isinstance(up, _NESTED):
            return True
        up = parents.get(id(up))
    return False


class Checker:
    """Runs every check over one module; results in `self.raw`."""

    def __init__(
        self,
        info: ModuleInfo,
        is_persistent: Callable[[str], bool] | None = None,
        reset_script: bool = False,
        module_names: tuple[str, ...] = (),
        edge: bool = False,
        test_file: bool = False,
        has_urls: bool = True,
        port_lines: frozenset[int] = frozenset(),
        mentions_redis: bool = True,
        url_lines: frozenset[int] = frozenset(),
        read_lua: Callable[[str], str | None] | None = None,
        containers_need_ttl: bool = False,
    ) -> None:
        self.info = info
        self.containers_need_ttl = containers_need_ttl  # policy lint.containers_need_ttl
        self.edge = edge  # the module lies under the policy's edge folders
        self.test_file = test_file  # test code: no client-per-call, no local URL defaults
        self.has_urls = has_urls  # the source contains "://" (else no URL default can be in it)
        self.port_lines = port_lines  # lines holding a Redis port number (literal endpoints are looked for there)
        self.mentions_redis = mentions_redis  # the source names redis/valkey
        self.url_lines = url_lines  # lines holding a quoted Redis URL literal
        self.read_lua = read_lua  # base name of a .lua file of the project -> its text (None: not found)
        self.is_persistent = is_persistent
        self.reset_script = reset_script
        self.module_names = module_names  # dotted names this file may be imported as
        self.raw: list[Raw] = []
        self.scope: Scope = info.module
        self.cmds: list[Cmd] = []
        self._factory_cache: dict[int, bool] = {}
        self._once_cache: dict[int, bool] = {}  # function scope -> runs once per process (_runs_once)
        self._once_depth = 0
        self._per_request: dict[int, str] = {}  # factory-named function scope -> who calls it per request
        self._judging: set[int] = set()  # functions whose returns _returns_no_client is reading
        self.recv_expr: ast.expr | None = None  # receiver of the call being judged (for the reason clause)
        # receiver key -> (method, line) of the first Redis-only command sent to it (usage evidence)
        self.usage: dict[tuple[object, str], list[tuple[str, int]]] = {}
        self.executed: set[tuple[object, str]] = set()  # receivers `.execute()`d: pipelines of unknown mode
        self.grown: set[str] = set()  # hash keys (ast.dump) written with a field from a variable: they grow
        self.trimmed: set[str] = set()  # stream keys (ast.dump) XDEL'd or XTRIM'd somewhere in the module
        self.url_nodes: set[int] = set()  # nodes already reported as hard-coded connections
        self.inline_keys: set[int] = set()  # key expressions already reported as built inline
        # per body: call node id -> enclosing (if, branch) pairs, and the tests of those ifs (see _branch_paths)
        self._paths: dict[int, tuple[dict[int, tuple[tuple[int, int], ...]], dict[int, ast.expr]]] = {}
        self._asserts: dict[int, list[ast.Assert]] = {}  # function scope -> its asserts (see _tested_names)

    def _collect_usage(self) -> None:
        for call, scope in self.info.calls:
            f = call.func
            if type(f) is not ast.Attribute:
                continue
            m = f.attr  # type: ignore[attr-defined]
            if m in ("xdel", "xtrim"):
                stream = _arg(call, 0, "name")
                if stream is not None:
                    self.trimmed.add(ast.dump(stream))
            if m in GROWING_FIELD_WRITES:
                hkey, fld = _arg(call, 0, "name", "key"), _arg(call, 1, "key", "field")
                if hkey is not None and fld is not None and type(fld) is not ast.Constant:
                    self.grown.add(ast.dump(hkey))
            if m in REDIS_ONLY or m == "execute":
                key = self._recv_key(f.value, scope)  # type: ignore[attr-defined]
                if key is None:
                    continue
                if m == "execute":
                    self.executed.add(key)
                else:
                    self.usage.setdefault(key, []).append((m, call.lineno))

    def _recv_key(self, expr: ast.expr, scope: Scope) -> tuple[object, str] | None:
        """Identity of a receiver across one module: a name in the scope binding it, `self.x` per class,
        other dotted paths per module."""
        d = dotted(expr)
        if d is None:
            return None
        head, _, rest = d.partition(".")
        if scope.cls is not None and head == scope.self_name:
            return (id(scope.cls), "self." + rest) if rest else None
        owner = self.info.owner(scope, head)
        return (id(owner) if owner is not None else 0, d)

    def run(self) -> list[Raw]:
        self._collect_usage()
        by_scope: dict[int, tuple[Scope, list[Cmd]]] = {}
        for call, scope in self.info.calls:
            self.scope = scope
            entry = by_scope.get(id(scope))
            if entry is None:
                entry = by_scope[id(scope)] = (scope, [])
            self.cmds = entry[1]
            self._call(call)
        for scope, cmds in by_scope.values():
            self.scope = scope
            self._end_body(cmds)
        if self.has_urls:
            self._url_defaults()
            if self.url_lines and not self.test_file:  # tests hold URLs as data (parser inputs, fixtures)
                self._url_literals()
        if self.port_lines:
            self._literal_endpoints()
        if self.edge:
            self._edge()
        return self.raw

    def _edge(self) -> None:
        """A module of the edge folders importing a TCP client, directly or through project modules."""
        from .index import TCP_CLIENT_MODULES

        project = self.info.project
        for node in self.info.import_nodes:
            if type(node) is ast.Import:
                names = [a.name for a in node.names]  # type: ignore[attr-defined]
            else:
                mod = absolute_module(node.level, node.module, self.info.package)  # type: ignore[union-attr]
                names = [mod] if mod else []
            for name in names:
                if name.split(".")[0] in TCP_CLIENT_MODULES:
                    self.report("edge-tcp-client", node, module=name, via="")
                    break
                chain = project.tcp_chain(name) if project is not None else None
                for alias in getattr(node, "names", ()) if chain is None and project is not None else ():
                    chain = project.tcp_chain(f"{name}.{alias.name}")  # type: ignore[union-attr]
                    if chain is not None:
                        break
                if chain is not None:
                    self.report("edge-tcp-client", node, module=chain[-1], via=f" (through {' -> '.join(chain[:-1])})")
                    break

    def report(
        self, check: str, node: ast.AST, variant: str = "default", recv: Recv | None = None, **fields: object
    ) -> None:
        """Record a finding; its text is the registry's message for `variant`, formatted with `fields`,
        plus (when `recv` is given) a short clause saying why the receiver is believed to be Redis."""
        message = BY_NAME[check].message(variant, **fields)
        if check == "hardcoded-connection":
            self.url_nodes.add(id(node))
        if recv is None:
            self.raw.append(Raw(check, message, *_pos(node)))
            return
        message, reason = with_reason(message, receiver_text(self.recv_expr), recv)
        self.raw.append(Raw(check, message, *_pos(node), recv.level, reason))

    def _call(self, node: ast.Call) -> None:
        f = node.func
        scope = self.scope
        tf = type(f)
        if node.keywords and node.keywords[0].arg in ("keys", "args", "client"):
            self._script_keys(node)
        if tf is ast.Attribute:
            m = f.attr  # type: ignore[attr-defined]
            if m in SERIALIZER_METHODS and node.args and self._pickle_serializer(f.value):  # type: ignore[attr-defined]
                if self._is_redis_read(node.args[0], set()):
                    self.report("pickle-values", node, "load")
            if m == "get" and len(node.args) == 2 and self.info.canonical(f, scope) not in GETENV:
                self._settings_default(node)  # settings.get("REDIS_HOST", "localhost"), on any mapping
            if m in DJANGO_CACHE_WRITES:
                self._django_cache(node, m, f.value)  # type: ignore[attr-defined]
            if m == "pubsub" and not self.test_file:
                self._pubsub(node, f.value)  # type: ignore[attr-defined]
            if m in INTERESTING or m in REDIS_ONLY:
                base = f.value  # type: ignore[attr-defined]
                r = self.info.recv(base, scope)
                if r is None:
                    r = self._weak(node, m, base)
                if r is not None and (r.kind == "client" or r.kind == "pipeline"):
                    self.recv_expr = base
                    self._command(node, m, r)
        elif tf is not ast.Name:
            return
        elif f.id not in self.info.aliases and f.id not in self.info.classes:  # type: ignore[attr-defined]
            return  # a local or builtin function: no constructor, pickle or getenv
        c = self.info.canonical(f, scope)
        if c is not None:
            if c in PICKLE_LOADS:
                self._pickle_load(node)
            elif c in GETENV:
                self._getenv(node)
        ctor = self.info.ctor_kind(node, scope, c)
        if ctor is not None:
            self._constructor(node, ctor[0], ctor[1])
        elif not self.test_file and c is not None:
            self._imported_factory(node, scope, c)

    # ------------------------------------------------------------------ evidence for unknown receivers
    def _not_redis(self, expr: ast.expr, m: str) -> bool:
        """Is the receiver certainly something else (a container, an event, the class's own method)?"""
        t = type(expr)
        if t in (ast.Dict, ast.List, ast.Set, ast.Tuple, ast.Constant, ast.JoinedStr, ast.DictComp, ast.ListComp):
            return True
        scope = self.scope
        if t is ast.Call:
            name = dotted(expr.func)  # type: ignore[attr-defined]
            if name is None:
                return False
            if name == "super" or name.rsplit(".", 1)[-1] in NOT_REDIS_TYPES:
                return True
            if self._plain_class(expr.func, name, m) or self._foreign_class(expr.func, name):  # type: ignore[attr-defined]
                return True
            return self._returns_no_client(name, m)
        if t is ast.Attribute and scope.cls is not None and dotted(expr.value) == scope.self_name:  # type: ignore[attr-defined]
            # `self.t.keys(p)`, `self.t = marisa_trie.Trie()` or `self.t: Store` in the class
            attr, cls = expr.attr, scope.cls  # type: ignore[attr-defined]
            ann_value = cls.annots.get(attr)
            if ann_value is not None and self._not_redis_type(ann_value[0], m):
                return True
            values = cls.attrs.get(attr, ())
            return bool(values) and all(self._not_redis(v, m) for v, _ in values if v is not expr)
        if t is not ast.Name:
            c = self.info.canonical(expr, scope)
            return c is not None and c.split(".")[0] in ("os", "sys", "json", "threading", "asyncio")
        name = expr.id  # type: ignore[attr-defined]
        if scope.cls is not None and name == scope.self_name:
            # a wrapper class calling its own `keys(pattern)`: the call inside that method is judged instead
            return m in scope.cls.methods or not scope.cls.is_client
        owner = self.info.owner(scope, name)
        if owner is None:
            c = self.info.aliases.get(name)
            return c is not None and c.split(".")[0] in ("os", "sys", "json", "threading", "asyncio", "contextvars")
        ann = owner.annots.get(name)
        if ann is not None and self._not_redis_type(ann, m):
            return True
        values = owner.values.get(name, ())
        return bool(values) and all(self._not_redis(v, m) for v, _ in values if v is not expr)

    def _not_redis_type(self, ann: ast.expr, m: str) -> bool:
        """`s: Store`, `t: pygtrie.StringTrie`: a container, a project class that is not a client, or a class of
        a package that names no Redis, as for `Store()`."""
        head_expr = ann.value if type(ann) is ast.Subscript else ann  # type: ignore[attr-defined]
        head = dotted(head_expr)
        return head is not None and (
            head.rsplit(".", 1)[-1] in NOT_REDIS_TYPES
            or self._plain_class(head_expr, head, m)
            or self._foreign_class(head_expr, head)
        )

    def _plain_class(self, ref: ast.expr, name: str, m: str = "") -> bool:
        """Is `ref` (dotted `name`) a class of this module or project that is not a client class? Its instances
        are wrappers: the Redis calls inside its methods are judged there, except a keys(p) that passes the
        caller's pattern on to KEYS (ClassInfo.forwards_keys): for `m` == "keys" that class is no plain one."""
        scope = self.scope
        local = self.info.classes.get(name)
        if local is not None and self.info.owner(scope, name) in (None, self.info.module):
            return not local.is_client and not (m == "keys" and local.forwards_keys())
        c = self.info.canonical(ref, scope)
        project = self.info.project
        if c is None or project is None or not project.owns(c) or not project.is_plain_class(c):
            return False
        return not (m == "keys" and project.forwards_keys(c))

    def _returns_no_client(self, name: str, m: str) -> bool:
        """`make_store().keys("u:")`: a function of this module whose every return is no client (`Store()`)."""
        fn = self.info.module.funcs.get(name)
        if fn is None or not fn.returns or id(fn) in self._judging:
            return False
        self._judging.add(id(fn))  # a function returning its own call: no answer, not a loop
        try:
            return all(self._not_redis(v, m) for v in fn.returns)
        finally:
            self._judging.discard(id(fn))

    def _foreign_class(self, ref: ast.expr, name: str) -> bool:
        """Is `ref` a class imported from another package that names no Redis (`marisa_trie.Trie`, `OOBTree`)?
        Its `keys(prefix)` is its own; a wrapper package (flask_redis, django_redis) still counts as Redis."""
        project = self.info.project
        if project is None or not name.rsplit(".", 1)[-1][:1].isupper() or name.split(".")[0] not in self.info.aliases:
            return False
        c = self.info.canonical(ref, self.scope)
        return (
            c is not None
            and not c.startswith(".")
            and c.split(".")[0] not in REDIS_ROOTS
            and not REDIS_NAMED.search(c)
            and not project.owns(c)
        )

    def _weak(self, node: ast.Call, m: str, base: ast.expr) -> Recv | None:
        """Usage or shape evidence for a receiver whose type the module does not show."""
        if self._not_redis(base, m):
            return None
        key = self._recv_key(base, self.scope)
        ident = hash(key) if key is not None else id(node)
        kind, tx = "client", False
        opened = self._pipeline_call(base)
        if opened is not None:  # `conn.pipeline(...)` on an unknown receiver: a pipeline of known mode
            kind, tx, ident = "pipeline", self.info._transaction(opened), id(opened)
        elif key is not None and key in self.executed:
            kind, tx = "pipeline", True  # executed later: a pipeline of unknown mode (never a reason to flag)
        for um, line in self.usage.get(key, ()) if key is not None else ():
            if um != m or line != node.lineno:
                return Recv(kind, tx, ident, (f"also sent {um.upper()} at line {line}",), "usage")
        why = self._shape(node, m)
        return Recv(kind, tx, ident, (why,), "shape") if why is not None else None

    def _pipeline_call(self, base: ast.expr) -> ast.Call | None:
        """The `x.pipeline(...)` call `base` is, or a name bound to (one of its bindings)."""
        candidates = [base]
        if type(base) is ast.Name:
            owner = self.info.owner(self.scope, base.id)  # type: ignore[attr-defined]
            if owner is not None:
                candidates = [v for v, _ in owner.values.get(base.id, ())]  # type: ignore[attr-defined]
        for v in candidates:
            if type(v) is ast.Await:
                v = v.value  # type: ignore[attr-defined]
            if type(v) is ast.Call and type(v.func) is ast.Attribute and v.func.attr == "pipeline":  # type: ignore[attr-defined]
                return v  # type: ignore[return-value]
        return None

    def _shape(self, node: ast.Call, m: str) -> str | None:
        """Why this call alone says Redis (its method name and arguments), or None."""
        if m in REDIS_ONLY:
            if m in RANGE_READS:
                return f"{m}(key, start, stop) is a Redis range read"
            return f"{m}() is a Redis command"
        if m == "keys":  # KEYS takes one pattern: `tree.keys(lo, hi)` is a range of a sorted map
            if (len(node.args) == 1 and type(node.args[0]) not in NOT_PATTERNS) or any(
                kw.arg == "pattern" for kw in node.keywords
            ):
                return "keys(pattern) takes a pattern, dict.keys() takes none"
            return None
        if m == "execute_command":
            name = str_const(_arg(node, 0))
            if name is not None and name.strip().upper() in ("KEYS", "FLUSHALL", "FLUSHDB"):
                return f"execute_command({name.strip().upper()!r}) is a raw Redis command"
            return None
        if m in SCRIPT_METHODS:
            script = _arg(node, 0, "script")
            text = self._script_text(script) if script is not None else None
            if text is not None and LUA_CALL.search(text):
                return "the Lua script calls redis.call"
            return None
        if m in INCRS or m in EXPIRES:
            return f"{m}() is judged with the INCR/EXPIRE it pairs with"
        return None

    # ------------------------------------------------------------------ redis commands
    def _command(self, node: ast.Call, m: str, r: Recv) -> None:
        key = None
        weak = r.level == "shape"
        if m in KEY_FIRST or m in KEY_ALL:
            key = _arg(node, 0, "name", "key", "keys")
            if not weak or m in REDIS_ONLY:
                self._inline_keys(node, m, r)
        self.cmds.append(Cmd(m, node, r, key, receiver_text(self.recv_expr)))
        if m == "keys":
            self.report("keys-command", node, "call", r, scan="scan_iter")
        elif m == "execute_command":
            name = str_const(_arg(node, 0))
            if name is not None:
                up = name.strip().upper()
                if up == "KEYS":
                    self.report("keys-command", node, "raw", r, via=m, scan="scan_iter")
                elif up in ("FLUSHALL", "FLUSHDB") and not self.reset_script:
                    self.report("flush-command", node, "raw", r, command=up, via=m)
        elif m in FLUSHES:
            if not self.reset_script:
                self.report("flush-command", node, "call", r, command=m.upper())
        elif m in SCRIPT_METHODS:
            self._lua(node, m, r)
        elif m in WHOLE_READS:
            # a record hash or a small registry set is read whole by design: report where the project's rule
            # applies (its own client), where one hash under a fixed key visibly grows (fields written from
            # variables: a map over the whole dataset), or where the function returns a page of what it read
            grows = m == "hgetall" and key is not None and ast.dump(key) in self.grown and not self._entity_key(key)
            if r.ours or grows:
                self.report("unbounded-read", node, "whole", r, command=m.upper())
            else:
                paging = self._paging_param()
                once = paging is not None and all(
                    b != LOOP for _, b in self._branch_paths(self.scope)[0].get(id(node), ())
                )
                if paging is not None and once:  # read once, then paged (not one record per item of a loop)
                    self.report("unbounded-read", node, "page", r, command=m.upper(), param=paging)
        elif m in RANGE_READS:
            start, end = self._bound(_arg(node, 1, "start")), self._bound(_arg(node, 2, "end", "stop"))
            if start == 0 and end == -1 and not self._trimmed_before(node, m, key):
                self.report("unbounded-read", node, "range", r, command=m.upper())
        elif m in FULL_RANGES:
            self._full_range(node, m, r)
        elif m == "xadd":
            self._xadd(node, r)
        if m in VALUE_WRITES and (not weak or m in REDIS_ONLY):
            self._pickle_write(node, m, r)

    def _full_range(self, node: ast.Call, m: str, r: Recv) -> None:
        """XRANGE - + without COUNT, ZRANGEBYSCORE -inf +inf without LIMIT (num): the whole collection in one reply,
        as TypeScript reports it (trial 17: `r.xrange(stream, "-", "+")` replaying a stream)."""
        if any(type(a) is ast.Starred for a in node.args) or any(kw.arg is None for kw in node.keywords):
            return  # bounds or the page hidden in *args / **kwargs
        first, second, page, at, defaults = FULL_RANGES[m]
        bounds = []
        for i, (name, whole) in enumerate((first, second), start=1):
            arg = _arg(node, i, name)
            if arg is None and not defaults:
                return
            text = whole if arg is None else str_const(arg)
            if text is None or text.lower() not in (whole, "inf" if whole == "+inf" else whole):
                return
            bounds.append(whole)
        if not _is_none(_arg(node, at, page)):
            return
        param = "COUNT" if page == "count" else "LIMIT"
        self.report("unbounded-read", node, "full", r, command=m.upper(), where=" ".join(bounds), param=param)

    def _trimmed_before(self, node: ast.Call, m: str, key: ast.expr | None) -> bool:
        """The same key was trimmed earlier in this body or pipeline (`p.ltrim(k, 0, 49)` then `p.lrange(k, 0,
        -1)`; ZREMRANGEBYRANK before a ZRANGE): the whole collection read is bounded by the trim (trial 17)."""
        if key is None:
            return False
        trims = ("ltrim",) if m == "lrange" else ("zremrangebyrank",)
        dump = ast.dump(key)
        return any(
            c.method in trims
            and c.node is not node
            and c.key is not None
            and c.node.lineno <= node.lineno
            and ast.dump(c.key) == dump
            for c in self.cmds
        )

    def _inline_keys(self, node: ast.Call, m: str, r: Recv) -> None:
        if m in KEY_ALL:
            candidates: list[ast.expr] = []
            for a in node.args:
                if type(a) is ast.Starred and type(a.value) in (*_KEY_LISTS, ast.Name):  # type: ignore[attr-defined]
                    a = a.value  # type: ignore[attr-defined]
                # ks = [f"u:{i}" for i in ids] just before r.mget(ks): the list is built inline, one line up
                bound = self._local_once(a)
                if bound is not None and type(bound) in (*_KEY_LISTS, ast.List, ast.Tuple):
                    a = bound
                if type(a) in (ast.List, ast.Tuple):
                    candidates.extend(a.elts)  # type: ignore[attr-defined]
                elif type(a) in _KEY_LISTS:  # mget([f"user:{i}" for i in ids]): each key built inline
                    candidates.append(a.elt)  # type: ignore[attr-defined]
                elif type(a) is not ast.Starred:
                    candidates.append(a)
        else:
            first = _arg(node, 0, "name", "key")
            candidates = [first] if first is not None else []
        for key in candidates:
            self._inline_key(key, r)

    def _bound(self, expr: ast.expr | None, depth: int = 0) -> int | None:
        """A range bound as a number: a literal, or its value when the caller passes none, as TypeScript's
        _number reads it: a parameter's default (`end=-1`), a fallback written in the call (`end or -1`,
        `-1 if end is None else end`), a local assigned once (`stop = end or -1`)."""
        n = _int(expr)
        if n is not None or expr is None or depth > 8:
            return n
        t = type(expr)
        if t is ast.BoolOp and type(expr.op) is ast.Or:  # type: ignore[attr-defined]
            return next((b for v in expr.values if (b := self._bound(v, depth + 1)) is not None), None)  # type: ignore[attr-defined]
        if t is ast.IfExp:
            body, other = _int(expr.body), _int(expr.orelse)  # type: ignore[attr-defined]
            if (body is None) != (other is None) and ast.Name in (type(expr.body), type(expr.orelse)):  # type: ignore[attr-defined]
                return body if body is not None else other
            return None
        if t is not ast.Name:
            return None
        fn = self.scope.node
        if any(type(n) is ast.AugAssign and dotted(n.target) == expr.id for n in ast.walk(fn)):  # type: ignore[attr-defined]
            return None  # `stop += 100`: not the value it started with
        once = self._local_once(expr)
        if once is not None:
            return self._bound(once, depth + 1)
        args = getattr(fn, "args", None)
        if args is None or expr.id in self.scope.values:  # type: ignore[attr-defined]
            return None  # not a parameter, or one reassigned
        positional = args.posonlyargs + args.args
        pairs = list(zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True))
        pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None]
        return next((_int(d) for a, d in pairs if a.arg == expr.id), None)  # type: ignore[attr-defined]

    def _local_once(self, expr: ast.expr) -> ast.expr | None:
        """The expression a name is bound to when it is a local of the current function assigned exactly once
        (not a loop variable), else None."""
        if type(expr) is not ast.Name or self.scope is self.info.module:
            return None
        values = self.scope.values.get(expr.id, ())  # type: ignore[attr-defined]
        return values[0][0] if len(values) == 1 and expr.id not in self.scope.iters else None  # type: ignore[attr-defined]

    def _inline_key(self, key: ast.expr, r: Recv) -> None:
        # key = f"app:user:{uid}" just before r.get(key): the key is still built inline, one line up
        key = self._local_once(key) or key
        how = inline_key_kind(key)
        if how is not None and id(key) not in self.inline_keys:  # one finding per key, however many calls use it
            self.inline_keys.add(id(key))
            self.report("inline-key", key, recv=r, how=how)

    def _script_keys(self, node: ast.Call) -> None:
        """`script(keys=[...], args=[...])`: a redis-py Script (register_script) called with its KEYS, each a
        key argument like the first argument of a command."""
        keys = next((kw.value for kw in node.keywords if kw.arg == "keys"), None)
        if type(keys) not in (ast.List, ast.Tuple):
            return
        name = dotted(node.func) or ""
        if not any(kw.arg == "args" for kw in node.keywords) and not any(w in name.lower() for w in ("script", "lua")):
            return
        self.recv_expr = node.func
        r = Recv("client", ident=id(node), why=("keys=[...] of a Lua script call (redis-py Script)",), level="shape")
        for key in keys.elts:  # type: ignore[union-attr]
            self._inline_key(key, r)

    def _lua(self, node: ast.Call, m: str, r: Recv) -> None:
        script = _arg(node, 0, "script")
        if script is None:
            return
        text = self._script_text(script)
        if text is None:
            return
        for match in LUA_CALL.finditer(text):
            cmd = match.group(2).upper()
            if cmd == "KEYS":
                self.report("keys-command", node, "lua", r, method=m)
            elif not self.reset_script:
                self.report("flush-command", node, "lua", r, method=m, command=cmd)

    def _script_text(self, script: ast.expr) -> str | None:
        """A script's Lua: a literal or constant, or the content of the .lua file a constant is loaded from."""
        text = self.info.const_str(script, self.scope)
        if text is not None and text.startswith(LUA_FILE):
            return self.read_lua(text[len(LUA_FILE) :]) if self.read_lua is not None else None
        return text

    def _xadd(self, node: ast.Call, r: Recv) -> None:
        if any(kw.arg is None for kw in node.keywords):
            return
        for trim in (_arg(node, 3, "maxlen"), _arg(node, 6, "minid")):
            if not _is_none(trim) and not self._none_by_default(trim):  # type: ignore[arg-type]
                return
        if any(type(a) is ast.Starred for a in node.args):
            return
        stream = _arg(node, 0, "name")
        if stream is not None and ast.dump(stream) in self.trimmed:
            return  # entries are XDEL'd or the stream XTRIM'd elsewhere in this module
        self.report("xadd-unbounded", node, recv=r, trim="maxlen= or minid=")

    def _none_by_default(self, expr: ast.expr) -> bool:
        """A trim option that is None unless configured: a parameter defaulting to None, or `self.x` set only
        from such parameters (`maxlen=self.maxlen` with `maxlen: int | None = None` in __init__)."""
        values: list[tuple[ast.expr, Scope]] = []
        if type(expr) is ast.Name:
            owner = self.info.owner(self.scope, expr.id)  # type: ignore[attr-defined]
            if owner is None or expr.id in owner.values:  # type: ignore[attr-defined]
                return False
            return _param_default_none(owner, expr.id)  # type: ignore[attr-defined]
        if type(expr) is ast.Attribute and type(expr.value) is ast.Name and self.scope.cls is not None:  # type: ignore[attr-defined]
            if expr.value.id != self.scope.self_name:  # type: ignore[attr-defined]
                return False
            values = self.scope.cls.attrs.get(expr.attr, [])  # type: ignore[attr-defined]
        if not values:
            return False
        for value, vscope in values:
            if _is_none(value):
                continue
            if type(value) is not ast.Name or value.id in vscope.values or not _param_default_none(vscope, value.id):  # type: ignore[attr-defined]
                return False
        return True

    def _entity_key(self, key: ast.expr) -> bool:
        """Is the key built from a variable (`keys.run_state(run_id)`, f"run:{run_id}", a local bound to one):
        one key per entity, rather than one fixed key for the whole dataset?"""
        if type(key) is ast.Name:
            owner = self.info.owner(self.scope, key.id)  # type: ignore[attr-defined]
            values = owner.values.get(key.id, ()) if owner is not None else ()  # type: ignore[attr-defined]
            if len(values) == 1:
                key = values[0][0]
        t = type(key)
        if t is ast.JoinedStr:
            return any(type(v) is ast.FormattedValue for v in key.values)  # type: ignore[attr-defined]
        if t is ast.Call:
            return any(not _fixed(a) for a in (*key.args, *(k.value for k in key.keywords)))  # type: ignore[attr-defined]
        if t is ast.BinOp:
            return not (_fixed(key.left) and _fixed(key.right))  # type: ignore[attr-defined]
        return False

    def _paging_param(self) -> str | None:
        """A paging parameter (`limit`, `offset`, `page_size`, ...) of the function being checked, or None."""
        node = self.scope.node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        args = node.args
        return next((a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs) if paging_name(a.arg)), None)

    # ------------------------------------------------------------------ per-function checks
    def _key_id(self, cmd: Cmd) -> str | None:
        return ast.dump(cmd.key) if cmd.key is not None else None

    def _persistent(self, key: ast.expr | None) -> bool:
        if self.is_persistent is None or key is None:
            return False
        literal = self.info.const_str(key, self.scope)
        return literal is not None and self.is_persistent(literal)

    @staticmethod
    def _set_has_ttl(node: ast.Call) -> bool:
        if _has_star(node):
            return True
        for kw in node.keywords:
            if kw.arg in ("ex", "px", "exat", "pxat", "keepttl") and not _is_none(kw.value):
                return True
        for index in (2, 3, 6, 8, 9):
            if index < len(node.args) and not _is_none(node.args[index]):
                return True
        return False

    def _ttl_none_by_default(self, node: ast.Call) -> tuple[str, str] | None:
        """The name of the TTL a SET passes (`ex=ttl`) when it is None unless a caller gives one: a parameter
        defaulting to None, `self.x` set only from such parameters, or a local only ever assigned None (trial 14:
        `def put(k, v, ttl=None): r.set(k, v, ex=ttl)` writes keys that never expire). None when any TTL it
        passes may hold a value. Returns (the name, why it is None)."""
        given = [kw.value for kw in node.keywords if kw.arg in ("ex", "px", "exat", "pxat", "keepttl")]
        given += [node.args[i] for i in (2, 3, 6, 8, 9) if i < len(node.args)]
        given = [g for g in given if not _is_none(g)]
        names: list[tuple[str, str]] = []
        for expr in given:
            if type(expr) in (ast.Name, ast.Attribute) and ast.unparse(expr) in self._tested_names(node):
                return None  # `if ttl: r.set(k, v, ex=ttl)`: written with a TTL only when there is one
            if type(expr) is ast.Name:
                owner = self.info.owner(self.scope, expr.id)  # type: ignore[attr-defined]
                assigned = owner.values.get(expr.id, []) if owner is not None else []  # type: ignore[attr-defined]
                if assigned and all(_is_none(v) for v, _ in assigned):
                    names.append((expr.id, "the only value it is given"))  # type: ignore[attr-defined]
                    continue
            if self._none_by_default(expr):
                names.append((ast.unparse(expr), "its default"))
                continue
            return None
        return names[0] if names else None

    def _tested_names(self, node: ast.AST) -> set[str]:
        """The names and attributes (`ttl`, `self.ttl`) that the tests of the `if`s enclosing `node` read (the
        early-`return` form included), or that an `assert` of the function reads before it."""
        paths, tests = self._branch_paths(self.scope)
        checks = [tests[if_id] for if_id, _ in paths.get(id(node), ()) if if_id in tests]
        body = self.scope.node
        if isinstance(body, (ast.FunctionDef, ast.AsyncFunctionDef)):
            asserts = self._asserts.get(id(self.scope))
            if asserts is None:  # one walk per function, however many of its SETs ask
                asserts = self._asserts[id(self.scope)] = [n for n in ast.walk(body) if type(n) is ast.Assert]
            line = getattr(node, "lineno", 0)
            checks += [n.test for n in asserts if n.lineno < line]
        return {ast.unparse(n) for test in checks for n in ast.walk(test) if type(n) in (ast.Name, ast.Attribute)}

    def _end_body(self, cmds: list[Cmd]) -> None:
        if not cmds:
            return
        tx_idents = {c.recv.ident for c in cmds if c.recv.kind == "pipeline" and (c.recv.tx or c.method == "multi")}

        def in_tx(c: Cmd) -> bool:
            return c.recv.kind == "pipeline" and c.recv.ident in tx_idents

        expired: set[tuple[int, str | None]] = set()
        tx_with_expire: set[int] = set()
        expires: dict[str | None, list[Cmd]] = {}  # key -> its EXPIREs in this body
        for c in cmds:
            if c.method in KEY_EXPIRES:  # HEXPIRE sets a field's TTL, not the key's
                expires.setdefault(self._key_id(c), []).append(c)
                if in_tx(c):
                    expired.add((c.recv.ident, self._key_id(c)))
                    tx_with_expire.add(c.recv.ident)
        for c in cmds:
            if c.method not in WRITES_NEED_TTL:
                continue
            if c.method == "set" and self._set_has_ttl(c.node):
                unset = self._ttl_none_by_default(c.node)
                if unset is not None and c.key is not None and not self._persistent(c.key):
                    self._without_ttl(c, cmds, "none_default", param=unset[0], why=unset[1])
                continue
            if c.method == "zadd" and not _is_none(_arg(c.node, 3, "xx")):
                continue  # ZADD XX only updates members of an existing key: it never creates one
            if c.method in ("mset", "msetnx"):
                self._mset(c, cmds, in_tx(c), expired, tx_with_expire)
                continue
            if c.key is None:
                continue
            if in_tx(c) and (c.recv.ident, self._key_id(c)) in expired:
                continue
            if self._persistent(c.key):
                continue
            # the EXPIRE this code gives the key, outside the write's transaction (same receiver when unknown)
            same_key = [e for e in expires.get(self._key_id(c), ()) if not self._exclusive(c, e)]
            later = separate_expire(c, same_key, in_tx)
            if later is not None:
                if self.test_file:
                    continue  # a test's setup against a disposable server: atomicity is not at stake
                self._report_cmd(
                    "write-without-ttl",
                    c,
                    "separate",
                    command=c.method.upper(),
                    expire=later.method.upper(),
                    line=later.node.lineno,
                )
            else:
                self._without_ttl(c, cmds)
        incremented: dict[tuple[str, str | None], Cmd] = {}
        for c in sorted(cmds, key=lambda c: (c.node.lineno, c.node.col_offset)):
            if in_tx(c) or c.key is None:
                continue
            pair = recv_pair(c, self._key_id(c))
            if c.method in INCRS:
                if not any(kw.arg in TTL_KEYWORDS for kw in c.node.keywords):  # a wrapper's incr(k, expire=)
                    incremented.setdefault(pair, c)
            elif c.method in KEY_EXPIRES and pair in incremented:
                first = incremented[pair]
                self._report_cmd(
                    "incr-then-expire",
                    c,
                    expire=c.method.upper(),
                    incr=first.method.upper(),
                    line=first.node.lineno,
                )
        if not self.test_file:  # a test's setup against a disposable server: no concurrent requests
            self._check_then_act(cmds, in_tx)

    def _check_then_act(self, cmds: list[Cmd], in_tx: Callable[[Cmd], bool]) -> None:
        """RR013: a counter read, compared in Python, then written back (see racy_writes)."""
        compared: set[int] = set()
        walked = False

        def is_compared(c: Cmd) -> bool:
            nonlocal walked
            if not walked:  # one walk per body, only when a counter read is a candidate
                compared.update(self._compared_calls())
                walked = True
            return id(c.node) in compared

        watched: set[str | None] = {ast.dump(a) for c in cmds if c.method == "watch" for a in c.node.args}
        pairs = racy_writes(
            cmds,
            in_tx,
            self._key_id,
            is_compared,
            self._exclusive,
            watched,
            lambda c: (c.node.lineno, c.node.col_offset),
        )
        for write, read in pairs:
            self._report_cmd(
                "check-then-act-counter",
                write,
                command=write.method.upper(),
                method=read.method.upper(),
                line=read.node.lineno,
                fix="in a redis-rules project: rate_limit.check_rate_limit",
            )

    def _compared_calls(self) -> set[int]:
        """The calls of this body whose reply is compared with <, <=, > or >=: directly, through int()/float(),
        `or 0`, `x if x else 0`, arithmetic and await, or through a local of this function bound to it."""
        out: set[int] = set()
        stack = list(ast.iter_child_nodes(self.scope.node))
        while stack:
            n = stack.pop()
            t = type(n)
            if t in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda):
                continue  # their calls belong to another body
            if t is ast.Compare and any(type(op) in ORDERINGS for op in n.ops):  # type: ignore[attr-defined]
                for operand in (n.left, *n.comparators):  # type: ignore[attr-defined]
                    self._replies(operand, out, 0)
            stack.extend(ast.iter_child_nodes(n))
        return out

    def _replies(self, expr: ast.expr, out: set[int], depth: int) -> None:
        """Add the calls whose reply `expr` is (see _compared_calls)."""
        t = type(expr)
        if t is ast.Await:
            self._replies(expr.value, out, depth)  # type: ignore[attr-defined]
        elif t is ast.BoolOp:
            for v in expr.values:  # type: ignore[attr-defined]
                self._replies(v, out, depth)
        elif t is ast.BinOp:
            self._replies(expr.left, out, depth)  # type: ignore[attr-defined]
            self._replies(expr.right, out, depth)  # type: ignore[attr-defined]
        elif t is ast.IfExp:  # `int(raw) if raw else 0`
            self._replies(expr.body, out, depth)  # type: ignore[attr-defined]
            self._replies(expr.orelse, out, depth)  # type: ignore[attr-defined]
        elif t is ast.Call:
            f = expr.func  # type: ignore[attr-defined]
            if type(f) is ast.Name and f.id in NUMBER_CASTS:  # type: ignore[attr-defined]
                if expr.args:  # type: ignore[attr-defined]
                    self._replies(expr.args[0], out, depth)  # type: ignore[attr-defined]
            else:
                out.add(id(expr))
        elif t is ast.Name and depth < 3:
            name = expr.id  # type: ignore[attr-defined]
            if self.info.owner(self.scope, name) is self.scope:
                for value, _ in self.scope.values.get(name, ()):
                    self._replies(value, out, depth + 1)

    def _without_ttl(self, c: Cmd, cmds: list[Cmd], variant: str = "", **extra: object) -> None:
        """A write that leaves its key without any TTL (none in the command, no EXPIRE of the key in this body).

        In a redis-rules project (policy lint.containers_need_ttl) every such write is reported, and string
        writes through the project's own client too (its rule applies). Elsewhere only when the code shows the
        key is meant to expire: for a string, the other branch of an `if` gives it a TTL (the TTL is optional and
        absent by default; not when this branch is an explicit opt-out such as `if self.disable_ttl:` or a
        duration that is not positive); or the key, a string's value type or the function and class writing it
        are named for something short-lived (a session, a cache entry, a token, a lock). Other keys are durable
        records (users, indexes, queues, registries, schedules): their TTL is `audit`'s no-ttl check. Test code
        writes to a disposable server: only the strict policy reports there."""
        string = c.method in STRING_WRITES
        fields: dict[str, object] = {"command": c.method.upper(), **extra}
        if self.containers_need_ttl or (string and c.recv.ours):
            named = self._short_lived(c) if string and not variant else None  # "a session key" says more (trial 15)
            if named is not None:
                variant = "named_by" if named[1] else "named"
                self._report_cmd(
                    "write-without-ttl", c, variant, a_word=with_article(named[0]), writer=named[1], **fields
                )
            else:
                self._report_cmd("write-without-ttl", c, variant or ("write" if string else "container"), **fields)
            return
        if self.test_file:
            return  # test data on a disposable server
        branch = self._ttl_branch(c, cmds) if string else None
        if branch is not None:
            other, opt_out = branch
            if not opt_out:
                self._report_cmd("write-without-ttl", c, variant or "optional", line=other.node.lineno, **fields)
            return
        named = self._short_lived(c)
        if named is not None:
            fields.update(a_word=with_article(named[0]), writer=named[1])
            self._report_cmd("write-without-ttl", c, variant or ("named_by" if named[1] else "named"), **fields)

    def _gives_ttl(self, c: Cmd) -> bool:
        """A command that sets a key's TTL (EXPIRE, SETEX, SET with EX, GETEX)."""
        m = c.method
        return m in KEY_EXPIRES or m in ("setex", "psetex", "getex") or (m == "set" and self._set_has_ttl(c.node))

    def _ttl_branch(self, c: Cmd, cmds: list[Cmd]) -> tuple[Cmd, bool] | None:
        """(the TTL-giving command, whether `c`'s branch is an explicit opt-out) when `c` sits in one branch of
        an `if` (or `x if c else y`) whose other branch gives a TTL; else None."""
        givers = [t for t in cmds if t is not c and self._gives_ttl(t)]
        if not givers:
            return None
        paths, tests = self._branch_paths(self.scope)
        mine = paths.get(id(c.node))
        if mine is None:
            return None
        for t in givers:
            theirs = paths.get(id(t.node), ())
            if branches_differ(mine, theirs):  # the same `if`, the other branch
                a = next(a for a, b in zip(mine, theirs, strict=False) if a != b)
                return t, explicit_opt_out(tests[a[0]], a[1])
        return None

    def _exclusive(self, a: Cmd, b: Cmd) -> bool:
        """Do `a` and `b` sit in different branches of one `if` (never both run)?"""
        paths = self._branch_paths(self.scope)[0]
        return branches_differ(paths.get(id(a.node), ()), paths.get(id(b.node), ()))

    def _branch_paths(self, scope: Scope) -> tuple[dict[int, tuple[tuple[int, int], ...]], dict[int, ast.expr]]:
        """For the calls of one body: the (`if` node id, branch: 0 then / 1 else) pairs enclosing each, outermost
        first, with (loop node id, LOOP) for the loops running it per item; and each `if`'s test. The statements
        after `if c: ... return` are that `if`'s else branch. Computed once per body, only when a check asks."""
        cached = self._paths.get(id(scope))
        if cached is not None:
            return cached
        paths: dict[int, tuple[tuple[int, int], ...]] = {}
        tests: dict[int, ast.expr] = {}

        def block(stmts: list[ast.stmt], path: tuple[tuple[int, int], ...]) -> None:
            for stmt in stmts:
                node(stmt, path)
                if type(stmt) is ast.If and not stmt.orelse and type(stmt.body[-1]) in _EXITS:
                    path = (*path, (id(stmt), 1))  # `if c: ...; return` then the rest: the else branch

        def node(root: ast.AST, path: tuple[tuple[int, int], ...]) -> None:
            stack = [(root, path)]
            while stack:
                n, path = stack.pop()
                t = type(n)
                if t in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda):
                    continue  # their calls belong to another body
                if t is ast.Call:
                    paths[id(n)] = path
                if t is ast.If or t is ast.IfExp:
                    tests[id(n)] = n.test  # type: ignore[attr-defined]
                    stack.append((n.test, path))  # type: ignore[attr-defined]
                    if t is ast.If:
                        block(n.body, (*path, (id(n), 0)))  # type: ignore[attr-defined]
                        block(n.orelse, (*path, (id(n), 1)))  # type: ignore[attr-defined]
                    else:
                        stack.append((n.body, (*path, (id(n), 0))))  # type: ignore[attr-defined]
                        stack.append((n.orelse, (*path, (id(n), 1))))  # type: ignore[attr-defined]
                    continue
                if t in _LOOPS:  # what runs per item: (id, LOOP)
                    first = n.generators[0].iter if t in _COMPREHENSIONS else n.iter if t is not ast.While else n.test  # type: ignore[attr-defined]
                    stack.append((first, path))
                    path = (*path, (id(n), LOOP))
                    children = [x for x in ast.iter_child_nodes(n) if x is not first]
                else:
                    children = list(ast.iter_child_nodes(n))
                stmts = [x for x in children if isinstance(x, ast.stmt)]
                if stmts:  # statement lists (with, try, loops, except and case bodies), in order
                    for field in ("body", "orelse", "finalbody"):
                        block(getattr(n, field, None) or [], path)
                stack.extend((x, path) for x in children if not isinstance(x, ast.stmt))

        root = scope.node
        block(root.body if isinstance(root, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef)) else [], ())
        self._paths[id(scope)] = (paths, tests)
        return paths, tests

    def _short_lived(self, c: Cmd) -> tuple[str, str] | None:
        """A short-lived word (session, cache, token, lock, ...) in what the key is built from (names, literals,
        the locals and key-builder functions it comes from), in the declared type of a string's value, or, for a
        key that is no constant, in the names of the function and class doing the write; with where the word
        came from when it is that name ("function f", "method C.m"), else "" (trial 17)."""
        texts: list[str] = []
        if c.key is not None:
            self._key_texts(c.key, self.scope, texts, 2)
        values = c.node.args[1:2] if c.method in STRING_WRITES else []
        for value in values:  # the declared type of a string's value (`item: CacheItem`)
            for n in ast.walk(value):
                if type(n) is ast.Name:
                    owner = self.info.owner(self.scope, n.id)  # type: ignore[attr-defined]
                    ann = owner.annots.get(n.id) if owner is not None else None  # type: ignore[attr-defined]
                    if ann is not None:
                        texts.extend(x.id for x in ast.walk(ann) if type(x) is ast.Name)  # type: ignore[attr-defined]
        word = short_lived(texts)
        if word is not None:
            return word, ""
        if c.key is not None and self.info.const_str(c.key, self.scope) is not None:
            return None  # a constant key names its own kind: `"users:all"` in a SessionService is no session key
        word = short_lived([self.scope.qualname])
        if word is None:
            return None
        node = self.scope.node
        what = (
            "method"
            if self.scope.cls is not None and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            else "function"
        )
        return word, f"{what} {self.scope.qualname}"

    def _key_texts(self, expr: ast.expr, scope: Scope, texts: list[str], depth: int) -> None:
        """Names and literals a key expression is built from, following (up to `depth` steps) the locals it is
        assigned from, the functions and methods of this module that return it, and the arguments callers of
        this module pass for it when it is a parameter."""
        stack: list[ast.AST] = [expr]
        while stack and len(texts) < 200:
            n = stack.pop()
            t = type(n)
            if t is ast.Name:
                name = n.id  # type: ignore[attr-defined]
                texts.append(name)
                owner = self.info.owner(scope, name)
                if depth and owner is not None:
                    for value, vscope in owner.values.get(name, ())[:4]:
                        self._key_texts(value, vscope, texts, depth - 1)
                    if name not in owner.values:
                        for arg, ascope in self._callers_args(owner, name):
                            self._key_texts(arg, ascope, texts, depth - 1)
            elif t is ast.Attribute:
                texts.append(n.attr)  # type: ignore[attr-defined]
                stack.append(n.value)  # type: ignore[attr-defined]
            elif t is ast.Constant:
                if isinstance(n.value, str):  # type: ignore[attr-defined]
                    texts.append(n.value)  # type: ignore[attr-defined]
            elif t is ast.Call:
                stack.extend(n.args)  # type: ignore[attr-defined]
                stack.append(n.func)  # type: ignore[attr-defined]
                fn = self._local_function(n.func, scope) if depth else None  # type: ignore[attr-defined]
                if fn is not None:
                    for value in fn.returns[:4]:
                        self._key_texts(value, fn, texts, depth - 1)
            else:
                stack.extend(ast.iter_child_nodes(n))

    def _local_function(self, func: ast.expr, scope: Scope) -> Scope | None:
        """The scope of `f` / `self.method` called here, when this module defines it."""
        if type(func) is ast.Name:
            owner = self.info.owner(scope, func.id)  # type: ignore[attr-defined]
            return owner.funcs.get(func.id) if owner is not None else None  # type: ignore[attr-defined]
        if type(func) is ast.Attribute and type(func.value) is ast.Name and scope.cls is not None:  # type: ignore[attr-defined]
            if func.value.id == scope.self_name:  # type: ignore[attr-defined]
                return scope.cls.methods.get(func.attr)  # type: ignore[attr-defined]
        return None

    def _callers_args(self, fn: Scope, param: str) -> list[tuple[ast.expr, Scope]]:
        """What the calls of the module-level or nested function `fn` in this module pass for `param`."""
        node = fn.node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or fn.cls is not None:
            return []
        positional = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
        index = positional.index(param) if param in positional else -1
        out: list[tuple[ast.expr, Scope]] = []
        for call, scope in self.info.calls:
            f = call.func
            if type(f) is ast.Name and f.id == node.name and len(out) < 8:  # type: ignore[attr-defined]
                arg = _arg(call, index, param) if index >= 0 else _arg(call, 10**6, param)
                if arg is not None:
                    out.append((arg, scope))
        return out

    def _report_cmd(self, check: str, c: Cmd, variant: str = "default", **fields: object) -> None:
        self.recv_expr = c.node.func.value if type(c.node.func) is ast.Attribute else None  # type: ignore[attr-defined]
        self.report(check, c.node, variant, c.recv, **fields)

    def _mset(
        self, c: Cmd, cmds: list[Cmd], tx: bool, expired: set[tuple[int, str | None]], tx_with_expire: set[int]
    ) -> None:
        mapping = _arg(c.node, 0, "mapping")
        if type(mapping) is ast.Dict:
            keys = mapping.keys  # type: ignore[attr-defined]
            ok = all(
                k is not None and (self._persistent(k) or (tx and (c.recv.ident, ast.dump(k)) in expired)) for k in keys
            )
        else:
            ok = tx and c.recv.ident in tx_with_expire
        if not ok:
            self._without_ttl(c, cmds, "mset")

    # ------------------------------------------------------------------ pickle
    def _is_redis_read(self, expr: ast.expr, seen: set[str]) -> bool:
        t = type(expr)
        if t is ast.Await:
            return self._is_redis_read(expr.value, seen)  # type: ignore[attr-defined]
        if t is ast.Call:
            f = expr.func  # type: ignore[attr-defined]
            if type(f) is ast.Attribute and f.attr in READ_SOURCES:
                return self._is_client(f.value)
            c = self.info.canonical(f, self.scope) or ""
            if c in IO_WRAPPERS and expr.args:  # type: ignore[attr-defined]
                return self._is_redis_read(expr.args[0], seen)  # type: ignore[attr-defined]
            if type(f) is ast.Name and f.id in ("zip", "enumerate", "reversed", "list", "iter"):  # type: ignore[attr-defined]
                return any(self._is_redis_read(a, seen) for a in expr.args)  # type: ignore[attr-defined]
            return False
        if t is ast.Subscript:  # client[key] is a GET (redis-py's __getitem__)
            return self._is_client(expr.value)  # type: ignore[attr-defined]
        if t is ast.Name and expr.id not in seen:  # type: ignore[attr-defined]
            seen.add(expr.id)  # type: ignore[attr-defined]
            owner = self.info.owner(self.scope, expr.id)  # type: ignore[attr-defined]
            if owner is None or owner is self.info.module and self.scope is not self.info.module:
                return False
            sources = [v for v, _ in owner.values.get(expr.id, ())] + owner.iters.get(expr.id, [])  # type: ignore[attr-defined]
            return any(self._is_redis_read(v, seen) for v in sources)
        return False

    def _is_client(self, expr: ast.expr) -> bool:
        """A client by proof or by usage (sent Redis-only commands elsewhere)."""
        r = self.info.recv(expr, self.scope)
        if r is not None:
            return r.kind == "client"
        key = self._recv_key(expr, self.scope)
        return key is not None and bool(self.usage.get(key)) and not self._not_redis(expr, "get")

    def _is_pickled(self, expr: ast.expr, seen: set[str]) -> bool:
        t = type(expr)
        if t is ast.Call:
            return (self.info.canonical(expr.func, self.scope) or "") in PICKLE_DUMPS  # type: ignore[attr-defined]
        if t is ast.Name and expr.id not in seen:  # type: ignore[attr-defined]
            seen.add(expr.id)  # type: ignore[attr-defined]
            owner = self.info.owner(self.scope, expr.id)  # type: ignore[attr-defined]
            if owner is None:
                return False
            return any(self._is_pickled(v, seen) for v, _ in owner.values.get(expr.id, ()))  # type: ignore[attr-defined]
        if t is ast.Dict:
            return any(self._is_pickled(v, seen) for v in expr.values)  # type: ignore[attr-defined]
        return False

    def _pickle_load(self, node: ast.Call) -> None:
        if not node.args:
            return
        if self._is_redis_read(node.args[0], set()):
            self.report("pickle-values", node, "load")
        elif self._serializer_input(node.args[0]):
            self.report("pickle-values", node, "serializer")

    def _pickle_serializer(self, expr: ast.expr) -> bool:
        """`self.serializer` whose value (or default, `serializer or PickleSerializer()`) is a pickle one, or a
        serializer setting the project defaults to pickle (`settings.CACHEOPS_SERIALIZER` with
        `CACHEOPS_SERIALIZER = 'pickle'` in the settings' defaults)."""
        name = dotted(expr)
        if name is not None and _SERIALIZER_SETTING.search(name.rsplit(".", 1)[-1]):
            last = name.rsplit(".", 1)[-1]
            project = self.info.project
            if last in pickle_settings(self.info.tree) or (project is not None and last in project.pickle_names()):
                return True
        if type(expr) is not ast.Attribute or type(expr.value) is not ast.Name or self.scope.cls is None:  # type: ignore[attr-defined]
            return False
        if expr.value.id != self.scope.self_name:  # type: ignore[attr-defined]
            return False
        values: list[ast.expr] = []
        for value, vscope in self.scope.cls.attrs.get(expr.attr, ()):  # type: ignore[attr-defined]
            values.append(value)
            if type(value) is ast.Name:  # self.serializer = serializer, after `serializer = PickleSerializer()`
                values.extend(v for v, _ in vscope.values.get(value.id, ()))  # type: ignore[attr-defined]
        for value in values:
            for n in ast.walk(value):
                name = dotted(n) if type(n) in (ast.Name, ast.Attribute) else None  # type: ignore[arg-type]
                if name is not None and "pickle" in name.lower():
                    return True
        return False

    def _serializer_input(self, arg: ast.expr) -> bool:
        """`def loads(self, value): return pickle.loads(value)` in a serializer of a project that keeps
        values in Redis: what it unpickles is what was read from Redis."""
        scope = self.scope
        node = scope.node
        if type(arg) is not ast.Name or not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return False
        if node.name.lower().lstrip("_") not in SERIALIZER_METHODS or arg.id in scope.values:  # type: ignore[attr-defined]
            return False
        params = {a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)}
        if arg.id not in params:  # type: ignore[attr-defined]
            return False
        project = self.info.project
        return self.mentions_redis or (project is not None and project.uses_redis())

    def _pickle_write(self, node: ast.Call, m: str, r: Recv) -> None:
        values = [*node.args[1:], *(kw.value for kw in node.keywords if kw.arg not in ("name", "key"))]
        if m in ("mset", "msetnx") and node.args:
            values.append(node.args[0])
        for v in values:
            if self._is_pickled(v, set()):
                self.report("pickle-values", v, "dump", r, command=m.upper())
                return

    # ------------------------------------------------------------------ connections
    def _getenv(self, node: ast.Call) -> None:
        default = _arg(node, 1, "default")
        url = str_const(default)
        if default is None or url is None or not url.lower().startswith(URL_SCHEMES):
            self._settings_default(node)
            return
        password, remote = _url_problem(url)
        if password or remote:
            what = "a password" if password else "a non-local host"
            self.report("hardcoded-connection", default, "env-default", what=what)
        elif not self.test_file and url.lower().startswith(DEFAULT_URL_SCHEMES):
            name = str_const(_arg(node, 0, "key")) or "the variable"
            self.report("hardcoded-connection", default, "default", where=f"{name} (when unset)", detail="")

    def _settings_default(self, node: ast.Call) -> None:
        """`settings.get("REDIS_HOST", "localhost")`, `os.environ.get("REDIS_URL", "redis://...")`: a Redis
        server written in as the fallback of a setting (the app then talks to it silently when unset)."""
        if len(node.args) < 2 or type(node.args[0]) is not ast.Constant:
            return
        name = str_const(node.args[0]) or ""
        default = node.args[1]
        text = str_const(default)
        upper = name.upper()
        if text is not None and "REDIS" in upper and ("HOST" in upper or "URL" in upper) and text:
            if self.test_file and not (text.lower().startswith(URL_SCHEMES) and any(_url_problem(text))):
                return
            if text.lower().startswith(URL_SCHEMES):
                where = f"{name} (when unset)"
                self.report("hardcoded-connection", default, "default", where=where, detail=url_detail(text))
            else:
                self.report("hardcoded-connection", default, "host-default", host=text, where=name)
        elif text is None and not self.test_file:
            self._endpoints(default)

    def _endpoints(self, root: ast.AST) -> None:
        """Literal Redis endpoints: {"host": "h", "port": 6379} and ("h", 26379) with a Redis port."""
        stack = [root]
        while stack:
            n = stack.pop()
            t = type(n)
            host: ast.expr | None = None
            port: int | None = None
            if t is ast.Dict:
                fields = {str_const(k): v for k, v in zip(n.keys, n.values, strict=True) if k is not None}  # type: ignore[attr-defined]
                host, port = fields.get("host"), _int(fields.get("port"))
                stack.extend(n.values)  # type: ignore[attr-defined]
            elif t is ast.Tuple and len(n.elts) == 2:  # type: ignore[attr-defined]
                host, port = n.elts[0], _int(n.elts[1])  # type: ignore[attr-defined]
            elif t in (ast.List, ast.Tuple, ast.Set):
                stack.extend(n.elts)  # type: ignore[attr-defined]
            h = str_const(host) if host is not None else None
            if h is not None and port in REDIS_PORTS and id(host) not in self.url_nodes:
                self.report("hardcoded-connection", host, "endpoint", host=h, port=port)  # type: ignore[arg-type]

    def _constructor(self, node: ast.Call, kind: str, name: str) -> None:
        self._hardcoded(node, kind, name)
        if self.scope is self.info.module or self.info.module is None:
            return
        if id(node) in self.info.exempt_ctor or any(kw.arg == "connection_pool" for kw in node.keywords):
            return
        bound = self.info.bound_to.get(id(node))
        if bound is not None and bound[1] in self.info.stored:
            return  # assigned to a name that is then kept (self.x = c, setattr(app, KEY, c), cache[k] = c)
        if self.test_file:
            return
        what = {"client": "a Redis client", "pool": "a connection pool", "sentinel": "a Sentinel"}[kind]
        store = self.info.request_stored.get(id(node))
        if store is None and bound is not None:
            store = self.info.request_stored_names.get(bound)
        if store is not None:  # `g.redis = Redis(...)` in get_redis(): whoever calls it, a client per request
            self.report("client-per-call", node, "request_store", name=name, what=what, store=store)
            return
        if self._in_factory(self.scope):
            return
        if self._runs_once(self.scope) and not any(v is node for v in self.scope.returns):
            return  # a startup hook, app factory or lifespan builds once per process (trial 17); one that
            # returns the new client is a factory: policy lint.client_factories names those kept
        factory: Scope | None = self.scope
        while factory is not None and id(factory) not in self._per_request:
            factory = factory.parent
        if factory is not None:
            caller = self._per_request[id(factory)]
            self.report(
                "client-per-call", node, "factory", name=name, what=what, factory=factory.qualname, caller=caller
            )
            return
        self.report("client-per-call", node, name=name, what=what)

    def _django_cache(self, node: ast.Call, m: str, base: ast.expr) -> None:
        """RR002: `cache.set(k, v, timeout=None)` (also positional, `add`, `set_many`, `get_or_set`, `touch`, and
        `caches["x"].set(...)`) on Django's cache (import-resolved from django.core.cache): a key that never
        expires."""
        scope = self.scope
        head = (dotted(base.value if type(base) is ast.Subscript else base) or "").partition(".")[0]  # type: ignore[attr-defined]
        if not head or self.info.owner(scope, head) is not None:
            return  # a parameter or local named cache: not the import
        if type(base) is ast.Subscript:
            target = self.info.canonical(base.value, scope)  # type: ignore[attr-defined]
            if target != "django.core.cache.caches":
                return
        elif self.info.canonical(base, scope) != "django.core.cache.cache":
            return
        timeout = _arg(node, DJANGO_CACHE_WRITES[m], "timeout")
        if type(timeout) is ast.Constant and timeout.value is None:  # type: ignore[attr-defined]
            self.report("write-without-ttl", node, "django", command=f"{receiver_text(base) or 'caches[...]'}.{m}()")

    # ------------------------------------------------------------------ RR018 dedicated-subscriber-connection
    def _pubsub(self, node: ast.Call, base: ast.expr) -> None:
        """`r.pubsub()` on a Redis client: in code that runs per request or task (a route, a Celery task, or a
        function nested in one), or bound to a local the function leaves open when it returns."""
        scope = self.scope
        if scope is self.info.module:
            return
        r = self.info.recv(base, scope)
        if r is None or r.kind != "client":
            return
        self.recv_expr = base
        name = f"{receiver_text(base) or '...'}.pubsub"
        fix = self._subscriber_fix()
        s: Scope | None = scope
        while s is not None and s is not self.info.module:
            if self._per_event(s):
                self.report(
                    "dedicated-subscriber-connection",
                    node,
                    "per_request",
                    r,
                    name=name,
                    caller=f"{s.qualname}()",
                    fix=fix,
                )
                return
            s = s.parent
        if _left_open(node, scope):
            close = "`async with`, or `await ....aclose()` in a finally"  # an asyncio PubSub closes with an await
            if type(scope.node) is not ast.AsyncFunctionDef:
                close = "`with`, or close() in a finally"
            self.report(
                "dedicated-subscriber-connection",
                node,
                "unclosed",
                r,
                name=name,
                caller=f"{scope.qualname}()",
                fix=fix,
                close=close,
            )

    def _subscriber_fix(self) -> str:
        """The advice: the generated pubsub module when the project has one, else a dedicated connection."""
        project, path = self.info.project, self.info.module_path
        if project is not None and path:
            name = f"{path}.pubsub"
            if name in getattr(project, "expected", ()) or name in getattr(project, "modules", {}):
                return "subscribe once at startup with pubsub.subscribe_invalidations(handler), on its own connection"
        return "subscribe once at startup on a dedicated connection"

    def _dict_items(self, expr: ast.expr) -> list[tuple[str | None, ast.expr]]:
        """(key, value) of a dict literal or `dict(k=v)`, or of the one such a name is bound to here or in the
        module."""
        if type(expr) is ast.Name:
            for scope in (self.scope, self.info.module):
                values = scope.values.get(expr.id, ()) if scope is not None else ()  # type: ignore[attr-defined]
                if values:
                    expr = values[0][0] if len(values) == 1 else expr
                    break
        if type(expr) is ast.Call and dotted(expr.func) == "dict":  # type: ignore[attr-defined]
            return [(kw.arg, kw.value) for kw in expr.keywords]  # type: ignore[attr-defined]
        if type(expr) is not ast.Dict:
            return []
        return [(str_const(k) if k is not None else None, v) for k, v in zip(expr.keys, expr.values, strict=True)]  # type: ignore[attr-defined]

    def _option(self, node: ast.Call, name: str) -> ast.expr | None:
        """The value of keyword `name`, given directly or in a `**dict` (see _dict_items)."""
        direct = next((kw.value for kw in node.keywords if kw.arg == name), None)
        if direct is not None:
            return direct
        return next(
            (v for kw in node.keywords if kw.arg is None for k, v in self._dict_items(kw.value) if k == name), None
        )

    def _hardcoded(self, node: ast.Call, kind: str, name: str) -> None:
        from_url = name.rsplit(".", 1)[-1] in ("from_url",)
        url_arg = (
            _arg(node, 0, "url") if from_url else next((kw.value for kw in node.keywords if kw.arg == "url"), None)
        )
        if url_arg is not None and not self._reported_at_definition(url_arg):
            url = self.info.const_str(url_arg, self.scope)
            password, remote = _url_problem(url) if url is not None else (False, False)
            # a test's own local server is not flagged (the check table's "local URLs and hosts in test code")
            if (
                url is not None
                and url.lower().startswith(URL_SCHEMES)
                and not (self.test_file and not (password or remote))
            ):
                detail = " with a password" if password else " with a remote host" if remote else ""
                self.report("hardcoded-connection", url_arg, "url", detail=detail)
        password_arg = self._option(node, "password")  # also Redis(**OPTS) with OPTS = {"password": "..."}
        if kind == "client" and not from_url and password_arg is None and len(node.args) > 3:
            password_arg = node.args[3]
        pw = str_const(password_arg) if password_arg is not None else None
        if pw and password_arg is not None:
            self.report("hardcoded-connection", password_arg, "password")
        host_arg = self._option(node, "host")
        if kind == "client" and not from_url and host_arg is None and node.args:
            host_arg = node.args[0]
        host = str_const(host_arg) if host_arg is not None else None
        if host and host_arg is not None and self._hard_host(host):
            self.report("hardcoded-connection", host_arg, "host", host=host)
        if kind == "sentinel":
            hosts = _arg(node, 0, "sentinels")
            if type(hosts) in (ast.List, ast.Tuple):
                for elt in hosts.elts:  # type: ignore[union-attr]
                    if type(elt) is ast.Tuple and elt.elts:  # type: ignore[attr-defined]
                        h = str_const(elt.elts[0])  # type: ignore[attr-defined]
                        if h and self._hard_host(h):
                            self.report("hardcoded-connection", elt.elts[0], "sentinel", host=h)  # type: ignore[attr-defined]

    def _hard_host(self, host: str) -> bool:
        """Is a literal host reported: any host outside test code, as a URL naming it is (`host="localhost"`
        and `from_url("redis://localhost:6379")` alike); in test code only a non-local one."""
        return not self.test_file or host.lower() not in LOCAL_HOSTS

    # ------------------------------------------------------------------ hard-coded defaults
    def _reported_at_definition(self, expr: ast.expr) -> bool:
        """A module or class constant: its Redis URL is reported where it is defined (see _url_defaults)."""
        if type(expr) is ast.Name:
            owner = self.info.owner(self.scope, expr.id)  # type: ignore[attr-defined]
            return owner is self.info.module and self._default_url(expr.id, owner) is not None
        if type(expr) is ast.Attribute and type(expr.value) is ast.Name:  # type: ignore[attr-defined]
            return self.info.const_str(expr, self.scope) is not None
        return False

    def _default_url(self, name: str, owner: Scope) -> str | None:
        values = owner.values.get(name, ())
        text = str_const(values[0][0]) if len(values) == 1 else None
        return text if text is not None and text.lower().startswith(DEFAULT_URL_SCHEMES) else None

    def _url_literals(self) -> None:
        """Any other Redis URL written into the code (a fallback returned by a helper, a config dict built in
        a function); docstrings and messages with spaces are not URLs."""
        constants: list[ast.Constant] = []
        docstrings: set[int] = set()
        for n in _nodes_on(self.info.tree, self.url_lines):
            t = type(n)
            if t is ast.Constant:
                if isinstance(n.value, str) and n.value.startswith(DEFAULT_URL_SCHEMES):  # type: ignore[attr-defined]
                    constants.append(n)  # type: ignore[arg-type]
            elif t is ast.Expr and type(n.value) is ast.Constant:  # type: ignore[attr-defined]
                docstrings.add(id(n.value))  # type: ignore[attr-defined]
        for n in constants:
            if id(n) in self.url_nodes or id(n) in docstrings:
                continue
            text = n.value  # type: ignore[attr-defined]
            if not isinstance(text, str) or not text.lower().startswith(DEFAULT_URL_SCHEMES) or " " in text:
                continue
            if not text.split("://", 1)[1]:
                continue  # a bare scheme (url.startswith("rediss://")) names no server
            self.report("hardcoded-connection", n, "url", detail=url_detail(text))

    def _literal_endpoints(self) -> None:
        if self.test_file:
            return
        for n in _nodes_on(self.info.tree, self.port_lines):
            if type(n) is ast.Dict or (type(n) is ast.Tuple and len(n.elts) == 2):  # type: ignore[attr-defined]
                self._endpoints(n)

    def _url_defaults(self) -> None:
        """Redis URLs written in as defaults: parameter defaults, module / class settings (constants, fields,
        dict entries), dataclass / pydantic field defaults."""
        for scope in self.info.scope_of.values():
            node = scope.node
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            args = node.args
            positional = [*args.posonlyargs, *args.args]
            pairs = list(zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True))
            pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None]
            for arg, default in pairs:
                self._url_default(default, f"{scope.qualname}({arg.arg}=...)")
        for name, values in self.info.module.values.items():
            for value, vscope in values:
                if vscope is self.info.module:
                    self._url_default(value, name, "constant")
        for cls in self.info.classes.values():
            for name, values in cls.attrs.items():
                for value, _ in values:
                    self._url_default(value, f"{cls.name}.{name}", "constant")

    def _url_default(self, value: ast.expr, where: str, variant: str = "default") -> None:
        t = type(value)
        if t is ast.Dict:
            for k, v in zip(value.keys, value.values, strict=True):  # type: ignore[attr-defined]
                key = str_const(k) if k is not None else None
                self._url_default(v, f"{where}[{key!r}]" if key is not None else where, variant)
            return
        if t in (ast.List, ast.Tuple):
            for v in value.elts:  # type: ignore[attr-defined]
                self._url_default(v, where, variant)
            return
        if t is ast.Call:  # Field(default="redis://..."), Field("redis://...")
            name = dotted(value.func)  # type: ignore[attr-defined]
            if name is not None and name.rsplit(".", 1)[-1] in ("Field", "field"):
                default = _arg(value, 0, "default")  # type: ignore[arg-type]
                if default is not None:
                    self._url_default(default, where)  # a field's default
            return
        text = str_const(value)
        if text is not None and text.lower().startswith(DEFAULT_URL_SCHEMES):
            if self.test_file and not any(_url_problem(text)):
                return  # a test pointed at its local server
            self.report("hardcoded-connection", value, variant, where=where, detail=url_detail(text))

    def _imported_factory(self, node: ast.Call, scope: Scope | None, c: str) -> None:
        """RR009 at a per-request call of a project factory from another file that builds a new client each time
        it runs (its module's facts, index.fresh): `get_redis()` in a handler, or `Depends(get_redis)`. The
        same-file case is reported at the factory's constructor (_called_per_request)."""
        project = self.info.project
        if project is None or scope is None:
            return
        depends = c.rsplit(".", 1)[-1] == "Depends"
        target = node.args[0] if depends and node.args else node.func
        if type(target) is ast.Name:
            if target.id in self.info.module.funcs:  # type: ignore[attr-defined]
                return  # this module's own function: judged at its constructor (_called_per_request)
        elif type(target) is not ast.Attribute:  # `deps.get_redis()` through the imported module
            return
        canonical = self.info.canonical(target, scope) if depends else c
        if canonical is None or not project.owns(canonical):
            return
        where = project.fresh_factory(canonical)
        if where is None:
            return
        if not depends:
            if scope is self.info.module or self._runs_once(scope) or self._named_factory(scope):
                return
            caller = f"{scope.qualname}()"
        else:
            caller = f"Depends({canonical.rsplit('.', 1)[-1]})"
        self.report(
            "client-per-call", node, "imported", factory=canonical.rsplit(".", 1)[-1], where=where, caller=caller
        )

    def _named_factory(self, scope: Scope | None) -> bool:
        """Is `scope` (or a function around it) named as a factory (`new_subscriber`, `get_client`)? A factory that
        calls another builds what its own callers asked for: the report, if any, is at its own calls."""
        while scope is not None and scope is not self.info.module:
            node = scope.node
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and is_factory_name(node.name, self.info.stem):
                return True
            scope = scope.parent
        return False

    def _called_per_request(self, name: str) -> str | None:
        """Who calls a factory-named function (no caching decorator: those return before) again and again from
        this module, e.g. "handler() at line 12": a plain function (a request handler; not an entry point,
        startup hook or other factory) or FastAPI per request (`Depends(get_redis)`); None when nobody does. It
        then builds a client on every call (trial 12: `def get_redis(): return Redis.from_url(...)` called by
        each handler). Entry-point names keep their exemption; callers in other modules are not seen."""
        if name.lower().lstrip("_") in ENTRY_POINTS:
            return None
        for call, caller in self.info.calls:
            func = call.func
            if type(func) is ast.Name and func.id == name:  # type: ignore[attr-defined]
                if caller is None or caller is self.info.module or self._runs_once(caller):
                    continue
                if isinstance(caller.node, (ast.FunctionDef, ast.AsyncFunctionDef)) and caller.node.name == name:
                    continue  # its own recursion
                return f"{caller.qualname}() at line {call.lineno}"
            if (
                last_name(func) == "Depends"
                and call.args
                and type(call.args[0]) is ast.Name
                and call.args[0].id == name  # type: ignore[attr-defined]
            ):
                return f"Depends({name}) at line {call.lineno}"
        return None

    def _runs_once(self, scope: Scope) -> bool:
        """A scope that runs once per process: a factory (or inside one), a startup hook by its name, a Django
        management command's `handle`, or a function this file calls only from such places, however deep
        (`SERVICES = build_services()`; callers in a cycle count as once, the cycle's entry decides)."""
        key = id(scope)
        known = self._once_cache.get(key)
        if known is not None:
            return known
        if self._once_depth > 40:
            return True  # a chain of callers deeper than any real app: exempt rather than recurse without end
        self._once_cache[key] = True  # provisional: a cycle back to here does not decide
        self._once_depth += 1
        try:
            once = self._once(scope)
        finally:
            self._once_depth -= 1
        self._once_cache[key] = once
        return once

    def _once(self, scope: Scope) -> bool:
        node = scope.node
        once = False
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if self._per_event(scope):
                once = False
            elif (
                is_startup_hook(node.name)
                or (node.name == "handle" and self._management_command(scope))
                or not STARTUP_DECORATORS.isdisjoint(decorator_names(node))
                or self._app_factory(scope)
                or self._lifespan(node.name)
            ):
                once = True
            else:
                callers = [
                    sc
                    for call, sc in self.info.calls
                    if type(call.func) is ast.Name and call.func.id == node.name and sc is not scope  # type: ignore[attr-defined]
                ]
                once = bool(callers) and all(
                    sc is None or sc is self.info.module or self._runs_once(sc) for sc in callers
                )
        return once or self._in_factory(scope)

    def _app_factory(self, scope: Scope) -> bool:
        """A function that builds the web application (`app = Flask(__name__)`, `FastAPI()`) in its own body: an
        app factory (`create_app`, `build_app`), which runs once per process."""
        for call, sc in self.info.calls:
            if sc is scope and last_name(call.func) in APP_CLASSES:
                c = self.info.canonical(call.func, scope)
                if c is not None and c.split(".")[0] in (
                    "flask",
                    "fastapi",
                    "starlette",
                    "quart",
                    "sanic",
                    "litestar",
                    "aiohttp",
                    "celery",
                ):
                    return True
        return False

    def _lifespan(self, name: str) -> bool:
        """A function passed as an application's lifespan (`FastAPI(lifespan=app_lifespan)`, Starlette's too):
        it runs once per process, around the server's life."""
        for call, _ in self.info.calls:
            for kw in call.keywords:
                if kw.arg == "lifespan" and type(kw.value) is ast.Name and kw.value.id == name:  # type: ignore[attr-defined]
                    return True
        return False

    @staticmethod
    def _per_event(scope: Scope) -> bool:
        """A function the framework runs per request, message or event, whatever its name or other decorators say:
        a Flask request hook or route (`@app.before_request def open_redis()`), a Celery task (`@shared_task`, or
        `run` of a `Task` subclass), a Django signal receiver, a Dash callback (`@callback(Output(...), ...)`)."""
        node = scope.node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return False
        if not PER_REQUEST_DECORATORS.isdisjoint(decorator_names(node)):
            return True
        if any(_dash_callback(d) for d in node.decorator_list):
            return True
        return (
            node.name == "run"
            and scope.cls is not None
            and any(last_name(base) in PER_MESSAGE_BASES for base in scope.cls.bases)
        )

    @staticmethod
    def _management_command(scope: Scope) -> bool:
        """A method of a Django management command (`class Command(BaseCommand)`): `manage.py` runs it once."""
        return scope.cls is not None and any(
            last_name(base) in ("BaseCommand", "LabelCommand", "AppCommand") for base in scope.cls.bases
        )

    def _in_factory(self, scope: Scope | None) -> bool:
        while scope is not None and scope is not self.info.module:
            cached = self._factory_cache.get(id(scope))
            if cached is None:
                cached = self._is_factory_function(scope)
                self._factory_cache[id(scope)] = cached
            if cached:
                return True
            scope = scope.parent
        return False

    def _is_factory_function(self, scope: Scope) -> bool:
        node = scope.node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return False
        if (
            node.name in ("__init__", "__post_init__", "__new__", "__aenter__", "__enter__")
            or node.name in self.info.kept
        ):
            return True
        for mod in self.module_names:
            if f"{mod}.{scope.qualname}" in self.info.factories:
                return True
        if self._per_event(scope):
            return False
        if not FACTORY_DECORATORS.isdisjoint(decorator_names(node)):
            return True
        if is_factory_name(node.name, self.info.stem):
            self._factory_cache[id(scope)] = True  # provisional: a factory calling itself stays one
            if scope.cls is not None:
                return True  # a method: `connect()` calls elsewhere in the file are another function's
            caller = self._called_per_request(node.name)
            if caller is not None:
                self._per_request[id(scope)] = caller
            return caller is None
        # a helper that only factories call (`def _build(url)` called from `get_client()`) builds for them
        callers = [sc for call, sc in self.info.calls if type(call.func) is ast.Name and call.func.id == node.name]  # type: ignore[attr-defined]
        self._factory_cache[id(scope)] = False  # a recursive helper is no factory by itself
        return bool(callers) and all(self._in_factory(sc) for sc in callers)
