"""TypeScript: the same checks, ids, messages and suppressions as Python, on ioredis / node-redis / upstash."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from redis_rules.lint import lint_paths, lint_source
from redis_rules.lint.report import format_sarif
from redis_rules.policy import LintPolicy, Policy

IOREDIS = 'import Redis from "ioredis";\nconst r = new Redis(process.env.REDIS_URL!);\n'
STRICT = Policy(lint=LintPolicy(containers_need_ttl=True))  # a redis-rules project: every key needs a TTL


def ts(src: str, path: str = "src/app.ts", policy: Policy | None = None):
    return lint_source(textwrap.dedent(src).lstrip("\n"), path, policy)


def codes(src: str, **kw) -> list[str]:
    return [f.code for f in ts(src, **kw)]


@pytest.mark.parametrize(
    "header",
    [
        'import Redis from "ioredis";\nconst r = new Redis();\n',
        'import { Redis } from "ioredis";\nconst r = new Redis();\n',
        'import IORedis from "ioredis";\nconst r = new IORedis(6379);\n',
        'import { Cluster } from "ioredis";\nconst r = new Cluster([]);\n',
        'import Redis from "ioredis";\nconst r = new Redis.Cluster([]);\n',
        'import { createClient } from "redis";\nconst r = createClient();\n',
        'import { createCluster } from "@redis/client";\nconst r = createCluster({ rootNodes: [] });\n',
        'import { Redis } from "@upstash/redis";\nconst r = new Redis({ url: U, token: T });\n',
        'import { Redis } from "@upstash/redis/cloudflare";\nconst r = Redis.fromEnv();\n',
        'import type { RedisClientType } from "redis";\ndeclare const r: RedisClientType;\n',
    ],
)
def test_client_constructors_and_types(header):
    assert codes(header + 'export async function f() { await r.keys("*"); }\n') == ["RR007"]


def test_look_alikes_stay_clean():
    src = """
    export function f(x: Record<string, number>, m: Map<string, number>, arr: number[], conn: any) {
      Object.keys(x);
      Reflect.ownKeys(x);
      m.keys();
      arr.keys();
      const headers = new Headers();
      headers.set("user:1", "b");
      const cache = new Map<string, number>();
      cache.get("user:1");
      cache.set(`user:${x}`, 2);
      const s = new Set();
      s.keys();
      conn.get(`user:${x}`);
      conn.set("k", 1);
      conn.keys();
    }
    """
    assert codes(src) == []


def test_checks_on_a_proven_client():
    src = IOREDIS + textwrap.dedent(
        """
        export async function f(id: string) {
          await r.hgetall(`cart:${id}`);
          await r.zrange("board", 0, -1);
          await r.lrange("l", 0, 99);
          await r.set("a", "v");
          await r.set("a", "v", "EX", 60);
          await r.set("a", "v", "NX");
          await r.incr("c");
          await r.expire("c", 60);
          await r.multi().incr("d").expire("d", 60).exec();
          await r.xadd("s", "*", "f", "v");
          await r.xadd("s", "MAXLEN", "~", "1000", "*", "f", "v");
          await r.xadd("s", "*", "ip", id);
          await r.flushdb();
          await r.call("KEYS", "*");
          await r.eval("return redis.call('keys', ARGV[1])", 0, "*");
        }
        """
    )
    found = [(f.line, f.code) for f in ts(src, policy=STRICT)]
    assert found == [
        (5, "RR001"),  # a record hash read whole is fine; only the project's own client forbids HGETALL
        (6, "RR008"),
        (8, "RR002"),
        (10, "RR002"),
        (12, "RR003"),
        (14, "RR016"),
        (16, "RR016"),  # a value in a variable is no trim option (trial 14)
        (17, "RR011"),
        (18, "RR007"),
        (19, "RR007"),
    ]


def test_node_redis_camel_case_and_options():
    src = """
    import { createClient } from "redis";
    const client = createClient({ url: process.env.REDIS_URL });
    export async function f(id: string) {
      await client.hGetAll("h");
      await client.sMembers("s");
      await client.zRange("z", 0, -1);
      await client.set("k", "v", { EX: 60 });
      await client.set("k", "v");
      await client.sendCommand(["FLUSHALL"]);
      await client.xAdd("s", "*", { a: "1" }, { TRIM: { strategy: "MAXLEN", threshold: 1000 } });
      await client.xAdd("s", "*", { a: "1" });
      await client.xAdd("s", "*", message, options);
    }
    """
    assert [(f.line, f.code) for f in ts(src, policy=STRICT)] == [
        (6, "RR008"),
        (8, "RR002"),
        (9, "RR011"),
        (11, "RR016"),
    ]
    flush = next(f for f in ts(src) if f.code == "RR011")
    assert "via sendCommand" in flush.message


def test_unknown_receivers_by_shape_and_usage():
    src = """
    export async function f(storage, conn, tx) {
      await storage.lrange("h", 0, -1);
      await conn.keys("jobs:*");
      conn.get("k");
      tx.incrby("c", 1);
      tx.expire("c", 9);
    }
    """
    found = ts(src)
    assert [(f.line, f.code, f.evidence) for f in found] == [
        (2, "RR008", "shape"),
        (3, "RR007", "shape"),
        (6, "RR003", "usage"),
    ]


def test_class_fields_parameter_properties_and_this():
    src = IOREDIS + textwrap.dedent(
        """
        class Repo {
          private cache = new Redis();
          constructor(private readonly redis: Redis, other: Redis) {
            this.other = other;
          }
          a() { return this.redis.keys("*"); }
          b() { return this.cache.lrange("s", 0, -1); }
          c() { return this.other.flushall(); }
        }
        """
    )
    assert [(f.line, f.code) for f in ts(src)] == [(9, "RR007"), (10, "RR008"), (11, "RR011")]


GET_CLIENT = (
    'import Redis from "ioredis";\n'
    "export function getClient(): Redis { return new Redis(process.env.REDIS_URL!); }\n"
    "const keys = { sessionKey: (id: string) => `session:${id}` };\n"
)


@pytest.mark.parametrize(
    "holder",
    [
        "constructor(private readonly redis = getClient()) {}",
        "constructor(readonly redis = getClient()) {}",
        "constructor(public redis = getClient()) {}",
        "constructor(protected redis: Redis = getClient()) {}",
        "constructor(private redis: Redis) {}",
        "private redis = getClient();",
    ],
)
def test_a_parameter_property_with_a_default_is_a_field(holder):
    """Trial: `constructor(private readonly redis = getClient())` was no receiver, the same SET on a field was."""
    save = 'async save(id: string) { await this.redis.set(keys.sessionKey(id), "v"); }'
    src = GET_CLIENT + f"\nexport class Sessions {{\n  {holder}\n  {save}\n}}\n"
    assert [(f.line, f.code) for f in ts(src)] == [(7, "RR002")]


DECLARED_TYPES = """
import type { RedisClientType, createClient } from "redis";
import type { Redis as R } from "ioredis";
interface Store { keys(p: string): string[]; lrange(k: string, a: number, b: number): string[] }
type Lister = { lrange(k: string, a: number, b: number): string[] };
type MaybeStore = Store | null;
interface Wraps extends R { extra(): void }
interface RedisLike { keys(p: string): Promise<string[]> }
type Client = RedisClientType;
type Made = ReturnType<typeof createClient>;
"""


@pytest.mark.parametrize(
    "param",
    [
        "store: { keys(p: string): string[] }",
        "store: Store",
        "store: Lister",
        "store: MaybeStore",
        "store: Store | undefined",
        "store: Map<string, string>",
        "store: string[]",
    ],
)
def test_a_declared_type_that_names_no_redis_type_is_no_receiver(param):
    """Trial: `store: { keys(p: string): string[] }` gave RR007, an object typed by a local interface RR008."""
    src = DECLARED_TYPES + textwrap.dedent(
        f"""
        export function a({param}) {{ return store.keys("user:*"); }}
        export function b({param}) {{ return store.lrange("x", 0, -1); }}
        export class C {{
          constructor(private readonly held: {param.split(": ", 1)[1]}) {{}}
          c() {{ return this.held.keys("user:*"); }}
        }}
        """
    )
    assert codes(src) == []


@pytest.mark.parametrize(
    "param",
    [
        "store: RedisClientType",
        "store: ReturnType<typeof createClient>",
        "store: Client",
        "store: Made",
        "store: R",
        "store: Wraps",
        "store: RedisLike",
        "store: any",
        "store",
    ],
)
def test_a_redis_or_unknown_declared_type_keeps_the_receiver(param):
    src = DECLARED_TYPES + textwrap.dedent(
        f"""
        export function a({param}) {{ return store.keys("user:*"); }}
        export function b({param}) {{ return store.lrange("x", 0, -1); }}
        """
    )
    assert codes(src) == ["RR007", "RR008"]


def test_a_parameter_property_defaulting_to_a_map_is_no_client():
    src = """
    export class Store {
      constructor(private readonly items = new Map<string, string>(), plain = getClient()) {}
      a() { return this.items.keys(); }
      b(p: string) { return [...this.items.keys()].filter((k) => k.startsWith(p)); }
      c() { return this.plain; }
    }
    """
    assert codes(src) == []


def test_a_literal_host_in_any_argument_but_not_a_socket_path():
    src = """
    import Redis from "ioredis";
    export const a = new Redis("/var/run/redis.sock");
    export const b = new Redis("cache.internal");
    export const c = new Redis(6379, "cache.internal");
    export const d = new Redis(6379, "localhost");
    """
    assert [(f.line, f.code) for f in ts(src)] == [(3, "RR010"), (4, "RR010"), (5, "RR010")]


LOCAL_SPELLINGS = """
import Redis from "ioredis";
import { createClient } from "redis";
export const a = new Redis({ host: "localhost", port: 6379 });
export const b = new Redis("redis://localhost:6379");
export const c = new Redis(6379, "127.0.0.1");
export const d = createClient({ socket: { host: "localhost", port: 6379 } });
export const e = createClient({ url: "redis://127.0.0.1:6379" });
"""


def test_a_local_host_is_one_decision_as_host_or_in_a_url():
    """As in Python: a local host is reported outside test code whether it is a `host` option or the host of
    a URL (trial: `redis://localhost:6379` was, `{ host: "localhost" }` was not); in test code neither is."""
    assert [f.line for f in ts(LOCAL_SPELLINGS) if f.code == "RR010"] == [3, 4, 5, 6, 7]
    assert [f.line for f in ts(LOCAL_SPELLINGS, path="src/app.test.ts") if f.code == "RR010"] == []
    remote = LOCAL_SPELLINGS.replace("localhost", "cache.internal").replace("127.0.0.1", "10.0.0.5")
    assert [f.line for f in ts(remote, path="src/app.test.ts") if f.code == "RR010"] == [3, 4, 5, 6, 7]


def test_client_per_call_and_hardcoded_connections():
    src = """
    import Redis from "ioredis";
    import { createClient } from "redis";

    const REDIS_URL = "redis://localhost:6379";
    const shared = new Redis(process.env.REDIS_URL ?? "redis://:secret@10.0.0.5:6379");
    let lazy: Redis | undefined;

    export function handler() {
      const r = new Redis("redis://10.0.0.5:6379");
      return r.get("k");
    }
    export function singleton() {
      lazy ??= new Redis();
      return lazy;
    }
    export function connect(url = "redis://localhost:6379") {
      return createClient({ url, password: "hunter2" });
    }
    export const POOL_URL = "redis://:pw@cache.internal:6379";
    """
    found = [(f.line, f.code, f.message.split(";")[0]) for f in ts(src)]
    assert (19, "RR010", "hardcoded Redis URL with a password in POOL_URL") in found
    assert (4, "RR010", "hardcoded Redis URL in REDIS_URL") in found  # a constant (trial 15)
    assert (5, "RR010", "the default Redis URL contains a password") in found
    assert (9, "RR009", "new Redis(...) creates a Redis client (new pool and connections) on every call") in found
    assert (9, "RR010", "hardcoded Redis URL with a remote host") in found
    assert (16, "RR010", "hardcoded Redis URL as the default of the parameter url") in found
    assert (17, "RR010", "hardcoded Redis password") in found
    assert not [f for f in found if f[0] == 13]  # lazy singleton


def test_a_factory_that_handlers_call_builds_per_request():
    """As for Python: `getRedis()` building a client, called by route handlers in the same file, is a client per
    request; called once (module level, main, a startup hook, another factory) or caching its client, it is not."""
    src = """
    import Redis from "ioredis";

    export function getRedis() {
      return new Redis(process.env.REDIS_URL!);
    }
    export async function GET() {
      return getRedis().get("k");
    }
    app.get("/x", async () => getRedis().get("k"));
    """
    (found,) = [f for f in ts(src) if f.code == "RR009"]
    assert (
        found.line == 4 and "each time getRedis() runs, and GET() at line 7 calls it on every request" in found.message
    )
    once = """
    import Redis from "ioredis";

    let client: Redis | undefined;
    export function getRedis() {
      return new Redis(process.env.REDIS_URL!);
    }
    export function getCached() {
      client ??= new Redis(process.env.REDIS_URL!);
      return client;
    }
    const shared = getRedis();
    async function main() {
      await serve(getRedis());
    }
    export function createAppClient() {
      return getRedis();
    }
    function buildServices() {
      return { redis: getRedis() };
    }
    const services = buildServices();
    export async function startupWarmCache() {
      await getRedis().ping();
    }
    export async function onStartupHook() {
      await getRedis().ping();
    }
    let lazy: Redis | null = null;
    export function getLazyRedis() {
      if (!lazy) {
        const r = new Redis(process.env.REDIS_URL!);
        lazy = r;
        return r;
      }
      return lazy;
    }
    export async function POST() {
      return getLazyRedis().get("k");
    }
    export async function GET() {
      return getCached().get("k");
    }
    """
    assert [f for f in ts(once) if f.code == "RR009"] == []


def test_a_javascript_constructor_function_runs_once_per_object():
    """Corpus (bull's lib/queue.js): `const Queue = function Queue(...) { this.x = ...; redisClientGetter(this) }`
    is a constructor, as a class's `constructor` is: the clients its helper builds are kept per object. A
    PascalCase function that sets no field of `this` (a Next page component) still runs per request."""
    src = """
    import Redis from "ioredis";
    function redisClientGetter(queue, options) {
      const create = function (type, config) {
        return new Redis(config);
      };
      return (type) => create(type, options);
    }
    const Queue = function Queue(name, opts) {
      this.name = name;
      const lazyClient = redisClientGetter(this, opts);
      this.ready = lazyClient("client");
    };
    export default async function Page() {
      const r = new Redis(process.env.REDIS_URL!);
      return r.get("page");
    }
    """
    assert [f.line for f in ts(src, path="src/queue.ts") if f.code == "RR009"] == [14]


def test_code_a_framework_runs_once_builds_no_client_per_call():
    """Trial 17: a NestJS provider's `useFactory`, a Fastify plugin (`fp(...)`, `fastify.register(...)`) and an
    app factory (`createApp`, `buildApp`) run once per app: their own `new Redis` is no RR009. A REQUEST-scoped
    provider, and a route handler such code registers, still run per request."""
    src = """
    import Redis from "ioredis";
    import fp from "fastify-plugin";
    import { createClient } from "redis";
    import express from "express";
    export const providers = [
      { provide: "REDIS", inject: [ConfigService], useFactory: (c: ConfigService) => new Redis(c.get("URL")) },
      { provide: "R2", useFactory() { return new Redis(process.env.REDIS_URL!); } },
      { provide: "R3", scope: Scope.REQUEST, useFactory: () => new Redis(process.env.REDIS_URL!) },
    ];
    export default fp(async (fastify) => {
      const client = createClient({ url: process.env.REDIS_URL });
      fastify.decorate("redis", client);
    });
    export function routes(app) {
      app.register(async (f) => {
        const sub = new Redis(process.env.REDIS_URL!);
        f.decorate("sub", sub);
      });
    }
    export function createApp() {
      const redis = new Redis(process.env.REDIS_URL!);
      const app = express();
      app.get("/x", async (_req, res) => res.json(await new Redis(process.env.REDIS_URL!).get("x")));
      return app;
    }
    export async function buildApp() {
      const client = createClient({ url: process.env.REDIS_URL });
      return express().set("redis", client);
    }
    """
    assert [f.line for f in ts(src) if f.code == "RR009"] == [8, 23]


def test_an_upstash_client_per_request_is_no_new_connection(tmp_path):
    """Trial 17: @upstash/redis is a REST client: `new Redis({ url, token })` in a route handler opens no pool or
    connection, as `Redis.fromEnv()` there does not, so it is no RR009 (nor is a factory returning one, called per
    request from another file); its commands are still checked. ioredis in the same handler still is."""
    src = """
    import { Redis } from "@upstash/redis";
    import IORedis from "ioredis";
    export async function POST() {
      const redis = new Redis({ url: process.env.UPSTASH_URL!, token: process.env.UPSTASH_TOKEN! });
      await redis.keys("*");
      const tcp = new IORedis(process.env.REDIS_URL!);
      return tcp.get("k");
    }
    """
    assert [(f.line, f.code) for f in ts(src)] == [(5, "RR007"), (6, "RR009")]
    (tmp_path / "src").mkdir()
    (tmp_path / "src/kv.ts").write_text(
        'import { Redis } from "@upstash/redis";\n'
        "export function getKv() {\n  return new Redis({ url: process.env.U!, token: process.env.T! });\n}\n"
    )
    (tmp_path / "src/route.ts").write_text(
        'import { getKv } from "./kv";\nexport async function GET() {\n  return getKv().get("k");\n}\n'
    )
    assert [f for f in lint_paths([tmp_path / "src"]) if f.code == "RR009"] == []


def test_options_objects_are_read_through_type_casts():
    """Trial 17: `{ EX: 300 } as any` is still SET's options (no RR002), as are `satisfies`, `!` and parentheses;
    xAdd's TRIM and a client's connection options are read the same way."""
    src = """
    import { createClient } from "redis";
    import Redis from "ioredis";
    const redis = createClient({ url: process.env.REDIS_URL });
    export async function otp(phone: string, code: string, opts?: SetOptions) {
      await redis.set("otp:a", code, { EX: 300 } as any);
      await redis.set("otp:b", code, { PX: 300 } satisfies SetOptions);
      await redis.set("otp:c", code, ({ EX: 300 }));
      await redis.set("otp:d", code, opts!);
      await redis.set("otp:e", code, <SetOptions>{ EX: 300 });
      await redis.xAdd("log", "*", { a: "1" }, { TRIM: { strategy: "MAXLEN", threshold: 1000 } } as const);
      await redis.set("otp:f", code, { NX: true } as any);
    }
    export const other = new Redis({ host: "cache.internal", password: "hunter2" } as RedisOptions);
    export const sub = createClient({ socket: { host: "cache.internal" } as any });
    """
    found = [(f.line, f.code) for f in ts(src, path="src/app.ts")]
    assert found == [(11, "RR002"), (13, "RR010"), (13, "RR010"), (14, "RR010")]


def test_incr_then_expire_chained_on_a_plain_pipeline():
    """Trial 17: `r.pipeline().incr(k).expire(k, 60).exec()` is INCR then EXPIRE without MULTI (RR003), as the
    statement form `p.incr(k); p.expire(k, 60)` is; on `r.multi()` the chain is atomic and stays clean."""
    src = IOREDIS + textwrap.dedent(
        """
        export async function a(k: string) {
          await r.pipeline().incr(k).expire(k, 60).exec();
        }
        export async function b(k: string) {
          const res = await r
            .pipeline()
            .incr(k)
            .expire(k, 60)
            .exec();
          return res;
        }
        export async function c(k: string) {
          await r.multi().incr(k).expire(k, 60).exec();
          await r.pipeline().expire(k, 60).incr(k).exec();
        }
        """
    )
    found = [(f.line, f.message.split(" is ")[0]) for f in ts(src) if f.code == "RR003"]
    assert found == [(5, "EXPIRE after INCR (line 5)"), (11, "EXPIRE after INCR (line 10)")]


def test_check_then_act_counter_flagged():
    """RR013: a limiter that reads the count, compares it in code and writes it back (ioredis and node-redis
    spellings, awaited, through Number()/parseInt()/`?? 0` or a local). Reported at the write."""
    src = textwrap.dedent(
        """
        import Redis from "ioredis";
        import { createClient } from "redis";
        const r = new Redis(process.env.REDIS_URL!);
        const c = createClient({ url: process.env.REDIS_URL });
        export async function fixedWindow(key: string, limit: number) {
          const count = Number((await r.get(key)) ?? 0);
          if (count >= limit) return false;
          await r.incr(key);
          return true;
        }
        export async function slidingWindow(key: string, now: number, id: string) {
          await c.zRemRangeByScore(key, 0, now - 60_000);
          const used = await c.zCard(key);
          if (used >= 10) {
            return false;
          }
          await c.zAdd(key, { score: now, value: id });
          await c.expire(key, 60);
          return true;
        }
        export async function direct(key: string) {
          if (parseInt((await c.get(key)) || "0", 10) > 3) throw new Error("limited");
          await c.incrBy(key, 1);
        }
        export async function hashCounter(key: string) {
          const raw = await c.hGet(key, "hits");
          const hits = raw ? Number(raw) : 0;
          if (hits + 1 <= 100) await c.hIncrBy(key, "hits", 1);
        }
        export async function queue(key: string) {
          if ((await r.llen(key)) < 50) await r.rpush(key, "job");
        }
        """
    ).lstrip("\n")
    found = [(f.line, f.message.split(", whose")[0]) for f in ts(src) if f.code == "RR013"]
    assert found == [
        (8, "INCR after the GET at line 6"),
        (17, "ZADD after the ZCARD at line 13"),
        (23, "INCRBY after the GET at line 22"),
        (28, "HINCRBY after the HGET at line 26"),
        (31, "RPUSH after the LLEN at line 31"),
    ]
    message = next(f.message for f in ts(src) if f.code == "RR013")
    assert "check-then-act race" in message and "rateLimit.checkRateLimit" in message


def test_check_then_act_counter_look_alikes_not_flagged():
    src = IOREDIS + textwrap.dedent(
        """
        import { createClient } from "redis";
        const c = createClient();
        export async function cacheAside(key: string) {
          let value = await r.get(key);
          if (!value) {
            value = "computed";
            await r.set(key, value, "EX", 300);
          }
          return value;
        }
        export async function optimistic(key: string, limit: number) {
          await r.watch(key);
          const count = Number(await r.get(key));
          if (count >= limit) {
            await r.unwatch();
            return false;
          }
          return (await r.multi().incr(key).expire(key, 60).exec()) !== null;
        }
        export async function isolated(key: string, limit: number) {
          return c.executeIsolated(async (conn) => {
            await conn.watch(key);
            if (Number(await conn.get(key)) >= limit) return false;
            await conn.multi().incr(key).expire(key, 60).exec();
            return true;
          });
        }
        export async function incrFirst(key: string, limit: number) {
          const replies = await r.multi().incr(key).expire(key, 60).exec();
          return Number(replies?.[0]?.[1]) <= limit;
        }
        export async function anotherKey(key: string, other: string) {
          if (Number(await r.get(key)) >= 5) return false;
          await r.incr(other);
        }
        export async function neverWritten(key: string) {
          return Number(await r.get(key)) < 5;
        }
        export async function equality(key: string) {
          if ((await r.get(key)) === "1") await r.set(key, "2", "EX", 60);
        }
        export async function lua(key: string) {
          const script = `if tonumber(redis.call('GET', KEYS[1]) or '0') < 5
            then return redis.call('INCR', KEYS[1]) end`;
          return r.eval(script, 1, key);
        }
        """
    )
    assert [f.line for f in ts(src) if f.code == "RR013"] == []
    racy = IOREDIS + "export async function f(k: string) {\n  if (Number(await r.get(k)) < 5) await r.incr(k);\n}\n"
    assert [f.line for f in ts(racy) if f.code == "RR013"] == [4]
    assert [f.line for f in ts(racy, path="test/limit.test.ts") if f.code == "RR013"] == []


def test_a_local_fallback_after_an_environment_read_is_named_as_in_python():
    """Trial 17: `process.env.REDIS_URL ?? "redis://localhost:6379"` does read the environment: the message says
    the literal is the default of REDIS_URL (when unset), as Python's `os.getenv("REDIS_URL", "redis://...")`
    does, not "read it from the environment"; a host fallback names the variable the same way."""
    src = """
    import Redis from "ioredis";
    export const a = new Redis(process.env.REDIS_URL ?? "redis://localhost:6379");
    export const b = new Redis(process.env["CACHE_URL"] || "redis://127.0.0.1:6379");
    export const c = new Redis({ host: process.env.REDIS_HOST ?? "localhost", port: 6379 });
    """
    found = [(f.line, f.message) for f in ts(src) if f.code == "RR010"]
    assert found == [
        (2, "hardcoded Redis URL as the default of REDIS_URL (when unset); read it from the environment"),
        (3, "hardcoded Redis URL as the default of CACHE_URL (when unset); read it from the environment"),
        (4, "hardcoded Redis host 'localhost' as the default of REDIS_HOST; read it from the environment"),
    ]
    py = 'import os\nimport redis\nr = redis.Redis.from_url(os.getenv("REDIS_URL", "redis://localhost:6379"))\n'
    assert [f.message for f in lint_source(py, "app/x.py")] == [found[0][1]]


def test_a_stream_or_score_range_over_everything_without_a_page_is_an_unbounded_read():
    """Trial 17: XRANGE - + / XREVRANGE + - without COUNT read a whole stream, ZRANGEBYSCORE -inf +inf without LIMIT
    a whole sorted set (RR008), ioredis arguments and node-redis options alike; COUNT / LIMIT, a bound that is not
    the end, or options passed in from elsewhere are not reported."""
    src = """
    import Redis from "ioredis";
    import { createClient } from "redis";
    const r = new Redis(process.env.REDIS_URL!);
    const n = createClient({ url: process.env.REDIS_URL });
    export async function f(stream: string, opts: XRangeOptions, since: string) {
      await r.xrange(stream, "-", "+");
      await r.xrange(stream, "-", "+", "COUNT", 100);
      await r.xrevrange(stream, "+", "-");
      await n.xRange(stream, "-", "+");
      await n.xRange(stream, "-", "+", { COUNT: 100 });
      await n.xRevRange(stream, "+", "-", opts);
      await r.xrange(stream, since, "+");
      await r.zrangebyscore("z", "-inf", "+inf", "WITHSCORES");
      await r.zrangebyscore("z", "-inf", "+inf", "LIMIT", 0, 10);
      await r.zrevrangebyscore("z", "+inf", "-inf");
      await n.zRangeByScore("z", "-inf", "+inf", { LIMIT: { offset: 0, count: 10 } });
      await r.zrangebyscore("z", Date.now(), "+inf");
    }
    """
    found = [(f.line, f.message.split(";")[0]) for f in ts(src) if f.code == "RR008"]
    assert found == [
        (6, "XRANGE - + without COUNT reads the whole collection"),
        (8, "XREVRANGE + - without COUNT reads the whole collection"),
        (9, "XRANGE - + without COUNT reads the whole collection"),
        (13, "ZRANGEBYSCORE -inf +inf without LIMIT reads the whole collection"),
        (15, "ZREVRANGEBYSCORE +inf -inf without LIMIT reads the whole collection"),
    ]


def test_suppressions_with_line_and_block_comments():
    src = IOREDIS + textwrap.dedent(
        """
        r.keys("*"); // redis-rules: ignore[RR007]
        r.keys("*"); /* redis-rules: ignore[no-keys-command] */
        r.keys("*"); // redis-rules: ignore
        r.keys("*"); // redis-rules: ignore[RR008]
        """
    )
    assert [f.line for f in ts(src)] == [7]
    assert codes("// redis-rules: ignore-file[keys-command]\n" + IOREDIS + 'r.keys("*");\n') == []


def test_a_suppression_naming_no_rule_is_reported():
    src = IOREDIS + 'r.keys("*"); // redis-rules: ignore[nope]\nr.keys("*"); /* redis-rules: ignore[] */\n'
    assert [(f.line, f.column, f.code) for f in ts(src)] == [
        (3, 3, "RR007"),
        (3, 17, "E903"),
        (4, 3, "RR007"),
        (4, 17, "E903"),
    ]
    # in a file that cannot reach Redis, and counted in characters
    assert [(f.line, f.column, f.code) for f in ts("const é = 1; // redis-rules: ignore[RR0x]\n")] == [(1, 17, "E903")]


def test_syntax_error_is_e999():
    (f,) = ts("const = ;\n")
    assert f.code == "E999" and f.line == 1 and f.message.startswith("SyntaxError")


def test_tsx_and_module_suffixes(tmp_path, monkeypatch):
    for name in ("a.tsx", "b.mts", "c.cts", "d.ts", "types.d.ts"):
        (tmp_path / name).write_text(
            IOREDIS + 'r.keys("*");\n'
            if name != "a.tsx"
            else IOREDIS + "export const A = () => <div>{r.keys('*')}</div>;\n"
        )
    monkeypatch.chdir(tmp_path)
    found = lint_paths([tmp_path])
    assert sorted(f.path for f in found) == ["a.tsx", "b.mts", "c.cts", "d.ts"]  # declaration files are skipped


@pytest.fixture
def ts_project(tmp_path: Path, monkeypatch) -> Path:
    files = {
        "package.json": "{}",
        "src/db/redis/index.ts": """
            import Redis from "ioredis";
            let client: Redis | undefined;
            export function getRedis(): Redis {
              client ??= new Redis(process.env.REDIS_URL!);
              return client;
            }
        """,
        "src/lib/store.ts": """
            import { getRedis } from "../db/redis";
            export const store = getRedis();
            export function makeStore() { return store; }
        """,
        "src/lib/index.ts": 'export * from "./store";\nexport { helper as util } from "./util";\n',
        "src/lib/util.ts": "export function helper() { return 1; }\n",
        "src/app/routes.ts": """
            import { store, makeStore } from "../lib";
            import * as db from "@/db/redis";
            export async function list() {
              await store.keys("a:*");
              await makeStore().smembers("s");
              await db.getRedis().flushall();
              await store.keys();
            }
        """,
        "src/edge/handler.ts": 'import { util } from "../lib";\nexport const x = util();\n',
        "src/edge/direct.ts": 'import Redis from "ioredis";\nimport type { Cluster } from "ioredis";\n',
        "src/edge/ok.ts": 'import { Redis } from "@upstash/redis";\nimport type { RedisClientType } from "redis";\n',
    }
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_cross_file_index_and_client_module(ts_project):
    found = [(f.path, f.line, f.code) for f in lint_paths([ts_project / "src" / "app" / "routes.ts"])]
    assert found == [
        ("src/app/routes.ts", 4, "RR007"),
        ("src/app/routes.ts", 5, "RR008"),
        ("src/app/routes.ts", 6, "RR011"),
        ("src/app/routes.ts", 7, "RR007"),
    ]


def test_keys_on_a_plain_class_imported_from_a_project_module_is_no_keys_command(tmp_path, monkeypatch):
    files = {
        "package.json": "{}",
        # no Redis in this file: it is read light, its class still counts as a plain class
        "src/lib/store.ts": "export class Store {\n  keys(p: string): string[] { return [p]; }\n}\n",
        "src/lib/index.ts": 'export * from "./store";\nexport { RStore as Cached } from "./rstore";\n',
        "src/lib/rstore.ts": """
            import { Redis } from "ioredis";
            export class RStore extends Redis {}
            export class Wrap {
              constructor(private r: Redis) {}
              async keys(p: string): Promise<string[]> { return this.r.keys(p); }
            }
        """,
        "src/app.ts": """
            import { Store, Cached } from "./lib";
            import { Wrap } from "./lib/rstore";
            import { Missing } from "./nowhere";
            export function a(s: Store): string[] { return s.keys("x"); }
            export async function b(s: Cached) { return s.keys("x"); }
            export async function c(s: Wrap) { return s.keys("x"); }
            export async function d(s: Missing) { return s.keys("x"); }
        """,
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(textwrap.dedent(text).lstrip("\n"))
    monkeypatch.chdir(tmp_path)
    found = [(f.path, f.line, f.code) for f in lint_paths([tmp_path / "src"])]
    # the subclass of a client (b) and a type nobody declares (d) stay reported; a wrapper whose keys(p) passes
    # the pattern on to KEYS (c) is reported where the caller chooses the pattern, and inside
    assert found == [
        ("src/app.ts", 5, "RR007"),
        ("src/app.ts", 6, "RR007"),
        ("src/app.ts", 7, "RR007"),
        ("src/lib/rstore.ts", 5, "RR007"),
    ]


def test_a_factory_of_another_module_called_per_request(tmp_path, monkeypatch):
    """As for Python (trial 13): `getRedis()` in src/lib/redis.ts returns a new client each time; route handlers
    of another module calling it (directly or through a re-export) build a client per request. A lazy singleton,
    a call at module level or from a startup hook is not reported."""
    files = {
        "package.json": "{}",
        "src/lib/redis.ts": """
            import Redis from "ioredis";
            import { createClient } from "redis";

            let shared: Redis | undefined;
            export function getRedis() {
              return new Redis(process.env.REDIS_URL!);
            }
            export const makeClient = () => createClient({ url: process.env.REDIS_URL });
            export async function connectRedis() {
              const c = createClient({ url: process.env.REDIS_URL });
              await c.connect();
              return c;
            }
            let lazy: Redis | undefined;
            export function getLazyRedis() {
              if (!lazy) {
                const r = new Redis(process.env.REDIS_URL!);
                lazy = r;
                return r;
              }
              return lazy;
            }
            export function getShared() {
              shared ??= new Redis(process.env.REDIS_URL!);
              return shared;
            }
        """,
        "src/lib/index.ts": 'export { getRedis as redisClient } from "./redis";\n',
        "src/routes.ts": """
            import { connectRedis, getLazyRedis, getRedis, getShared, makeClient } from "./lib/redis";
            import { redisClient } from "./lib";

            const boot = getRedis();
            export async function GET() {
              return getRedis().get("k");
            }
            export async function POST() {
              const c = makeClient();
              await c.connect();
              return c.get("k");
            }
            export async function PUT() {
              return (await redisClient()).get("k");
            }
            export async function DELETE() {
              return getShared().get("k");
            }
            export async function onStartup() {
              await getRedis().ping();
            }
            router.get("/x", async (req, res) => {
              res.json(await getRedis().get("k"));
            });
            let blocker: Redis | undefined;
            export async function HEAD() {
              blocker ??= getRedis();
              return blocker.get("k");
            }
            export async function PATCH() {
              const c = await connectRedis();
              return (await getLazyRedis().get("k")) ?? c.get("k");
            }
        """,
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(textwrap.dedent(text).lstrip("\n"))
    monkeypatch.chdir(tmp_path)
    found = [f for f in lint_paths([tmp_path / "src"]) if f.code == "RR009"]
    assert [(f.path, f.line) for f in found] == [
        ("src/routes.ts", 6),
        ("src/routes.ts", 9),
        ("src/routes.ts", 14),
        ("src/routes.ts", 23),
        ("src/routes.ts", 31),  # a client put in a local first (node-redis: connect, then return it)
    ]
    assert "and the function at line 22 calls it on every request" in found[3].message
    assert "getRedis() builds a new Redis client" in found[0].message
    assert "(src/lib/redis.ts line 6), and GET() calls it on every request" in found[0].message
    assert "(src/lib/redis.ts line 8), and POST() calls it" in found[1].message
    assert "redisClient() builds" in found[2].message and "(src/lib/redis.ts line 6), and PUT()" in found[2].message


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text).lstrip("\n"))


CHAIN = """
import Redis from "ioredis";

function {f}() {{
  return new Redis(process.env.REDIS_URL!);
}}
function {e}() {{ return {f}(); }}
function {d}() {{ return {e}(); }}
function {c}() {{ return {d}(); }}
function {b}() {{ return {c}(); }}
function {a}() {{ return {b}(); }}
"""
PLAIN = CHAIN.format(f="getRedis", e="e", d="d", c="c", b="b", a="a")
FACTORIES = CHAIN.format(f="getRedisE", e="getRedisD", d="getRedisC", c="getRedisB", b="getRedisA", a="getRedis")


def rr009(src: str) -> list[tuple[int, str]]:
    return [(f.line, f.message) for f in ts(src) if f.code == "RR009"]


@pytest.mark.parametrize("chain", [PLAIN, FACTORIES], ids=["helpers", "factories"])
def test_a_chain_of_five_calls_from_module_level_runs_once(chain):
    """RR009 follows calls in a file to any depth (it stopped at 3, and took a longer chain as per request)."""
    top = "a" if chain is PLAIN else "getRedis"
    assert rr009(chain + f"export const shared = {top}();\n") == []
    assert rr009(chain + f"async function main() {{\n  await serve({top}());\n}}\n") == []


@pytest.mark.parametrize(
    "handler",
    [
        'app.get("/x", async (req, res) => {\n  res.json(await TOP().get("k"));\n});\n',  # Express
        'fastify.get("/x", async (request, reply) => {\n  return TOP().get("k");\n});\n',  # Fastify
        'export async function GET() {\n  return Response.json(await TOP().get("k"));\n}\n',  # Next route
    ],
    ids=["express", "fastify", "next"],
)
def test_a_chain_of_five_calls_from_a_route_handler_is_per_request(handler):
    """Five plain helpers: the last one calls the factory on every request. Five factories (it took the fourth
    as run-once): a factory calling a factory is judged by its callers, so the finding names the handler's call."""
    (line, message), *more = rr009(PLAIN + handler.replace("TOP", "a"))
    assert not more and line == 4 and "each time getRedis() runs, and e() at line 6 calls it" in message
    (line, message), *more = rr009(FACTORIES + handler.replace("TOP", "getRedis"))
    who = "GET() at line 12" if "GET" in handler else "the function at line 11"
    assert not more and line == 4 and f"each time getRedisE() runs, and {who} calls it on every request" in message


def test_recursive_calls_end_and_the_cycles_entry_decides():
    """`a()` calling `b()` calling `a()` (and a factory calling itself through another) ends: called from module
    level the cycle runs once, from a route handler per request."""
    src = """
    import Redis from "ioredis";

    function getRedis() {
      return new Redis(process.env.REDIS_URL!);
    }
    function a(n: number): unknown {
      return n > 0 ? b(n - 1) : getRedis();
    }
    function b(n: number): unknown {
      return a(n);
    }
    function c(): unknown {
      return c();
    }
    """
    assert rr009(src + "export const shared = a(3);\nc();\n") == []
    ((line, message),) = rr009(src + "export async function GET() {\n  return a(3);\n}\n")
    assert line == 4 and "and a() at line 7 calls it on every request" in message
    ring = "".join(f"function r{i}(): unknown {{ return r{(i + 1) % 40}() ?? getRedis(); }}\n" for i in range(40))
    assert rr009(src + ring + "export const once = r5();\n") == []
    assert [line for line, _ in rr009(src + ring + "app.get('/x', () => r17());\n")] == [4]
    deep = "".join(f"function h{i}(): unknown {{ return h{i + 1}(); }}\n" for i in range(2000))
    assert rr009(src + deep + "function h2000() { return getRedis(); }\nexport const once = h0();\n") == []


def test_a_chain_of_factories_over_an_imported_factory_is_reported_at_the_handlers_call(tmp_path, monkeypatch):
    """A factory of the route file returning another module's `getRedis()` (through five factories) builds a
    client each time: reported where the handler calls it; called at module level, nowhere."""
    chain = """
        import { getRedis } from "./lib/redis";

        function makeClientE() { return getRedis(); }
        function makeClientD() { return makeClientE(); }
        function makeClientC() { return makeClientD(); }
        function makeClientB() { return makeClientC(); }
        function makeClientA() { return makeClientB(); }
        function e() { return getRedis(); }
        function d() { return e(); }
        function c() { return d(); }
        function b() { return c(); }
        function a() { return b(); }
    """
    _write(
        tmp_path,
        {
            "package.json": "{}",
            "src/lib/redis.ts": """
                import Redis from "ioredis";

                export function getRedis() {
                  return new Redis(process.env.REDIS_URL!);
                }
            """,
            "src/once.ts": chain + "export const one = makeClientA();\nexport const two = a();\n",
            "src/routes.ts": chain
            + """
                app.get("/x", async (req, res) => {
                  res.json(await makeClientA().get("k"));
                });
                export async function GET() {
                  return a().get("k");
                }
            """,
        },
    )
    monkeypatch.chdir(tmp_path)
    found = [f for f in lint_paths([tmp_path / "src"]) if f.code == "RR009"]
    assert [(f.path, f.line) for f in found] == [("src/routes.ts", 8), ("src/routes.ts", 15)]
    assert "makeClientA() builds a new Redis client" in found[1].message
    assert "(src/lib/redis.ts line 4), and the function at line 14 calls it" in found[1].message
    assert "getRedis() builds" in found[0].message and "and e() calls it" in found[0].message


def test_a_default_exported_factory_called_per_request(tmp_path, monkeypatch):
    """`import getRedis from "./redis"` of a default-exported factory (a function declaration, `export default
    getRedis`, `export { getRedis as default }`, an anonymous arrow) is judged as a named import is: a route
    handler calling it builds a client per request. A default-exported lazy singleton is not reported, nor a call
    at module level; the anonymous arrow is a factory, not a client built per call in its own module."""
    _write(
        tmp_path,
        {
            "package.json": "{}",
            "src/redis.ts": """
                import Redis from "ioredis";

                export default function getRedis() {
                  return new Redis(process.env.REDIS_URL!);
                }
            """,
            "src/named.ts": """
                import Redis from "ioredis";

                function getRedis() {
                  return new Redis(process.env.REDIS_URL!);
                }
                export default getRedis;
            """,
            "src/clause.ts": """
                import Redis from "ioredis";

                const makeClient = () => new Redis(process.env.REDIS_URL!);
                export { makeClient as default };
            """,
            "src/arrow.ts": """
                import Redis from "ioredis";

                export default () => new Redis(process.env.REDIS_URL!);
            """,
            "src/lazy.ts": """
                import Redis from "ioredis";

                let c: Redis | undefined;
                export default function getRedis() {
                  return (c ??= new Redis(process.env.REDIS_URL!));
                }
            """,
            "src/index.ts": 'export { default as viaIndex } from "./redis";\n',
            "src/routes.ts": """
                import getRedis from "./redis";
                import named from "./named";
                import clause from "./clause";
                import arrow from "./arrow";
                import lazy from "./lazy";
                import { viaIndex } from "./index";

                export const boot = getRedis();
                app.get("/x", async (req, res) => {
                  const r = getRedis();
                  res.json(await r.get("k"));
                });
                app.get("/y", async (req, res) => {
                  res.json([await named().get("k"), await clause().get("k"), await arrow().get("k")]);
                });
                export async function GET() {
                  return Response.json([await lazy().get("k"), await viaIndex().get("k")]);
                }
            """,
        },
    )
    monkeypatch.chdir(tmp_path)
    found = [f for f in lint_paths([tmp_path / "src"]) if f.code == "RR009"]
    assert [(f.path, f.line, f.column) for f in found] == [
        ("src/routes.ts", 10, 13),
        ("src/routes.ts", 14, 19),
        ("src/routes.ts", 14, 43),
        ("src/routes.ts", 14, 68),
        ("src/routes.ts", 17, 54),
    ]
    assert "getRedis() builds a new Redis client" in found[0].message
    assert "(src/redis.ts line 4), and the function at line 9 calls it on every request" in found[0].message
    assert "named() builds" in found[1].message and "(src/named.ts line 4)" in found[1].message
    assert "clause() builds" in found[2].message and "(src/clause.ts line 3)" in found[2].message
    assert "arrow() builds" in found[3].message and "(src/arrow.ts line 3)" in found[3].message
    assert "viaIndex() builds" in found[4].message and "(src/redis.ts line 4), and GET() calls it" in found[4].message


def test_edge_code_importing_a_tcp_client(ts_project):
    found = [f for f in lint_paths([ts_project / "src" / "edge"]) if f.code == "RR029"]
    assert [(f.path, f.line) for f in found] == [("src/edge/direct.ts", 1), ("src/edge/handler.ts", 1)]
    via = next(f for f in found if f.path.endswith("handler.ts"))
    assert "ioredis (through src/lib/index.ts -> src/lib/store.ts -> src/db/redis/index.ts)" in via.message
    policy = Policy(lint=LintPolicy(edge_dirs=["src/worker/"]))
    assert [f for f in lint_paths([ts_project / "src" / "edge"], policy) if f.code == "RR029"] == []


def test_python_edge_module_importing_redis(tmp_path, monkeypatch):
    for rel, text in {
        "setup.py": "",
        "src/edge/__init__.py": "",
        "src/edge/a.py": "import redis\n",
        "src/edge/b.py": "from src.lib import helper\n",
        "src/edge/c.py": "from upstash_redis import Redis\n",
        "src/__init__.py": "",
        "src/lib.py": "import redis\ndef helper():\n    return 1\n",
    }.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    monkeypatch.chdir(tmp_path)
    found = [(f.path, f.code) for f in lint_paths([tmp_path / "src" / "edge"])]
    assert found == [("src/edge/a.py", "RR029"), ("src/edge/b.py", "RR029")]


def test_json_and_sarif_carry_the_reason(ts_project):
    found = lint_paths([ts_project / "src" / "app" / "routes.ts"])
    first = found[0]
    assert first.evidence == "proven" and "src/lib/store.ts" in first.reason
    result = json.loads(format_sarif(found))["runs"][0]["results"][0]
    assert result["properties"]["reason"] == first.reason


def test_test_files_may_open_clients_per_test():
    src = IOREDIS + 'const url = "redis://localhost:6379";\ntest("x", async () => {\n  const c = new Redis(url);\n});\n'
    assert codes(src, path="src/cache.test.ts") == []
    assert codes(src, path="src/__tests__/cache.ts") == []
    assert codes(src, path="src/cache.ts") == ["RR010", "RR009"]


def test_javascript_commonjs_and_compiled_output():
    src = """
    const Redis = require("ioredis");
    const { createClient } = require("redis");
    const ioredis_1 = require("ioredis");
    const r = new Redis();
    const c = createClient();
    const compiled = new ioredis_1.default();
    async function f(key, start = 0, stop = -1) {
      await r.keys("*");
      await c.flushDb();
      await compiled.lrange(key, start, stop);
      const multi = r.multi();
      multi.set(key, 1);
      multi.pexpire(key, 100);
      await multi.exec();
    }
    """
    assert [(f.line, f.code) for f in ts(src, path="lib/queue.js")] == [(8, "RR007"), (9, "RR011"), (10, "RR008")]


def test_literal_endpoints_and_url_fallbacks():
    src = """
    export function options(connect?: string) {
      connect ??= "redis://localhost:6379";
      return Object.assign({ port: 6379, host: "127.0.0.1" }, { port: 5432, host: "db" });
    }
    """
    assert [(f.line, f.code) for f in ts(src, path="src/conn.ts")] == [(2, "RR010"), (3, "RR010")]
    assert ts(src, path="src/conn.test.ts") == []


@pytest.mark.parametrize(
    ("edge_path", "dirs"), [("src/edge/redis", ["src/edge/"]), ("lib/edgeredis", ["src/edge/", "lib/edgeredis/"])]
)
def test_an_edge_project_keeps_src_edge_as_edge_code(tmp_path, monkeypatch, edge_path, dirs):
    """With `edge`, the policy listed only the edge modules' folder: `src/edge/handler.ts` importing ioredis
    passed, where the README gives `src/edge/` as the edge code folder. Found by the fresh-user trial."""
    from redis_rules.policy import load_policy
    from tests.conftest import render

    out = render(tmp_path / "p", language="typescript", client="ioredis", edge=True, edge_path=edge_path)
    assert load_policy(out / ".redis-rules.yml").lint.edge_dirs == dirs
    (out / "src" / "edge").mkdir(parents=True, exist_ok=True)
    (out / "src" / "edge" / "handler.ts").write_text(IOREDIS)
    monkeypatch.chdir(out)
    found = [(f.path, f.code) for f in lint_paths([out]) if f.code == "RR029"]
    assert found == [("src/edge/handler.ts", "RR029")]


def test_inline_keys_in_del_and_in_a_local_built_just_before():
    # fresh-user trial 3: `r.del("lock:" + name)` and a key built in a local one line up passed in TypeScript
    # (Python's checker catches both: `delete` is a key command there, and a single-assignment local is followed)
    src = IOREDIS + textwrap.dedent(
        """
        const PREFIX = "app:" + "x";
        export async function f(name: string, uid: string, ids: string[]) {
          await r.del("lock:" + name);
          await r.unlink("a", `b:${uid}`);
          const key = `user:${uid}:profile`;
          await r.get(key);
          for (const k of ids) { await r.get(k); }
          let moved = "a";
          moved = `u:${uid}`;
          await r.get(moved);
          await r.get(PREFIX);
          const m = new Map<string, string>();
          m.delete("a:" + uid);
        }
        """
    )
    assert [(f.line, f.column, f.code) for f in ts(src)] == [(6, 15, "RR001"), (7, 23, "RR001"), (8, 15, "RR001")]


def test_keys_command_points_to_the_typescript_scan_helpers_and_spares_a_local_class():
    src = IOREDIS + textwrap.dedent(
        """
        class Store { keys(prefix: string): string[] { return [prefix]; } }
        class Mine extends Redis {}
        export function own(s: Store) { return s.keys("u:"); }
        export function generic(s: Store<string> | undefined) { return s!.keys("u:"); }
        export function sub(s: Mine) { return s.keys("u:*"); }
        export async function direct() { return r.keys("u:*"); }
        """
    )
    found = ts(src)
    assert [(f.line, f.code) for f in found] == [(8, "RR007"), (9, "RR007")]
    assert all("scanStream in ioredis, scanIterator in node-redis" in f.message for f in found)
    assert "scan_iter" not in found[0].message


def test_a_key_built_in_a_local_is_reported_once_for_all_the_calls_that_use_it():
    src = """
    export function f(conn, uid: string) {
      const key = "user:" + uid;
      conn.hmset(key, { a: 1 });
      conn.expire(key, 60);
    }
    """
    assert [(f.line, f.code) for f in ts(src) if f.code == "RR001"] == [(2, "RR001")]
    py = "def f(conn, uid):\n    key = 'user:' + uid\n    conn.hmset(key, {'a': 1})\n    conn.expire(key, 60)\n"
    assert [(f.line, f.code) for f in lint_source(py, "app/x.py") if f.code == "RR001"] == [(2, "RR001")]


def test_keys_built_in_arrays_and_map_callbacks_and_options_objects_bound_to_a_name():
    # fresh-user trial 4: node-redis `mGet(ids.map(i => `u:${i}`))`, `del([...])`, `new Redis(opts)` with a
    # literal password in `opts`, and an RR016 message in Python's spelling
    src = """
    import { createClient } from "redis";
    const r = createClient({ url: process.env.REDIS_URL });
    const opts = { url: process.env.REDIS_URL, password: "hunter2" };
    export const other = createClient(opts);
    export async function f(ids: string[]) {
      await r.mGet(ids.map((i) => `u:${i}`));
      await r.del(...ids.map((i) => "s:" + i));
      await r.del([`a:${ids[0]}`, "b"]);
      await r.del(ids);
      await r.del(ids.map((i) => keyFor(i)));
      await r.xAdd("events", "*", { a: "1" });
    }
    """
    found = ts(src)
    assert [(f.line, f.code) for f in found] == [(3, "RR010"), (6, "RR001"), (7, "RR001"), (8, "RR001"), (11, "RR016")]
    assert "hunter2" not in found[0].message
    assert "maxlen=" not in found[-1].message and "TRIM option" in found[-1].message


def test_python_keys_built_in_a_comprehension_and_a_password_in_a_kwargs_dict():
    src = textwrap.dedent(
        """
        import os
        import redis
        OPTS = {"host": os.environ["REDIS_HOST"], "password": "hunter2"}
        client = redis.Redis(**OPTS)
        r = redis.Redis.from_url(os.environ["REDIS_URL"])
        def f(ids):
            r.mget([f"u:{i}" for i in ids])
            r.delete(*[f"u:{i}" for i in ids])
            r.delete(*ids)
            r.mget(ids)
            r.xadd("s", {"a": 1})
        """
    ).lstrip("\n")
    found = lint_source(src, "app/x.py")
    assert [(f.line, f.code) for f in found] == [(3, "RR010"), (7, "RR001"), (8, "RR001"), (11, "RR016")]
    assert "maxlen= or minid=" in found[-1].message


def test_a_local_url_given_to_a_client_in_test_code_is_not_flagged_a_password_or_remote_host_is():
    # the check table says "local URLs and hosts in test code" are not flagged; a constructor's URL was
    ts_src = """
    import { createClient } from "redis";
    const config = { url: "redis://localhost:6379" } as const;
    export const a = createClient({ url: "redis://127.0.0.1:6379" });
    export const b = createClient(config);
    export const c = createClient({ url: "redis://:pw@localhost:6379" });
    export const d = createClient({ url: "redis://cache.internal:6379" });
    """
    assert [(f.line, f.code) for f in ts(ts_src, path="test/a.test.ts")] == [(5, "RR010"), (6, "RR010")]
    assert [f.line for f in ts(ts_src, path="src/a.ts")] == [2, 3, 5, 6]
    py = (
        "import redis\n"
        "a = redis.Redis.from_url('redis://localhost:6379/0')\n"
        "b = redis.Redis.from_url('redis://:pw@localhost:6379/0')\n"
        "c = redis.Redis(host='10.1.1.1')\n"
    )
    assert [(f.line, f.code) for f in lint_source(py, "tests/test_x.py")] == [(3, "RR010"), (4, "RR010")]
    assert [f.line for f in lint_source(py, "app/x.py")] == [2, 3, 4]


def test_a_list_of_keys_bound_to_a_name_and_block_body_callbacks():
    # fresh-user trial 5: `const ks = ids.map(i => `u:${i}`); r.mget(ks)`, `function (i) { return ... }`
    src = IOREDIS + textwrap.dedent(
        """
        export async function f(ids: string[]) {
          const ks = ids.map((i) => `u:${i}`);
          await r.mget(ks);
          await r.exists(ids.map(function (i) { return "e:" + i; }));
          await r.mget(ids.map((i) => { return `b:${i}`; }));
          await r.mget(ids.map((i) => { const k = i.trim(); return k; }));
          const upper = ids.map((k) => k.toUpperCase());
          await r.del(upper);
        }
        """
    )
    assert [(f.line, f.code) for f in ts(src)] == [(5, "RR001"), (7, "RR001"), (8, "RR001")]
    py = (
        "import os\nimport redis\nr = redis.Redis.from_url(os.environ['U'])\n"
        "def f(ids):\n    ks = [f'u:{i}' for i in ids]\n    r.mget(ks)\n    r.delete(*ks)\n"
        "    names = list(ids)\n    r.delete(*names)\n"
    )
    assert [(f.line, f.code) for f in lint_source(py, "app/x.py")] == [(5, "RR001")]


def test_python_connection_options_given_through_a_dict_call_or_a_spread_dict():
    # fresh-user trial 5: Redis(**dict(password=...)) and a literal host in **OPTS passed
    py = (
        "import os\nimport redis\n"
        'OPTS = {"host": "db.example.com", "password": "hunter2"}\n'
        "a = redis.Redis(**OPTS)\n"
        'd = dict(password="pw2", host=os.environ["H"])\n'
        "b = redis.Redis(**d)\n"
        'c = redis.Redis(**dict(host="localhost", password=os.environ["P"]))\n'
    )
    found = [(f.line, f.code, f.message.split(";")[0]) for f in lint_source(py, "app/x.py")]
    assert found == [
        (3, "RR010", "hardcoded Redis host 'db.example.com'"),
        (3, "RR010", "hardcoded Redis password"),
        (5, "RR010", "hardcoded Redis password"),
        (7, "RR010", "hardcoded Redis host 'localhost'"),  # a local host, as redis://localhost would be
    ]


def test_keys_of_other_packages_objects_and_two_argument_keys_are_no_keys_command(tmp_path, monkeypatch):
    """A trie or sorted map from another package has keys(prefix) / keys(lo, hi) of its own (fresh-user
    trial 6 saw each flagged RR007); a package named for Redis may wrap a client and stays reported."""
    src = IOREDIS + textwrap.dedent(
        """
        import { Trie } from "@ethereumjs/trie";
        import TrieSearch from "trie-search";
        import MockRedis from "ioredis-mock";
        const t1 = new Trie(); const t2 = new TrieSearch("name"); const m = new MockRedis();
        export function a(p: string) { return t1.keys(p); }
        export function b(p: string) { return t2.keys(p); }
        export function c(tree: { keys(a: string, b: string): string[] }, lo: string, hi: string) {
          return tree.keys(lo, hi);
        }
        export function d(c: any) { return c.keys("*", (e: Error, k: string[]) => k); }
        export function d2(c: any, cb: () => void) { return c.keys("*", cb) || c.keys("*", domain.intercept(cb)); }
        export function e() { return m.keys("*"); }
        """
    )
    assert [(f.line, f.code) for f in ts(src)] == [(13, "RR007"), (14, "RR007"), (14, "RR007"), (15, "RR007")]
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'app'\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "x.py").write_text(
        textwrap.dedent(
            """
            import marisa_trie
            import pygtrie
            from BTrees.OOBTree import OOBTree
            from flask_redis import FlaskRedis

            t, g, b, fr = marisa_trie.Trie(["a"]), pygtrie.CharTrie(), OOBTree(), FlaskRedis()


            def f(p, conn, lo, hi):
                t.keys(p)
                g.keys(p)
                b.keys(lo, hi)
                conn.keys(lo, hi)
                fr.keys("*")
                conn.keys("*")
            """
        ).lstrip("\n")
    )
    monkeypatch.chdir(tmp_path)
    assert [(f.line, f.code) for f in lint_paths([tmp_path / "app"])] == [(14, "RR007"), (15, "RR007")]


def test_range_bounds_that_fall_back_to_0_and_minus_1_in_the_call_or_a_local():
    src = IOREDIS + textwrap.dedent(
        """
        export async function a(key: string, end?: number) { return r.lrange(key, 0, end ?? -1); }
        export async function b(key: string, o: { end?: number } = {}) { return r.zrange(key, 0, o.end ?? -1); }
        export async function c(key: string, end?: number) { const stop = end ?? -1; return r.lrange(key, 0, stop); }
        export async function d(key: string) { const stop = -1; return r.lrange(key, 0, stop); }
        export async function ok1(key: string, end?: number) { return r.lrange(key, 0, end ?? 99); }
        export async function ok2(key: string, n: number) { const stop = n - 1; return r.lrange(key, 0, stop); }
        export async function ok3(key: string) { let stop = -1; stop = 20; return r.lrange(key, 0, stop); }
        """
    )
    assert [(f.line, f.code) for f in ts(src)] == [(4, "RR008"), (5, "RR008"), (6, "RR008"), (7, "RR008")]
    py = textwrap.dedent(
        """
        import redis
        r = redis.Redis()
        def a(key, end=None):
            return r.lrange(key, 0, end or -1)
        def b(key, end=None):
            return r.lrange(key, 0, -1 if end is None else end)
        def c(key, end=None):
            stop = end if end is not None else -1
            return r.lrange(key, 0, stop)
        def d(key, end=-1):
            return r.lrange(key, 0, end)
        def ok1(key, end=None):
            return r.lrange(key, 0, end or 99)
        def ok2(key, end=-1):
            end = min(end, 99)
            return r.lrange(key, 0, end)
        def ok3(key, every):
            return r.lrange(key, 0, -1 if every else 99)
        """
    ).lstrip("\n")
    found = [(f.line, f.code) for f in lint_source(py, "app/x.py") if f.code == "RR008"]
    assert found == [(4, "RR008"), (6, "RR008"), (9, "RR008"), (11, "RR008")]


def test_keys_of_non_redis_objects_held_in_fields_annotations_and_factories(tmp_path, monkeypatch):
    """Fresh-user trial 7: a trie kept in a field (`private trie = new Trie()`, `self.t = marisa_trie.Trie()`),
    an annotated parameter (`tr: Trie`, `t: pygtrie.StringTrie`), a static factory (`await Trie.create()`) and
    `new Store()` of a project class imported by name or as default were flagged RR007."""
    files = {
        "package.json": "{}",
        "src/store.ts": """
            export class PrefixStore { keys(p: string): string[] { return [p]; } }
            export default class DefStore { keys(p: string): string[] { return [p]; } }
        """,
        "src/app.ts": """
            import Redis from "ioredis";
            import { Trie } from "@ethereumjs/trie";
            import { PrefixStore } from "./store";
            import DefStore from "./store.js";
            const redis = new Redis(process.env.REDIS_URL!);
            export class Holder {
              private trie = new Trie();
              private typed!: Trie;
              private r = redis;
              a(p: string) { return this.trie.keys(p); }
              b(p: string) { return this.typed.keys(p); }
              c() { return this.r.keys("*"); }
            }
            export function d(tr: Trie) { return tr.keys("x"); }
            export async function e() { const x = await Trie.create(); return x.keys("y"); }
            export function f() { return new PrefixStore().keys("u:"); }
            export function g() { return new DefStore().keys("u:"); }
            export const h = () => redis.keys("*");
        """,
        "pyproject.toml": "[project]\nname = 'app'\n",
        "app/__init__.py": "",
        "app/holder.py": """
            import os

            import marisa_trie
            import pygtrie
            import redis


            class Store:
                def keys(self, prefix):
                    return [prefix]


            class Holder:
                t: pygtrie.CharTrie

                def __init__(self):
                    self.m = marisa_trie.Trie(["a"])
                    self.s = Store()
                    self.r = redis.Redis.from_url(os.environ["REDIS_URL"])

                def run(self, p, n: pygtrie.StringTrie):
                    self.m.keys(p)
                    self.s.keys(p)
                    self.t.keys(p)
                    n.keys("x")
                    return self.r.keys("*")
        """,
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(textwrap.dedent(text).lstrip("\n"))
    monkeypatch.chdir(tmp_path)
    found = [(f.path, f.line, f.code) for f in lint_paths([tmp_path / "src", tmp_path / "app"])]
    assert sorted(found) == [("app/holder.py", 26, "RR007"), ("src/app.ts", 12, "RR007"), ("src/app.ts", 18, "RR007")]


def test_range_bounds_from_a_ternary_and_after_a_compound_update():
    src = IOREDIS + textwrap.dedent(
        """
        export async function a(key: string, end?: number) { return r.lrange(key, 0, isUndefined(end) ? -1 : end); }
        export async function b(key: string, end?: number) {
          const stop = end === undefined ? -1 : end;
          return r.lrange(key, 0, stop);
        }
        export async function ok1(key: string) { let stop = -1; stop++; return r.lrange(key, 0, stop); }
        export async function ok2(key: string, end = -1) { end += 50; return r.lrange(key, 0, end); }
        export async function ok3(key: string, all: boolean) { return r.lrange(key, 0, all ? -1 : 99); }
        """
    )
    assert [(f.line, f.code) for f in ts(src)] == [(4, "RR008"), (7, "RR008")]
    py = "import redis\nr = redis.Redis()\ndef ok(key, end=-1):\n    end += 50\n    stop = -1\n    stop += 1\n"
    py += "    return r.lrange(key, 0, end), r.lrange(key, 0, stop)\n"
    assert [f.code for f in lint_source(py, "app/x.py") if f.code == "RR008"] == []


def test_keys_on_what_a_local_factory_returns_is_judged_by_its_returns():
    """`make_store().keys("u:")` with `make_store` returning a plain class was RR007 (fresh-user trial 7); a
    factory returning a client stays reported, and a function returning its own call is no loop."""
    src = IOREDIS + textwrap.dedent(
        """
        class Store { keys(p: string): string[] { return [p]; } }
        function makeStore() { return new Store(); }
        const makeStore2 = () => new Store();
        function loop(): any { return loop(); }
        function makeClient() { return new Redis(process.env.REDIS_URL!); }
        export function f() {
          makeStore().keys("u:");
          makeStore2().keys("u:");
          loop().keys("u:*");
          return makeClient().keys("*");
        }
        """
    )
    # makeClient builds a client each time f() calls it: RR009 at its `new Redis`
    assert [(f.line, f.code) for f in ts(src)] == [(8, "RR009"), (12, "RR007"), (13, "RR007")]
    py = textwrap.dedent(
        """
        import os
        import redis
        class Store:
            def keys(self, prefix):
                return [prefix]
        def make_store():
            return Store()
        def make_client():
            return redis.Redis.from_url(os.environ["REDIS_URL"])
        def loop():
            return loop()
        def f():
            make_store().keys("u:")
            loop().keys("u:*")
            return make_client().keys("*")
        """
    ).lstrip("\n")
    assert [(f.line, f.code) for f in lint_source(py, "app/x.py") if f.code == "RR007"] == [
        (14, "RR007"),
        (15, "RR007"),
    ]


@pytest.mark.parametrize(
    ("body", "stored", "updated"),
    [
        ("lazy = c;", True, False),
        ("this.c = c;", True, False),
        ("cache.c ??= (c);", True, False),
        ("c += 1;", False, True),
        ("c++;", False, True),
        ("--c;", False, True),
        ("c = other;", False, False),
        ("d = c.x; use(c);", False, False),
        ("function inner() { c ||= d; k = c; }", True, True),
    ],
)
def test_one_walk_finds_a_local_stored_elsewhere_or_updated_in_place(body, stored, updated):
    """_assigns walks a function once for both questions, the part of a node to match picked by a predicate:
    `_stored` (is local `c` kept somewhere: a lazy singleton, RR009) and `_updated` (is `c` changed in place:
    not the number it started with, RR008's ranges)."""
    from redis_rules.lint.typescript import _assigns, _stored, _updated, parse

    fn = parse(f"function f() {{ let c = 0; {body} }}".encode(), "src/app.ts").named_children[0]
    assert (_assigns(fn, "c", _stored), _assigns(fn, "c", _updated)) == (stored, updated)


def test_a_stored_client_and_an_updated_stop_are_judged_as_before(tmp_path, monkeypatch):
    """The two users of _assigns: a factory keeping its client (`lazy = c`) builds no fresh client (RR009 only at
    the call of the one that does not); `stop += 100` makes LRANGE's stop a value that is no longer -1 (RR008
    only for the whole list)."""
    _write(
        tmp_path,
        {
            "package.json": "{}",
            "src/redis.ts": """
                import Redis from "ioredis";

                let lazy: Redis | undefined;
                export function getRedis() {
                  const c = new Redis(process.env.REDIS_URL!);
                  lazy = c;
                  return c;
                }
                export function makeRedis() {
                  const c = new Redis(process.env.REDIS_URL!);
                  return c;
                }
                export async function all(key: string) {
                  return lazy!.lrange(key, 0, -1);
                }
                export async function some(key: string) {
                  let stop = -1;
                  stop += 100;
                  return lazy!.lrange(key, 0, stop);
                }
            """,
            "src/routes.ts": """
                import { getRedis, makeRedis } from "./redis";

                export async function GET() {
                  return [await getRedis().get("k"), await makeRedis().get("k")];
                }
            """,
        },
    )
    monkeypatch.chdir(tmp_path)
    found = [f for f in lint_paths([tmp_path / "src"]) if f.code in ("RR008", "RR009")]
    assert [(f.path, f.line, f.code) for f in found] == [("src/redis.ts", 14, "RR008"), ("src/routes.ts", 4, "RR009")]
    assert found[1].message.startswith("makeRedis() builds a new Redis client")


# ---------------------------------------------------------------- RR018 dedicated-subscriber-connection
GETTER = 'import { createSubscriber, getClient } from "./db/redis";\n'


@pytest.mark.parametrize(
    ("src", "line", "name"),
    [
        (
            GETTER + "export async function listen(ch: string) {\n  await getClient().subscribe(ch);\n}\n",
            3,
            "getClient()",
        ),
        (GETTER + "const r = getClient();\nexport const listen = (ch: string) => r.psubscribe(ch);\n", 3, "r"),
        (  # a module-level client that is also sent commands is the shared one
            IOREDIS + 'export const get = (k: string) => r.get(k);\nr.subscribe("ch");\n',
            4,
            "r",
        ),
        (
            'import { createClient } from "redis";\nconst client = createClient({ url: process.env.REDIS_URL });\n'
            "export const get = (k: string) => client.get(k);\n"
            'await client.sSubscribe("ch", (m) => console.log(m));\n',
            4,
            "client",
        ),
        (
            'import Redis from "ioredis";\nclass Feed {\n  private redis = new Redis(process.env.REDIS_URL!);\n'
            "  get(k: string) { return this.redis.get(k); }\n"
            "  watch(ch: string) { return this.redis.subscribe(ch); }\n}\n",
            5,
            "this.redis",
        ),
    ],
)
def test_subscribe_on_the_shared_client_is_reported_anywhere(src, line, name):
    (found,) = [f for f in ts(src) if f.code == "RR018"]
    assert found.line == line
    assert found.message.startswith(f"{name}.")
    assert "on the shared client puts its connection in subscriber mode" in found.message


@pytest.mark.parametrize(
    ("good", "bad"),
    [
        # a client only ever subscribed (a dedicated connection kept at module level) vs one also sent commands
        (IOREDIS + 'r.subscribe("ch");\n', IOREDIS + 'r.subscribe("ch");\nr.get("k");\n'),
        # a connection of its own: duplicate(), the client module's createSubscriber(), a name saying so
        (
            GETTER + 'const conn = getClient().duplicate();\nawait conn.subscribe("c");\n',
            GETTER + 'const conn = getClient();\nawait conn.subscribe("c");\n',
        ),
        (
            GETTER
            + 'export async function listen() {\n  const conn = createSubscriber();\n  await conn.subscribe("c");\n}\n',
            GETTER + 'export async function listen() {\n  const conn = getClient();\n  await conn.subscribe("c");\n}\n',
        ),
        (
            GETTER + 'const subscriber = getClient();\nawait subscriber.subscribe("c");\n',
            GETTER + 'const redis = getClient();\nawait redis.subscribe("c");\n',
        ),
        (
            'import Redis from "ioredis";\nclass Feed {\n  private redis = new Redis(process.env.REDIS_URL!);\n'
            "  private sub = this.redis.duplicate();\n  get(k: string) { return this.redis.get(k); }\n"
            "  watch(ch: string) { return this.sub.subscribe(ch); }\n}\n",
            'import Redis from "ioredis";\nclass Feed {\n  private redis = new Redis(process.env.REDIS_URL!);\n'
            "  private sub = this.redis.duplicate();\n  get(k: string) { return this.redis.get(k); }\n"
            "  watch(ch: string) { return this.redis.subscribe(ch); }\n}\n",
        ),
        # a receiver of unknown type; @upstash/redis (REST)
        (
            'export async function f(client: any) {\n  await client.subscribe("c");\n}\n',
            GETTER + 'export async function f(client: any) {\n  await getClient().subscribe("c");\n}\n',
        ),
        (
            'import { Redis } from "@upstash/redis";\nconst r = Redis.fromEnv();\n'
            'await r.get("a");\nawait r.subscribe("c");\n',
            IOREDIS + 'await r.get("a");\nawait r.subscribe("c");\n',
        ),
    ],
)
def test_subscribe_on_a_connection_of_its_own_is_not_reported(good, bad):
    assert [f.line for f in ts(good) if f.code == "RR018"] == []
    assert len([f for f in ts(bad) if f.code == "RR018"]) == 1


def test_duplicate_in_a_function_that_runs_per_call_is_reported():
    src = GETTER + (
        "export async function handler(ch: string) {\n  const s = getClient().duplicate();\n"
        "  await s.subscribe(ch);\n  await s.quit();\n}\n"
    )
    (found,) = [f for f in ts(src) if f.code == "RR018"]
    assert found.line == 3
    assert found.message.startswith("getClient().duplicate() opens a new connection each time handler() runs")


@pytest.mark.parametrize(
    "good",
    [
        GETTER + 'const s = getClient().duplicate();\nawait s.subscribe("c");\n',  # module level: once
        GETTER + "let s: any;\nexport function handler() {\n  s ??= getClient().duplicate();\n  return s;\n}\n",  # kept
        GETTER + "export function createSubscriberClient() {\n  return getClient().duplicate();\n}\n",  # a factory
        GETTER + "export async function startSubscriber() {\n"
        '  const s = getClient().duplicate();\n  await s.subscribe("c");\n}\n',
        GETTER + 'export function init() {\n  const s = getClient().duplicate();\n  s.subscribe("c");\n}\n',  # startup
    ],
)
def test_duplicate_kept_built_once_or_setting_a_subscriber_up_is_not_reported(good):
    bad = GETTER + "export async function handler() {\n  const s = getClient().duplicate();\n  return s.get('k');\n}\n"
    assert [f.line for f in ts(good) if f.code == "RR018"] == []
    assert [f.line for f in ts(bad) if f.code == "RR018"] == [3]


def test_duplicate_in_test_code_is_not_reported():
    src = GETTER + 'test("x", async () => {\n  const s = getClient().duplicate();\n  await s.subscribe("c");\n});\n'
    assert [f.line for f in ts(src, path="test/sub.test.ts") if f.code == "RR018"] == []
    assert [f.line for f in ts(src) if f.code == "RR018"] == [3]


def test_subscriber_advice_names_the_generated_pubsub_module_when_the_project_has_one(tmp_path, monkeypatch):
    files = {
        "package.json": "{}",
        ".redis-rules.yml": 'module_path: "src/db/redis"\n',
        "src/db/redis/index.ts": 'import Redis from "ioredis";\nlet shared: Redis | undefined;\n'
        "export function getClient(): Redis {\n  shared ??= new Redis(process.env.REDIS_URL!);\n  return shared;\n}\n",
        "src/db/redis/pubsub.ts": "export async function subscribeInvalidations(cb: (k: string) => void) {}\n",
        "src/app.ts": 'import { getClient } from "./db/redis";\nexport async function listen(ch: string) {\n'
        "  await getClient().subscribe(ch);\n}\n",
    }
    _write(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    (found,) = [f for f in lint_paths([tmp_path], cache=False) if f.code == "RR018"]
    assert (found.path, found.line) == ("src/app.ts", 3)
    assert "pubsub.subscribeInvalidations(handler)" in found.message
    (tmp_path / "src/db/redis/pubsub.ts").unlink()
    (found,) = [f for f in lint_paths([tmp_path], cache=False) if f.code == "RR018"]
    assert "subscribeInvalidations" not in found.message


# ---------------------------------------------------------------- RR022 pickle-values (TypeScript)
# RR022's TypeScript examples exactly as `redis-rules rules RR022 --language typescript` prints them (a user trial:
# the bad one passed `redis-rules lint` while the project's CLAUDE.md said the check covers it)
RR022_BAD = """\
import { getClient } from "@/db/redis";
import * as keys from "@/db/redis/keys";

const r = getClient();
const raw = await r.get(keys.userProfileKey(userId));
// stored with serialize-javascript (keeps Dates and Maps) and read back the way its README shows
const profile = raw === null ? null : eval(`(${raw})`); // runs whatever code the key holds
"""
RR022_GOOD = """\
import { getClient } from "@/db/redis";
import * as keys from "@/db/redis/keys";

const r = getClient();
const raw = await r.get(keys.userProfileKey(userId));
const profile: UserProfile | null = raw === null ? null : JSON.parse(raw);
"""


def test_the_rules_own_typescript_examples():
    (found,) = lint_source(RR022_BAD, "src/profile.ts")
    assert (found.code, found.check, found.line) == ("RR022", "pickle-values", 7)
    assert "eval() is given a value read from Redis" in found.message and "JSON.parse" in found.message
    assert lint_source(RR022_GOOD, "src/profile.ts") == []


@pytest.mark.parametrize(
    ("body", "runner"),
    [
        ('const raw = await r.get(k);\n  return eval("(" + raw + ")");', "eval"),
        ("const raw = await r.get(k);\n  return eval(`(${raw})`);", "eval"),
        ("return eval(await r.get(k) as string);", "eval"),
        ('const raw = await r.hget("h", k);\n  return new Function(raw!)();', "new Function"),
        ('const raw = await r.get(k);\n  return new Function("return " + raw)();', "new Function"),
        ('const src = await r.get(k);\n  return Function("ctx", src ?? "")(1);', "Function"),
        ("const buf = await r.getBuffer(k);\n  return v8.deserialize(buf!);", "v8.deserialize"),
        (
            "const s = await r.get(k);\n  const code = `(${s})`;\n  return vm.runInNewContext(code);",
            "vm.runInNewContext",
        ),
        ("const s = await r.get(k);\n  return new vm.Script(s!).runInThisContext();", "new vm.Script"),
        ("const s = await r.get(k);\n  return serialize.unserialize(s);", "serialize.unserialize"),
        ("const s = await r.get(k);\n  return unserialize(s);", "unserialize"),
        ('const s = await c.hGet("h", k);\n  return eval(`(${s})`);', "eval"),
    ],
)
def test_a_value_read_from_redis_run_as_code(body, runner):
    src = IOREDIS + (
        'import * as v8 from "node:v8";\nimport vm from "vm";\nimport serialize from "node-serialize";\n'
        'const { unserialize } = require("node-serialize");\nimport { createClient } from "redis";\n'
        "const c = createClient();\n"
        f"export async function load(k: string) {{\n  {body}\n}}\n"
    )
    found = [f for f in ts(src) if f.code == "RR022"]
    assert len(found) == 1, found
    assert found[0].check == "pickle-values"
    assert found[0].message.startswith(f"{runner}() is given a value read from Redis")
    assert found[0].line == 10 + body.count("\n")  # the last line of the body
    # test code too, as the Python check (a test that evals what it read shows the pattern to copy)
    assert [f.code for f in ts(src, path="test/load.test.ts") if f.code == "RR022"] == ["RR022"]


def test_look_alikes_of_a_redis_value_run_as_code_are_not_flagged():
    src = IOREDIS + textwrap.dedent(
        """
        import * as v8 from "v8";
        import vm from "vm";
        const cache = new Map<string, string>();
        export async function parsed(k: string) {
          const raw = await r.get(k);
          return raw === null ? null : JSON.parse(raw);
        }
        export async function constant(k: string) {
          await r.get(k);
          return eval("1 + 1") + new Function("return 2")();
        }
        export async function notRedis(k: string, other: string) {
          const raw = await r.get(k);
          const local = cache.get(k);
          return [raw, eval(other), eval(local!), vm.runInNewContext(other), v8.deserialize(Buffer.from(other))];
        }
        export async function queued(k: string) {
          return eval(String(r.pipeline().get(k)));
        }
        export async function checkedOnly(k: string) {
          const raw = await r.get(k);
          return eval(raw === null ? "0" : "1");
        }
        """
    )
    assert [f.line for f in ts(src) if f.code == "RR022"] == []
    # the same module with the value read from Redis in place of each look-alike: every one is flagged
    twins = (
        src.replace("JSON.parse(raw)", "eval(raw)")
        .replace('eval("1 + 1")', "eval(`${await r.get(k)}`)")
        .replace("eval(other)", "eval(raw!)")
        .replace("r.pipeline().get(k)", "await r.get(k)")
    )
    assert [f.line for f in ts(twins) if f.code == "RR022"] == [9, 13, 18, 21]
