// Evaluates keys.ts builders for tests/test_keys_ts.py: transpiles KEYS_TS with the shared toolchain's
// TypeScript (no type check here: the matrix runs tsc), then answers one JSON call per input line with
// {"ok": result} or {"error": name}. Usage: node keys_runner.mjs KEYS_TS NODE_MODULES < calls.jsonl
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createInterface } from "node:readline";

const [keysTs, nodeModules] = process.argv.slice(2);
const ts = (await import(pathToFileURL(join(nodeModules, "typescript", "lib", "typescript.js")).href)).default;
const out = ts.transpileModule(readFileSync(keysTs, "utf8"), {
  compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
});
const dir = mkdtempSync(join(tmpdir(), "keys-ts-"));
const file = join(dir, "keys.mjs");
writeFileSync(file, out.outputText);
const keys = await import(pathToFileURL(file).href);
rmSync(dir, { recursive: true, force: true });

// JSON cannot carry every Python value: ints, floats and bools come tagged.
function value(v) {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
  if ("int" in v) {
    const n = BigInt(v.int);
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  }
  if ("float" in v) return Number(v.float);
  if ("bool" in v) return v.bool;
  if ("missing" in v) return undefined;
  throw new Error(`unknown tagged value ${JSON.stringify(v)}`);
}

const builders = {
  encode_segment: (a) => keys.encodeSegment(a[0]),
  window_ms: (a) => keys.windowMs(a[0]),
  limit_definition: (a) => keys.limitDefinition(a[0], a[1]),
  build: (a) => keys.build(a[0], a[1], a[2], { hashTag: a[3] }),
  session_key: (a) => keys.sessionKey(a[0]),
  user_sessions_key: (a) => keys.userSessionsKey(a[0]),
  user_profile_key: (a) => keys.userProfileKey(a[0]),
  cache_key: (a) => keys.cacheKey(a[0], a[1], a[2]),
  cache_lock_key: (a) => keys.cacheLockKey(a[0]),
  cache_tag_key: (a) => keys.cacheTagKey(a[0]),
  rate_limit_key: (a) => keys.rateLimitKey(a[0], a[1], a[2], { limit: a[3], window: a[4], algorithm: a[5] }),
  rate_limit_bucket_keys: (a) => keys.rateLimitBucketKeys(a[0], a[1], a[2], a[3], { limit: a[4], window: a[5] }),
  idempotency_key: (a) => keys.idempotencyKey(a[0], a[1]),
  stream_key: (a) => keys.streamKey(a[0]),
  dead_letter_stream_key: (a) => keys.deadLetterStreamKey(a[0]),
  stream_request_ids_key: (a) => keys.streamRequestIdsKey(a[0]),
  channel_name: (a) => keys.channelName(a[0]),
  lock_key: (a) => keys.lockKey(a[0]),
  current_env: () => keys.currentEnv(),
};

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
const results = [];
for await (const line of lines) {
  if (!line) continue;
  const call = JSON.parse(line);
  if (call.env === null) delete process.env.APP_ENV;
  else process.env.APP_ENV = call.env;
  try {
    results.push(JSON.stringify({ ok: builders[call.fn](call.args.map(value)) }));
  } catch (err) {
    results.push(JSON.stringify({ error: err instanceof Error ? err.name : String(err) }));
  }
}
process.stdout.write(results.join("\n") + "\n");
