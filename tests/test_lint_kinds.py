"""Kinds of real-code findings (and their look-alikes) measured on bench/corpus: each test states one rule
a reviewer would give, in Python and in TypeScript/JavaScript where both have it."""

from __future__ import annotations

import textwrap
from pathlib import Path

from redis_rules.lint import lint_paths, lint_source
from redis_rules.policy import LintPolicy, Policy

PY = "import redis\nr = redis.Redis()\n"
IOREDIS = 'import Redis from "ioredis";\nconst r = new Redis(process.env.REDIS_URL!);\n'
STRICT = Policy(lint=LintPolicy(containers_need_ttl=True))


def py(src: str, path: str = "app/service.py", policy: Policy | None = None):
    return lint_source(textwrap.dedent(src).lstrip("\n"), path, policy)


def ts(src: str, path: str = "src/app.ts", policy: Policy | None = None):
    return lint_source(textwrap.dedent(src).lstrip("\n"), path, policy)


def found(findings, code: str) -> list[int]:
    return [f.line for f in findings if f.code == code]


# ---------------------------------------------------------------- RR002: durable records vs keys meant to expire
def test_ts_optional_ttl_and_explicit_opt_out():
    """A string written without TTL on the branch where none is configured is reported (`if (ttl)`,
    `ttl !== undefined`, an early return); the branch of `disableTTL` or of a duration that is not positive
    is the caller's choice."""
    src = IOREDIS + textwrap.dedent(
        """
        export async function optional(k: string, v: string, ttl?: number) {
          if (ttl) await r.set(k, v, "PX", ttl);
          else await r.set(k, v);
        }
        export async function early(k: string, v: string, ttl?: number) {
          if (ttl === undefined) {
            return r.set(k, v);
          }
          return r.set(k, v, "EX", ttl);
        }
        export async function flag(this: any, k: string, v: string) {
          if (this.disableTTL) await r.set(k, v);
          else await r.set(k, v, { EX: this.ttl });
        }
        export async function duration(k: string, v: string, seconds: number) {
          const multi = r.multi();
          if (seconds > 0) multi.set(k, v, "EX", seconds);
          else multi.set(k, v);
          return multi.exec();
        }
        export async function ternary(k: string, v: string, ttl?: number) {
          return ttl ? r.set(k, v, "EX", ttl) : r.set(k, v);
        }
        export async function record(k: string, v: string) {
          await r.set(k, v);
        }
        """
    )
    findings = ts(src)
    assert found(findings, "RR002") == [6, 10, 25]
    assert "the other branch, line 5, sets one" in findings[0].message
    assert found(ts(src, policy=STRICT), "RR002") == [6, 10, 15, 21, 25, 28]  # a project: every key


def test_ts_keys_named_for_short_lived_data():
    """The words a key is built from — its prefix variables, the key-builder method's template, what callers
    pass for a helper's key parameter — or a string value's declared type say session/cache/token/lock."""
    src = IOREDIS + textwrap.dedent(
        """
        interface ICacheItem { content: string }
        export function adapter(prefix: string) {
          const sessionByUserPrefix = prefix + "session:by-user:";
          const emailPrefix = prefix + "email:";
          const putJson = async (key: string, obj: unknown) => r.set(key, JSON.stringify(obj));
          return {
            async setSession(id: string, userId: string, s: unknown) {
              await putJson(prefix + "session:" + id, s);
              await r.set(sessionByUserPrefix + userId, id);
            },
            async setUser(id: string, email: string) {
              await r.set(emailPrefix + email, id);
            },
          };
        }
        export class Storage {
          constructor(private storageIdentifier: string, private tokenStorePrefix: string) {}
          async save(base: string, value: string) {
            await r.set(this.buildKey(base), value);
          }
          async put(key: string, item: ICacheItem) {
            await r.set(key, JSON.stringify(item));
          }
          private buildKey(base: string) {
            return `${this.tokenStorePrefix}_${base}`;
          }
        }
        """
    )
    findings = [(f.line, f.message.split(" without")[0]) for f in ts(src) if f.code == "RR002"]
    assert findings == [
        (8, "SET leaves a session key"),  # putJson's callers pass session keys
        (12, "SET leaves a session key"),
        (22, "SET leaves a token key"),
        (25, "SET leaves a cache key"),
    ]
    assert found(ts(src, path="src/__tests__/adapter.test.ts"), "RR002") == []  # test data


def test_ts_expire_in_the_write_callback_is_a_separate_command():
    src = """
    const redis = require("redis");
    const client = redis.createClient();
    function add(key, entry, ttl, callback) {
      client.hmset(key, entry, function (err) {
        if (ttl > 0) client.expire(key, ttl, callback);
        else callback(err);
      });
    }
    function other(key, entry) {
      client.hmset(key, entry);
      setTimeout(function () { client.expire("unrelated", 5); }, 10);
    }
    """
    findings = ts(src, path="lib/add.js")
    assert found(findings, "RR002") == [4]
    assert "the EXPIRE at line 5 are separate commands" in findings[0].message


def test_ts_multi_on_a_receiver_that_is_redis_by_usage():
    """`const multi = cache.multi()` on a receiver sent Redis-only commands elsewhere queues Redis commands."""
    src = """
    export function store<T>(cache: T & any) {
      return {
        ttl: (k: string) => cache.pTTL(k),
        async mset(pairs: [string, string][], ttl?: number) {
          if (ttl) {
            const multi = cache.multi();
            for (const [k, v] of pairs) multi.set(k, v, { PX: ttl });
            await multi.exec();
          } else await cache.mSet(pairs);
        },
      };
    }
    export function maps(m: Map<string, string>) {
      const multi = m.multi();
      multi.set("a", "b");
    }
    """
    findings = ts(src)
    assert found(findings, "RR002") == [9]
    assert "MSET cannot set a TTL" in findings[0].message


# ---------------------------------------------------------------- RR007 / RR009 / RR010
def test_keys_with_an_object_argument_is_no_keys_command():
    src_ts = """
    const Joi = require("joi");
    export const schema = base.keys({ url: Joi.string() }).xor("url", "socket");
    export function f(conn) { return conn.keys("jobs:*"); }
    """
    assert found(ts(src_ts, path="lib/index.js"), "RR007") == [3]
    src_py = """
    def f(schema, conn):
        schema.keys({"url": str})
        schema.keys([1, 2])
        return conn.keys("jobs:*")
    """
    assert found(py(src_py), "RR007") == [4]


def test_a_factory_whose_result_is_kept_on_the_object_is_no_client_per_call():
    src_ts = """
    import Redis from "ioredis";
    export class Db {
      redis: Redis;
      constructor(private cfg: any) { this.redis = this.create(); }
      protected create(): Redis {
        const redis = new Redis(this.cfg.redisOptions);
        redis.on("error", () => {});
        return redis;
      }
      handle() { const c = this.fresh(); return c.get("k"); }
      fresh() { return new Redis(this.cfg.redisOptions); }
    }
    """
    assert found(ts(src_ts), "RR009") == [11]
    src_py = """
    import redis
    class Db:
        def __init__(self, url):
            self.url = url
            self.conn = self._build()
        def _build(self):
            return redis.Redis.from_url(self.url)
        def handle(self):
            return self._other().get("k")
        def _other(self):
            return redis.Redis.from_url(self.url)
    """
    assert found(py(src_py), "RR009") == [11]


def test_ts_host_options_with_a_literal_fallback():
    """In a module that builds a Redis client, a host option that falls back to a literal host (`options.host
    || "localhost"`, a schema's `host: Joi.string().default("127.0.0.1")`) silently uses that server."""
    src = """
    const Joi = require("joi");
    const IoRedis = require("ioredis");
    const schema = Joi.object({ host: Joi.string().default("127.0.0.1"), name: Joi.string().default("x") });
    function Cache(options) {
      this.host = options.host || "localhost";
      this.prefix = options.prefix || "cache";
      this.client = new IoRedis(this.port, this.host);
    }
    """
    findings = [(f.line, f.message.split(";")[0]) for f in ts(src, path="lib/index.js") if f.code == "RR010"]
    assert findings == [
        (3, "hardcoded Redis host '127.0.0.1' as the default of host"),
        (5, "hardcoded Redis host 'localhost' as the default of options.host"),
    ]
    no_client = 'const Joi = require("joi");\nfunction Server(o) { this.host = o.host || "localhost"; }\n'
    assert found(ts(no_client, path="lib/server.js"), "RR010") == []


# ---------------------------------------------------------------- RR008
def test_ts_range_bounds_that_default_to_the_whole_collection():
    """`start`/`end` that fall back to 0 and -1 when the caller passes none (parameter defaults, `end ?? -1`,
    `isUndefined(end) ? -1 : end`, `start || 0`), also through `-(end + 1)`, read everything by default."""
    src = """
    function ranges(multi, key, start, end, asc) {
      start = _.isUndefined(start) ? 0 : start;
      end = end ?? -1;
      if (asc) multi.lrange(key, -(end + 1), -(start + 1));
      else multi.zrevrange(key, start, end);
    }
    function page(multi, key, start, end) {
      start = start || 0;
      end = end ?? 99;
      multi.lrange(key, start, end);
    }
    function overwritten(multi, key, start = 0, end = -1) {
      end = compute(end);
      multi.lrange(key, start, end);
    }
    """
    assert found(ts(src, path="lib/getters.js"), "RR008") == [4, 5]


def test_whole_reads_in_a_paging_function_and_per_entity_hashes():
    src = IOREDIS + textwrap.dedent(
        """
        const ROOMS = "rooms";
        export class Store {
          async listThreads(options?: { agent?: string; limit?: number; offset?: number }) {
            const { agent, limit = 50, offset = 0 } = options ?? {};
            const ids = await r.smembers(`threads:${agent}`);
            return ids.slice(offset, offset + limit);
          }
          async listRuns({ limit }: { limit: number }) {
            const out = [];
            for (const key of await this.scan("run:*")) out.push(await r.hgetall(key));
            return out.slice(0, limit);
          }
          async state(runId: string, name: string, value: string) {
            await r.hset(this.stateKey(runId), name, value);
            return r.hgetall(this.stateKey(runId));
          }
          async rooms(id: string, room: string) {
            await r.hset(ROOMS, id, room);
            return r.hgetall(ROOMS);
          }
          stateKey(id: string) { return `state:${id}`; }
        }
        """
    )
    findings = [(f.line, f.message.split(";")[0]) for f in ts(src) if f.code == "RR008"]
    assert [line for line, _ in findings] == [8, 22]  # not the record per loop item, not the per-run hash
    assert findings[0][1].startswith("SMEMBERS reads the whole collection to return one page (")
    assert findings[1][1] == "HGETALL reads the whole collection"


# ---------------------------------------------------------------- RR001 / RR022 (Python)
def test_keys_of_a_lua_script_call_are_key_arguments():
    """`script(keys=[...], args=[...])` (a redis-py Script) takes its keys like a command's key argument."""
    src = (
        PY
        + """
PREFIX = "rq"
LUA = r.register_script("return 1")

def schedule(job):
    queues_key = PREFIX + ":queues"
    LUA(keys=[job.key, queues_key], args=[job.id])
    LUA(keys=[keys.queue(job.queue)], args=[])

def render(view):
    return view(keys=[PREFIX + ":x"])
"""
    )
    assert found(py(src), "RR001") == [8]


def test_serializer_setting_that_defaults_to_pickle(tmp_path: Path, monkeypatch):
    """`settings.X_SERIALIZER.loads(value)` of a Redis read, where the project's settings default
    X_SERIALIZER to pickle, unpickles what anyone able to write the key chose."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'app'\n")
    pkg = tmp_path / "app"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "conf.py").write_text(
        "class Defaults:\n    APP_SERIALIZER = 'pickle'\n    FILE_DIR = '/tmp'\n\nsettings = Defaults()\n"
    )
    (pkg / "cache.py").write_text(
        textwrap.dedent(
            """
            from .conf import settings

            class RedisCache:
                def __init__(self, conn):
                    self.conn = conn

                def get(self, key):
                    data = self.conn.get(key)
                    return settings.APP_SERIALIZER.loads(data)

                def set(self, key, value, timeout):
                    self.conn.setex(key, timeout, settings.APP_SERIALIZER.dumps(value))

            class FileCache:
                def get(self, path):
                    with open(path, "rb") as f:
                        return settings.APP_SERIALIZER.load(f)
            """
        )
    )
    monkeypatch.chdir(tmp_path)
    findings = lint_paths([pkg], cache=False)
    assert [(f.path, f.line) for f in findings if f.code == "RR022"] == [("app/cache.py", 10)]
    (pkg / "conf.py").write_text("class Defaults:\n    APP_SERIALIZER = 'json'\n\nsettings = Defaults()\n")
    assert [f for f in lint_paths([pkg], cache=False) if f.code == "RR022"] == []


# ---------------------------------------------------------------- modules that cannot reach Redis
def test_ts_modules_without_redis_pass_on_clients_they_re_export(tmp_path: Path, monkeypatch):
    """A module that names no Redis package, method or factory is read only for its imports and re-exports;
    a client re-exported through it, or imported from a module that holds one, is still seen (files are
    checked after the modules they import, whatever order they are listed in)."""
    files = {
        "package.json": "{}",
        "src/a_app.ts": 'import { store } from "./b_barrel";\n'
        "export const f = (sessionKey: string) => store.set(sessionKey, 1);\n",
        "src/b_barrel.ts": 'export { conn as store } from "./c_conn";\nexport const unrelated = 1;\n',
        "src/c_conn.ts": 'import Redis from "ioredis";\nexport const conn = new Redis(process.env.URL!);\n',
        "src/d_plain.ts": 'import { unrelated } from "./b_barrel";\n'
        'export const g = (m: Map<string, number>) => m.set("a", unrelated);\n',
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    monkeypatch.chdir(tmp_path)
    findings = lint_paths([tmp_path / "src"], cache=False)
    assert [(f.path, f.line, f.code) for f in findings] == [("src/a_app.ts", 2, "RR002")]
    assert "conn in src/c_conn.ts" in findings[0].reason


def test_a_helper_that_only_factories_call_builds_for_them():
    """`function build()` called only from `createClient()` builds the factory's client; the same helper also
    called from a request handler builds one per request."""
    src_ts = """
    import { createClient as nodeClient } from "redis";
    function build(url: string) { return nodeClient({ url }); }
    function fresh(url: string) { return nodeClient({ url }); }
    export function createClient() { return build(process.env.REDIS_URL!); }
    export function createSubscriber() { return fresh(process.env.REDIS_URL!); }
    export async function handler(key: string) { return fresh(process.env.REDIS_URL!).get(key); }
    """
    assert found(ts(src_ts), "RR009") == [3]
    src_py = """
    import os
    import redis

    def _build(url):
        return redis.Redis.from_url(url)

    def _fresh(url):
        return redis.Redis.from_url(url)

    def get_client():
        return _build(os.environ["REDIS_URL"])

    def handler(key):
        return _fresh(os.environ["REDIS_URL"]).get(key)
    """
    assert found(py(src_py), "RR009") == [8]
