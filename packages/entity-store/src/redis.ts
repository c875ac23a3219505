// The Redis backend (ioredis).
//
// Layout, with the default prefix "agnt5:entity:" and T = the type with "%", ":", "{", "}" escaped:
//   agnt5:entity:{T:key}:meta   hash: version, updated_at (ms), last_invocation_id, last_output
//   agnt5:entity:{T:key}:state  hash: field name -> JSON text
//   agnt5:entity:index:type     sorted set of the type's keys, all with score 0 (ZRANGEBYLEX)
//
// The hash tag {T:key} puts an entity's two hashes in one Redis Cluster slot, so the commit
// script (which touches exactly those two keys) is atomic on a cluster too. The per-type index
// lives in another slot and is maintained outside the script: added *before* an entity is created
// (so a crash can leave an index entry without an entity, never an entity without an entry) and
// removed after it is deleted. listKeys skips index entries whose entity does not exist.
import { createHash } from "node:crypto";
import type { Cluster, Redis } from "ioredis";
import { EntityStoreError, invalid, redactUrl } from "./errors.js";
import type {
  CommitResult,
  EntityCommit,
  EntitySnapshot,
  EntityStore,
  ListKeysOptions,
  ListKeysPage,
} from "./types.js";
import { checkEntityId, compareCodePoints, encodeCursor, normalizeCommit, normalizeListOptions } from "./validate.js";

export const DEFAULT_REDIS_PREFIX = "agnt5:entity:";

/**
 * The compare-and-set commit. KEYS[1] = meta hash, KEYS[2] = state hash.
 * ARGV: expected version, updated_at (ms), has write ("1"/"0"), invocation id, output,
 *       number of sets n, then n field/value pairs, then the fields to delete.
 * Returns {1, new version} or {0, current version}.
 */
export const COMMIT_SCRIPT = `
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if current ~= tonumber(ARGV[1]) then
  return {0, current}
end
local first_delete = 7 + 2 * tonumber(ARGV[6])
-- unpack() is limited by the Lua stack: apply in chunks of 1000 arguments (500 pairs).
for i = first_delete, #ARGV, 1000 do
  redis.call('HDEL', KEYS[2], unpack(ARGV, i, math.min(i + 999, #ARGV)))
end
for i = 7, first_delete - 1, 1000 do
  redis.call('HSET', KEYS[2], unpack(ARGV, i, math.min(i + 999, first_delete - 1)))
end
local version = current + 1
if ARGV[3] == '1' then
  redis.call('HSET', KEYS[1], 'version', version, 'updated_at', ARGV[2],
    'last_invocation_id', ARGV[4], 'last_output', ARGV[5])
else
  redis.call('HSET', KEYS[1], 'version', version, 'updated_at', ARGV[2])
  redis.call('HDEL', KEYS[1], 'last_invocation_id', 'last_output')
end
return {1, version}
`;

/**
 * A consistent read of both hashes. KEYS[1] = meta hash, KEYS[2] = state hash.
 * Returns {version or false, last invocation id or false, last output or false, {field, value, ...}}.
 */
export const LOAD_SCRIPT = `
local meta = redis.call('HMGET', KEYS[1], 'version', 'last_invocation_id', 'last_output')
return {meta[1], meta[2], meta[3], redis.call('HGETALL', KEYS[2])}
`;

interface Script {
  source: string;
  sha: string;
}

const script = (source: string): Script => ({ source, sha: createHash("sha1").update(source).digest("hex") });
const COMMIT = script(COMMIT_SCRIPT);
const LOAD = script(LOAD_SCRIPT);

export interface RedisEntityStoreOptions {
  /** Key prefix, default "agnt5:entity:". Must not contain "{" or "}" (it would become the hash tag). */
  prefix?: string;
}

export interface OpenRedisEntityStoreOptions extends RedisEntityStoreOptions {
  /** redis://[user:password@]host:port[/db]; default redis://127.0.0.1:6379. */
  url?: string;
  /** How long the first connection may take, default 5000 ms. */
  connectTimeoutMs?: number;
}

type RedisClient = Redis | Cluster;

const TYPE_ESCAPES: Record<string, string> = { "%": "%25", ":": "%3A", "{": "%7B", "}": "%7D" };
const escapeType = (type: string) => type.replace(/[%:{}]/g, (ch) => TYPE_ESCAPES[ch]!);

class RedisStore implements EntityStore {
  readonly backend = "redis" as const;
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly #release: (() => Promise<void>) | undefined;
  #closed = false;

  constructor(client: RedisClient, options: RedisEntityStoreOptions, release?: () => Promise<void>) {
    const prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
    if (typeof prefix !== "string" || /[{}]/.test(prefix)) {
      throw invalid(`Redis key prefix must be a string without "{" or "}", got ${JSON.stringify(prefix)}`);
    }
    this.#client = client;
    this.#prefix = prefix;
    this.#release = release;
  }

  /** The Redis keys of one entity (exposed for tests and operators). */
  keysOf(type: string, key: string): { meta: string; state: string; index: string } {
    // The type is escaped ("%", ":", "{", "}" as %XX): the first ":" after "{" then separates type
    // from key, so no two (type, key) pairs share keys (the key needs no escaping: the suffix is
    // fixed), and the hash tag - from that "{" to the next "}" - is never empty and is the same for
    // both keys, whatever braces the key holds.
    const tag = `${this.#prefix}{${escapeType(type)}:${key}}`;
    return { meta: `${tag}:meta`, state: `${tag}:state`, index: this.#indexKey(type) };
  }

  #indexKey(type: string): string {
    return `${this.#prefix}index:${type}`;
  }

  async load(type: string, key: string): Promise<EntitySnapshot> {
    this.#assertOpen();
    checkEntityId(type, key);
    const { meta, state } = this.keysOf(type, key);
    const [version, invocationId, output, fields] = (await this.#eval(LOAD, [meta, state], [])) as [
      string | null,
      string | null,
      string | null,
      string[],
    ];
    if (version === null) return { state: {}, version: 0 };
    const entries: Array<[string, string]> = [];
    for (let i = 0; i + 1 < fields.length; i += 2) entries.push([fields[i]!, fields[i + 1]!]);
    // Object.fromEntries defines own properties, so a field named "__proto__" stays a field.
    const snapshot: EntitySnapshot = { state: Object.fromEntries(entries), version: Number(version) };
    if (invocationId !== null) snapshot.lastWrite = { invocationId, output: output ?? "" };
    return snapshot;
  }

  async commit(type: string, key: string, commit: EntityCommit): Promise<CommitResult> {
    this.#assertOpen();
    checkEntityId(type, key);
    const change = normalizeCommit(commit);
    const { meta, state, index } = this.keysOf(type, key);
    // Creating: index first (idempotent), so no crash leaves an entity that listKeys cannot see.
    if (change.expectedVersion === 0) await this.#client.zadd(index, 0, key);
    const args: string[] = [
      String(change.expectedVersion),
      String(Date.now()),
      change.write ? "1" : "0",
      change.write?.invocationId ?? "",
      change.write?.output ?? "",
      String(change.sets.length),
    ];
    for (const [field, value] of change.sets) args.push(field, value);
    for (const field of change.deletes) args.push(field);
    const [ok, version] = (await this.#eval(COMMIT, [meta, state], args)) as [number, number];
    return ok === 1 ? { ok: true, version } : { ok: false, reason: "stale", currentVersion: version };
  }

  async listKeys(type: string, options?: ListKeysOptions): Promise<ListKeysPage> {
    this.#assertOpen();
    const { prefix, prefixEnd, limit, after } = normalizeListOptions(type, options);
    const index = this.#indexKey(type);
    let min = prefix === "" ? "-" : `[${prefix}`;
    if (after !== undefined && compareCodePoints(after, prefix) >= 0) min = `(${after}`;
    const max = prefixEnd === undefined ? "+" : `(${prefixEnd}`;
    const keys: string[] = [];
    // Fetch one more than the page to know whether there is a next one; skip index entries whose
    // entity is gone (a crash between the index update and the commit or delete).
    for (;;) {
      const want = limit + 1 - keys.length;
      const batch = await this.#client.zrangebylex(index, min, max, "LIMIT", 0, want);
      if (batch.length === 0) break;
      const exists = await Promise.all(batch.map((k) => this.#client.exists(this.keysOf(type, k).meta)));
      batch.forEach((k, i) => {
        if (exists[i] === 1) keys.push(k);
      });
      if (batch.length < want || keys.length > limit) break;
      min = `(${batch[batch.length - 1]}`;
    }
    const page = keys.slice(0, limit);
    return keys.length > limit ? { keys: page, cursor: encodeCursor(page[page.length - 1]!) } : { keys: page };
  }

  async delete(type: string, key: string): Promise<void> {
    this.#assertOpen();
    checkEntityId(type, key);
    const { meta, state, index } = this.keysOf(type, key);
    await this.#client.del(meta, state); // both in one slot: one atomic command
    await this.#client.zrem(index, key);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#release?.();
  }

  /** EVALSHA, falling back to EVAL (which also caches the script) when the server lost it (NOSCRIPT). */
  async #eval(s: Script, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await this.#client.evalsha(s.sha, keys.length, [...keys, ...args]);
    } catch (err) {
      if (!String((err as Error)?.message).startsWith("NOSCRIPT")) throw err;
      return await this.#client.eval(s.source, keys.length, [...keys, ...args]);
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new EntityStoreError("CLOSED", "the redis entity store is closed");
  }
}

export type RedisEntityStore = EntityStore & {
  readonly backend: "redis";
  /** The Redis keys holding one entity, and its type's index. */
  keysOf(type: string, key: string): { meta: string; state: string; index: string };
};

/** An entity store on an ioredis client (or Cluster) you opened; `close()` leaves it connected. */
export function createRedisEntityStore(client: RedisClient, options: RedisEntityStoreOptions = {}): RedisEntityStore {
  return new RedisStore(client, options);
}

/** Connects its own ioredis client; fails clearly (instead of retrying forever) if Redis cannot be reached. */
export async function openRedisEntityStore(options: OpenRedisEntityStoreOptions = {}): Promise<RedisEntityStore> {
  const url = options.url ?? "redis://127.0.0.1:6379";
  const { Redis: RedisClass } = await import("ioredis");
  const client = new RedisClass(url, {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    // Fail a command after a few reconnect attempts rather than queueing it indefinitely.
    maxRetriesPerRequest: 3,
  });
  client.on("error", () => {}); // reported through the failing commands; unhandled it would crash
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    throw new EntityStoreError(
      "UNAVAILABLE",
      `cannot connect to Redis for the entity store at ${redactUrl(url)}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return new RedisStore(client, options, async () => {
    await client.quit().catch(() => client.disconnect());
  });
}
