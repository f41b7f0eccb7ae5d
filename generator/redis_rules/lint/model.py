"""The lint check registry, selectors, and the Finding record every check produces.

Each check is declared once here (ruff's model): its name, the rule it enforces (the rule id;
severity, title and docs come from that rule in rulesets/*.yml), the message variants it reports,
and what it flags / leaves alone (the README's check table is rendered from this, and a test keeps
the two equal). `redis-rules rules`, lint messages, SARIF `tool.driver.rules` and selectors all
read this registry.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from ..errors import UserError


@dataclass(frozen=True)
class Check:
    """One lint check. `messages` maps a variant to a `str.format` template (fields named per variant)."""

    name: str  # kebab-case, stable (rulesets name it in `lint:`)
    rule: str  # the rule id it enforces (RR007)
    summary: str  # one line: what the check reports
    messages: Mapping[str, str]
    flags: str  # README: what is flagged
    not_flagged: str  # README: what is deliberately left alone
    languages: tuple[str, ...] = ("python", "typescript")

    def message(self, variant: str = "default", **fields: Any) -> str:
        """The finding text for one variant; raises KeyError for an unknown variant or field."""
        return self.messages[variant].format(**fields)


REGISTRY: tuple[Check, ...] = (
    Check(
        "inline-key",
        "RR001",
        "a key argument built inline instead of with the key builders",
        {"default": "key built inline with {how}; build it with the project's key builders (the keys module)"},
        "a key argument built inline with an f-string / template literal, `+`, `str.format`, `%` or "
        "`':'.join` whose literal parts contain `:` (first argument of key commands; every argument of "
        "`delete`/`del`/`unlink`/`exists`/`mget`/..., the elements of a list, array or comprehension and the key an "
        "`ids.map(i => ...)` callback returns), also when built in a local assigned once just before the call "
        "(reported once, at the build)",
        "key-builder calls (`keys.user_profile(uid)`), names, plain string constants",
    ),
    Check(
        "write-without-ttl",
        "RR002",
        "a write that leaves a key without a TTL",
        {
            "write": "{command} leaves the key without a TTL; set it in the same command (EX) "
            "or EXPIRE it in the same transaction",
            "mset": "{command} cannot set a TTL; use SET with EX per key (in a pipeline) instead",
            "container": "{command} leaves the key without a TTL; EXPIRE it in the same MULTI pipeline or script, "
            "or allow the key in the policy's persistent_keys",
            "separate": "{command} and the {expire} at line {line} are separate commands: a failure in between "
            "leaves the key without a TTL (send both in one MULTI pipeline, or set the TTL in the write)",
            "optional": "{command} leaves the key without a TTL whenever none is configured (the other branch, "
            "line {line}, sets one); give the TTL a default instead of writing keys that never expire",
            "named": "{command} leaves {a_word} key without a TTL; set it in the same command (EX) "
            "or EXPIRE it in the same transaction",
            "named_by": "{command} leaves {a_word} key without a TTL (named so by the {writer}); set it in the same "
            "command (EX) or EXPIRE it in the same transaction",
            "none_default": "{command} leaves the key without a TTL whenever {param} is None ({why}); give the TTL a "
            "default instead of writing keys that never expire",
            "django": "{command} with timeout=None stores a key that never expires; pass a timeout in seconds "
            "(the project's TTL classes, keys.TTL)",
        },
        "a write followed by an `expire`/`pexpire` of the same key outside its transaction (two commands: the key "
        "lives without TTL in between; also an EXPIRE sent from the write's callback). A write with no TTL at all: "
        "in a redis-rules project (policy `lint.containers_need_ttl`) every one — `set`/`setnx`/`getset`/`mset`/"
        "`msetnx` without `ex`/`px`/`exat`/`pxat`/`keepttl` (keyword, positional, `'EX', n` or `{ EX }` in "
        "TypeScript) or whose TTL is None unless a caller gives one (`ex=ttl` with `ttl=None` as the parameter's "
        "default, or a local only ever assigned None), `hset`/`hmset`/`hsetnx`/`sadd`/`zadd`/`lpush`/`rpush` not "
        "`expire`d in the **same transaction** (`with r.pipeline() as p`, `pipeline(transaction=True)`, a chained "
        "pipeline, `multi()`), and "
        "string writes on the project's own client; elsewhere only a key the code shows is meant to expire: a "
        "string written with a TTL on the other branch of an `if`/`?:` (or after an early `return`: the TTL is "
        "optional and absent by default), or a key named for something short-lived — `session`, `cache`, `token`, "
        "`lock`, `nonce`, `otp`, `tmp`... in its literal parts, the locals and key-builder functions it comes from, "
        "the arguments callers pass for it, a string value's declared type, or the writing function or class "
        "(in Python only for a key that is no constant, and the message then names that function); Django's cache "
        "API with `timeout=None` (keyword or positional: `cache.set`/`add`/`set_many`/`get_or_set`/`touch`, "
        "`caches[...]`, with `cache`/`caches` imported from `django.core.cache`)",
        "keys whose string literal (or module constant) matches the policy's `persistent_keys`; "
        "`setex`/`psetex`/`getex`; calls with `**kwargs`; an EXPIRE on the other branch of an `if` (both never "
        "run); outside a redis-rules project, keys written without a TTL that nothing marks as short-lived (users, "
        "indexes, queues, registries, schedules: durable by design, left to `audit`'s no-ttl check) and the "
        "TTL-less branch of an explicit opt-out (`if (this.disableTTL)`, the `else` of `if (seconds > 0)`); in "
        "Python a constant key whose own text names nothing short-lived, however the function or class writing "
        'it is named (`"users:all"` in a `SessionService`); a counter of something short-lived '
        "(`stats:cache_hits`, `session_count`); test code outside the strict policy (a disposable server)",
    ),
    Check(
        "incr-then-expire",
        "RR003",
        "INCR then EXPIRE as two separate commands",
        {
            "default": "{expire} after {incr} (line {line}) is not atomic; a crash in between leaves a key "
            "without TTL (use a MULTI pipeline or a Lua script)"
        },
        "`incr`/`incrby`/`incrbyfloat`/`decr`/`decrby`/`hincrby` followed later in the same function by "
        "`expire`/`pexpire`/... on the same receiver and key expression, both outside a transaction "
        "(awaited calls too) — reported at the EXPIRE",
        "the pair inside a MULTI pipeline; Lua scripts",
    ),
    Check(
        "keys-command",
        "RR007",
        "the KEYS command (client call, raw command or Lua)",
        {
            "call": "KEYS blocks the server while it scans the whole keyspace; use SCAN ({scan})",
            "raw": "KEYS via {via} blocks the server; use SCAN ({scan})",
            "lua": "Lua script passed to {method} calls KEYS; iterate with SCAN instead",
        },
        "`.keys(pattern)` on a Redis client or pipeline (on a receiver of unknown type only with one "
        "pattern argument: `dict.keys()` takes none, an object, list or function is no pattern, KEYS takes no "
        "second one but a callback); `.keys(pattern)` on a project class whose `keys(p)` passes `p` on to KEYS; "
        '`execute_command("KEYS", ...)` / '
        "`call(\"KEYS\", ...)`; `redis.call('KEYS'` inside a Lua script literal (or constant) passed to "
        "`eval`/`evalsha`/`eval_ro`/`register_script`/`script_load`/`defineCommand`",
        "`KEYS[1]` inside Lua (the key array); `scan_iter`; `Object.keys(x)`, `map.keys()`, `dict.keys()`, "
        "`schema.keys({...})` (Joi); `tree.keys(lo, hi)`; `keys(prefix)` on an instance of a project class that "
        "is no client class and has a `keys` of its own, or of a class from a package that names no Redis "
        "(`marisa_trie.Trie`, `new Trie()` from `@ethereumjs/trie`; `flask_redis`, `ioredis-mock` stay reported); "
        "test code (a `tests/`, `test/`, `__tests__/` folder, `test_*.py`, `*_test.py`, `conftest.py`, "
        "`*.test.ts`, `*.spec.ts`): an assertion listing the keys a test wrote runs against a disposable server",
    ),
    Check(
        "unbounded-read",
        "RR008",
        "a read of a whole collection in one reply",
        {
            "whole": "{command} reads the whole collection; page with a SCAN variant",
            "range": "{command} 0 -1 reads the whole collection; read bounded pages",
            "full": "{command} {where} without {param} reads the whole collection; read bounded pages ({param})",
            "page": "{command} reads the whole collection to return one page ({param}); page in Redis instead "
            "(a bounded range, or a SCAN variant)",
        },
        "`lrange(k, 0, -1)`, `zrange(k, 0, -1)`, `zrevrange(k, 0, -1)` (keyword forms too, on receivers of "
        "unknown type as well; also bounds that default to 0 and -1: parameter defaults, a fallback in the call "
        "or in a local assigned once (`end or -1`, `-1 if end is None else end`; in TypeScript `end ?? -1`, "
        "`isUndefined(end) ? -1 : end`, through `-(end + 1)`); `hgetall` and `smembers` on the project's own "
        "client (client module or `lint.client_factories`: its rule forbids them), `hgetall` of one hash under a "
        "fixed key that the module fills with fields from variables (a map over the whole dataset), and "
        "`hgetall`/`smembers` read once in a function that returns a page (`limit`/`offset`/`page`/`top`/`skip` "
        "parameters or destructured options); `xrange`/`xrevrange` over `-` `+` without COUNT and "
        "`zrangebyscore`/`zrevrangebyscore` over `-inf` `+inf` without LIMIT",
        "bounded ranges such as `lrange(k, 0, 99)`; a whole range right after an LTRIM/ZREMRANGEBYRANK of the same "
        "key in the same body or pipeline; the `*scan*` commands; `hgetall` of a record hash (one per "
        "entity: its key built from an id) and `smembers` of a registry through other clients (read whole by "
        "design), also one per item of a loop",
    ),
    Check(
        "client-per-call",
        "RR009",
        "a client, pool or Sentinel constructed on every call",
        {
            "default": "{name}(...) creates {what} (new pool and connections) on every call; "
            "build one client at startup and reuse it (a generated project's client module holds it)",
            "factory": "{name}(...) creates {what} (new pool and connections) each time {factory}() runs, and "
            "{caller} calls it on every request or task; build the client once and reuse it, or use the "
            "process-wide client",
            "imported": "{factory}() builds a new Redis client (new pool and connections) each time it runs "
            "({where}), and {caller} calls it on every request or task; build the client once there and reuse it, "
            "or use the process-wide client",
            "request_store": "{name}(...) creates {what} (new pool and connections) for every request: it is kept "
            "in {store}, which lives one request; build one client at startup and reuse it (on the app or in a "
            "module)",
        },
        "constructing `redis.Redis`, `StrictRedis`, `RedisCluster`, `redis.asyncio.Redis`, `valkey.Valkey`, "
        "`from_url(...)`, `ConnectionPool`, `Sentinel` (or a subclass of a client class), `new Redis(...)`, "
        "`new Cluster(...)`, `createClient(...)` inside a function; in Python one kept in an object that lives "
        "one request (Flask's `g.redis = Redis(...)` in `get_redis()`, `request.state`), whoever calls it",
        "module level; code that runs once (a lifespan, by name or passed as `lifespan=`, an app factory that "
        "builds `Flask()`/`FastAPI()` or is named one (`create_app`, `createApp`, `buildServer`), a startup hook, a "
        "NestJS provider's `useFactory` unless request-scoped, a Fastify plugin, a JavaScript constructor function); "
        "an `@upstash/redis` client (REST: no pool); client factories (policy `lint.client_factories`, "
        "`functools.cache`/`lru_cache`/"
        "`cached_property`/`pytest.fixture`, factory-named functions (`get_redis`, `create_pool`; in a "
        "client/redis module any `get_*`; `getRedis`, `createClient`) unless a plain function calls them (a route "
        "handler; from another Python module it is reported at the call) or FastAPI's `Depends(...)` is given them: "
        "a client per request), a method whose "
        "result is kept on the object — `this.redis = this.create()` — and helpers only factories call), "
        "results stored in a global or an attribute (lazy singletons, `__init__`), `Redis(connection_pool=...)`; "
        "test code (`tests/`, `test_*.py`, `*.test.ts`, `*.spec.ts`, `conftest.py`)",
    ),
    Check(
        "hardcoded-connection",
        "RR010",
        "a connection URL, host or password written into the code",
        {
            "url": "hardcoded Redis URL{detail}; read it from the environment (the client module does)",
            "password": "hardcoded Redis password; read it from the environment",
            "host": "hardcoded Redis host {host!r}; read it from the environment",
            "sentinel": "hardcoded Sentinel host {host!r}; read it from the environment",
            "env-default": "the default Redis URL contains {what}; keep secrets and hosts in the environment only",
            "default": "hardcoded Redis URL{detail} as the default of {where}; read it from the environment",
            "constant": "hardcoded Redis URL{detail} in {where}; read it from the environment",
            "host-default": "hardcoded Redis host {host!r} as the default of {where}; read it from the environment",
            "endpoint": "hardcoded Redis endpoint {host}:{port}; read it from the environment",
        },
        "a `redis://`, `rediss://`, `unix://`, `valkey://` URL literal (or constant) passed to a client "
        "constructor or `from_url`; a Redis URL literal anywhere else in code, as a parameter default or a "
        "settings default (a module or class constant, a settings field, a config dict entry, "
        '`os.getenv("REDIS_URL", "redis://localhost:6379/0")`); `password="..."` / `token` and a '
        '`host="..."` (`localhost` too, as in a URL) in a constructor (a password also in an options object or '
        "`**dict` bound to a name); "
        "literal Sentinel hosts; literal endpoints with a Redis port "
        "(`{host, port: 6379}`); a `REDIS_HOST`-style setting with a literal fallback; in TypeScript a host option "
        'with a literal fallback (`options.host || "localhost"`, a schema\'s `host: Joi.string().default(...)`) in '
        "a module that builds a client",
        'local URLs and hosts in test code; a bare scheme (`url.startswith("rediss://")`); URLs in docstrings, '
        "comments and messages",
    ),
    Check(
        "dedicated-subscriber-connection",
        "RR018",
        "a subscriber opened per request, left open, or on the shared client",
        {
            "per_request": "{name}() in {caller}, which runs on every request or task, takes a pool connection "
            "into subscribe mode each time; {fix}",
            "unclosed": "{name}() in {caller} is never closed: its connection stays in subscribe mode, out of the "
            "pool, after the function returns; close it ({close}) or {fix}",
            "shared": "{name}() on the shared client puts its connection in subscriber mode: every other command "
            "sent on it then fails; {fix}",
            "duplicate": "{name}() opens a new connection each time {caller} runs; {fix}",
        },
        "Python: `.pubsub()` on a Redis client inside code that runs per request, message or event (a route or "
        "request hook, a Celery task, a signal receiver, a Dash callback, or a function nested in one), and a "
        "PubSub bound to a local that the function leaves open when it returns (no `close()`/`aclose()`/"
        "`reset()`, no `with`/`async with`, not returned, stored or passed on, and no listening loop that runs "
        "until the process ends). TypeScript (ioredis, node-redis): `subscribe`/`psubscribe`/`ssubscribe` on the "
        "shared client (the client module's instance, `getClient()`, a module-level or field client that is "
        "also sent commands), anywhere; `.duplicate()` inside a function that runs per call (as for "
        "`client-per-call`)",
        "a subscriber on its own long-lived connection (the generated pubsub module, `duplicate()` or a "
        "dedicated client kept at module level or in a field, a startup hook, a factory, a connection named for "
        "subscribing: `subscriber`, `sub`, `listener`); a listener thread or loop that subscribes once and runs "
        "until shutdown; `run_in_thread()`; receivers of unknown type; `@upstash/redis` (no subscribe over "
        "REST); test code (except subscribe on the shared client)",
    ),
    Check(
        "flush-command",
        "RR011",
        "FLUSHALL / FLUSHDB outside a reset script",
        {
            "call": "{command} wipes data; only allowed in reset scripts (policy lint.reset_scripts)",
            "raw": "{command} via {via} outside a reset script",
            "lua": "Lua script passed to {method} calls {command} outside a reset script",
        },
        "`.flushall()` / `.flushdb()` on a client (or a receiver of unknown type: the names are Redis's own), "
        "the raw command, `redis.call('FLUSHALL'` in Lua",
        "files matching the policy's `lint.reset_scripts` globs (default `scripts/reset*.py`, `**/reset_*.py`); "
        "test code (a `tests/`, `test/`, `__tests__/` folder, `test_*.py`, `*_test.py`, `conftest.py`, "
        "`*.test.ts`, `*.spec.ts`): a fixture that empties the test server between tests",
    ),
    Check(
        "check-then-act-counter",
        "RR013",
        "a limiter that reads a counter, compares it in code and writes it back (check-then-act)",
        {
            "default": "{command} after the {method} at line {line}, whose count is compared in code, is a "
            "check-then-act race: concurrent requests all read the same count and all pass; make the check and "
            "the update one Lua script ({fix})"
        },
        "a read of a counter or window (`get`/`hget`/`zcard`/`zcount`/`llen`/`scard`; awaited, node-redis "
        "spellings too) whose reply is compared with `<`/`<=`/`>`/`>=` — directly, through `int()`/`float()`/"
        "`Number()`/`parseInt()`/`or 0`/`?? 0`, or through a local — followed later in the same function by a "
        "write of the same key on the same receiver (`incr`/`incrby`/`hincrby`/`set`/`hset`/`zadd`/`sadd`/"
        "`lpush`/`rpush`), both outside a MULTI transaction — reported at the write",
        "cache-aside (`get` tested only for None or truthiness, then `set`); a comparison with no later write of "
        "that key; another key; the read or the write in a MULTI pipeline (`pipeline(transaction=True)`, "
        "`with r.pipeline()`, `multi()`) or after a `watch` of the key in the function (optimistic "
        "transaction); Lua scripts; read and write on different branches of one `if`; test code",
    ),
    Check(
        "xadd-unbounded",
        "RR016",
        "XADD without a trim",
        {"default": "XADD without {trim} lets the stream grow forever"},
        "`xadd` without `maxlen=` or `minid=` (keyword or positional; `MAXLEN`/`MINID` arguments in TypeScript), "
        "or with one that is None unless configured (a parameter or attribute defaulting to None)",
        "calls with `**kwargs`; streams the module also XTRIMs or XDELs",
    ),
    Check(
        "pickle-values",
        "RR022",
        "pickled values written to or read from Redis (TypeScript: a value read from Redis run as code)",
        {
            "load": "unpickling a value read from Redis runs arbitrary code if the key is ever written by "
            "someone else; store JSON (or msgpack) instead",
            "dump": "pickled value written with {command}; store JSON (or msgpack) instead",
            "serializer": "this serializer unpickles what it is given, and the project keeps its values in Redis: "
            "whoever can write a key runs code here; store JSON (or msgpack) instead",
            "code": "{method}() is given a value read from Redis and can run the code it holds: whoever can write "
            "the key runs code here; store JSON (JSON.stringify) and read it with JSON.parse",
        },
        "`pickle.loads`/`pickle.load` (also `cPickle`, `_pickle`, `dill`, `cloudpickle`, through "
        "`io.BytesIO`) of a value read from Redis (`get`, `mget`, `client[key]`, through variables and loops); "
        "`pickle.loads` of its argument in a serializer method (`loads`, `decode`, `deserialize`) of a project "
        "that uses Redis; `serializer.loads(value)` of a Redis read where the serializer attribute or setting "
        "defaults to pickle (`self.serializer = serializer or PickleSerializer()`, `settings.X_SERIALIZER` with "
        "`X_SERIALIZER = 'pickle'` in the project's settings defaults); `pickle.dumps(...)` passed as a value to a "
        "Redis write. TypeScript: a value read from Redis (`get`, `hget`, `mget`, `getBuffer`, node-redis's "
        "`hGet`...; awaited, through locals) passed to what runs or revives it as code — `eval(...)`, "
        "`Function(...)`/`new Function(...)`, `vm.runInNewContext`/`runInThisContext`/`runInContext`/"
        "`new vm.Script(...)`, `v8.deserialize(...)`, `unserialize(...)` of `node-serialize` — directly or inside a "
        'template literal or `+` concatenation (``eval(`(${raw})`)``, `eval("(" + raw + ")")`)',
        "unpickling files or other sources; `JSON.parse` of a Redis read; `eval`/`new Function` of a constant or "
        "of a value not read from Redis",
    ),
    Check(
        "edge-tcp-client",
        "RR029",
        "edge code that imports a TCP Redis client",
        {
            "default": "edge code imports {module}{via}, a TCP Redis client that edge runtimes cannot run; "
            "use the REST client (@upstash/redis, upstash_redis)"
        },
        "a module under the policy's `lint.edge_dirs` (default `src/edge/`) that imports `ioredis`, `redis`, "
        "`@redis/client`, `valkey` (or redis-py / valkey-py), directly or through other project modules",
        "`@upstash/redis` / `upstash_redis`; type-only imports (`import type`)",
    ),
)

BY_NAME: dict[str, Check] = {c.name: c for c in REGISTRY}
# check name -> rule id. A public contract: rulesets/*.yml name these checks in `lint:`.
CHECKS: dict[str, str] = {c.name: c.rule for c in REGISTRY}
CODE_TO_CHECK: dict[str, str] = {c.rule: c.name for c in REGISTRY}

# pseudo-codes for files the linter could not check and for suppression comments naming no rule (always
# reported, never filtered: they say that a check did not run, or that a finding the author meant to hide is not)
SYNTAX_ERROR = "E999"
READ_ERROR = "E902"
BAD_SUPPRESSION = "E903"
ERROR_CODES = {SYNTAX_ERROR: "syntax-error", READ_ERROR: "io-error", BAD_SUPPRESSION: "bad-suppression"}


@dataclass(frozen=True)
class Finding:
    code: str  # rule id (RR007) or E999/E902/E903
    check: str  # check name (keys-command)
    message: str  # ends with a short clause saying why the receiver is believed to be Redis, when it matters
    path: str  # as displayed: relative to the working directory when possible
    line: int  # 1-based
    column: int  # 1-based, in characters
    end_line: int
    end_column: int
    severity: str  # error | warning
    evidence: str = ""  # proven | usage | shape ("" for checks that do not judge a receiver)
    reason: str = ""  # the full reason the receiver is believed to be Redis
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("extra")
        return data


@functools.lru_cache(maxsize=1)
def rules_by_id() -> dict[str, Any]:
    """Rules from the bundled rulesets keyed by id (raises UserError when they are invalid)."""
    from ..rulesets import load_rules

    return {rule.id: rule for rule in load_rules()}


_ID_LINE = re.compile(r"- id: (RR\d+)\s*$")
_SEVERITY_LINE = re.compile(r"  severity: (error|warning)\s*$")


@functools.lru_cache(maxsize=1)
def severities() -> dict[str, str]:
    """{rule id: severity} read from the bundled rulesets' lines without a YAML parse (loading every rule costs a
    one-file lint with findings ~30 ms); tests/test_lint_registry.py proves it equal to the rules' severities.
    Empty when the rulesets cannot be read (severity_of then loads the rules)."""
    from .. import template_source

    found: dict[str, str] = {}
    try:
        files = sorted((template_source.bundled_template_root() / "rulesets").glob("*.yml"))
        texts = [f.read_text(encoding="utf-8") for f in files]
    except (RuntimeError, OSError, UnicodeDecodeError):
        return {}
    for text in texts:
        current = None
        for line in text.splitlines():
            rule = _ID_LINE.match(line)
            if rule is not None:
                current = rule.group(1)
                continue
            severity = _SEVERITY_LINE.match(line)
            if severity is not None and current is not None:
                found.setdefault(current, severity.group(1))
    return found


def severity_of(code: str) -> str:
    """A rule's severity from the rulesets; files that could not be checked (E999/E902) are errors."""
    fast = severities().get(code)
    if fast is not None:
        return fast
    rule = rules_by_id().get(code)
    return str(rule.severity) if rule is not None else "error"


@functools.lru_cache(maxsize=256)
def resolve_selector(selector: str) -> frozenset[str] | None:
    """The codes a selector names, None when it names nothing lint knows.

    A selector is `ALL`, a rule id (`RR007`) or id prefix (`RR00`, `RR`), a rule name
    (`no-keys-command`), a check name (`keys-command`), or E999 / E902."""
    sel = selector.strip()
    universe = [*CHECKS.values(), *ERROR_CODES]
    if not sel:
        return None
    if sel.upper() == "ALL":
        return frozenset(universe)
    if sel in BY_NAME:
        return frozenset({BY_NAME[sel].rule})
    for rule in rules_by_id().values():
        if sel == rule.name:
            return frozenset({rule.id}) if rule.id in CODE_TO_CHECK else None
    up = sel.upper()
    found = frozenset(code for code in universe if code.startswith(up))
    return found or None


def known_selector(selector: str) -> bool:
    return resolve_selector(selector) is not None


def matches(selector: str, code: str) -> bool:
    codes = resolve_selector(selector)
    return codes is not None and code in codes


def check_selectors(values: Iterable[str], where: str) -> list[str]:
    """The selectors as a list; UserError naming `where` when one names nothing lint knows."""
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise UserError(f"{where}: must be a list of rule ids, rule names or check names")
    out = [str(v).strip() for v in values]
    unknown = [v for v in out if not known_selector(v)]
    if unknown:
        raise UserError(
            f"{where}: unknown rule selector(s) {', '.join(unknown)} "
            "(allowed: rule ids or prefixes like RR007, rule names, check names, ALL; see `redis-rules rules`)"
        )
    return out


def readme_table() -> str:
    """The README's check table (Markdown), rendered from the registry."""
    rows = ["| Code | Check | Flags | Not flagged |", "|---|---|---|---|"]
    for c in sorted(REGISTRY, key=lambda c: c.rule):
        rows.append(f"| {c.rule} | `{c.name}` | {c.flags} | {c.not_flagged} |")
    return "\n".join(rows) + "\n"
