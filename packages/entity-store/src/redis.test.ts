// Redis specifics beyond the conformance suite: key layout and hash tags, the script cache, the
// per-type index, clients the store is handed, and failing clearly.
import type { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createRedisEntityStore, openRedisEntityStore, type RedisEntityStore } from "./redis.js";
import { deleteRedisPrefix, REDIS_URL, redisAdmin, redisReachable, testRedisPrefix } from "./test-support/backends.js";

/** The part of a key Redis Cluster hashes to pick its slot (the hash tag rules). */
function hashTag(key: string): string {
  const open = key.indexOf("{");
  if (open < 0) return key;
  const close = key.indexOf("}", open + 1);
  return close < 0 || close === open + 1 ? key : key.slice(open + 1, close);
}

describe("Redis entity store", () => {
  let client: Redis;
  let store: RedisEntityStore;
  const prefix = testRedisPrefix();

  beforeAll(async () => {
    try {
      client = await redisAdmin();
      store = createRedisEntityStore(client, { prefix });
    } catch {
      // reported by redisReachable: every test fails with the reason
    }
  });
  beforeEach(redisReachable);

  afterAll(async () => {
    if (!client) return;
    await deleteRedisPrefix(client, prefix);
    await client.quit();
  });

  it("keeps an entity in two hashes under one hash tag, and its key in a per-type index", async () => {
    await store.commit("Cart", "user:1", {
      expectedVersion: 0,
      sets: { items: '["apple"]', total: "3" },
      deletes: [],
      write: { invocationId: "inv_1", output: '{"count":1}' },
    });
    const keys = store.keysOf("Cart", "user:1");
    expect(keys).toEqual({
      meta: `${prefix}{Cart:user:1}:meta`,
      state: `${prefix}{Cart:user:1}:state`,
      index: `${prefix}index:Cart`,
    });
    const meta = await client.hgetall(keys.meta);
    expect(meta).toEqual({
      version: "1",
      updated_at: expect.stringMatching(/^\d{13}$/),
      last_invocation_id: "inv_1",
      last_output: '{"count":1}',
    });
    expect(await client.hgetall(keys.state)).toEqual({ items: '["apple"]', total: "3" });
    expect(await client.zrange(keys.index, "0", "-1")).toEqual(["user:1"]);

    await store.commit("Cart", "user:1", { expectedVersion: 1, sets: {}, deletes: ["items", "total"] });
    expect(await client.exists(keys.state)).toBe(0); // Redis drops an empty hash; the version stays in meta
    expect(await client.hgetall(keys.meta)).toEqual({ version: "2", updated_at: expect.any(String) });
    expect(await store.load("Cart", "user:1")).toEqual({ state: {}, version: 2 });

    await store.delete("Cart", "user:1");
    expect(await client.exists(keys.meta, keys.state, keys.index)).toBe(0);
  });

  it("puts both keys of any entity in one cluster slot, and no two entities share keys", () => {
    const pairs: Array<[string, string]> = [
      ["Cart", "k"],
      ["a:b", "c"],
      ["a", "b:c"],
      ["x%3A", "y"],
      ["x:", "y"],
      ["{t}", "k"],
      ["t", "}"],
      ["t", "{"],
      ["}", "{}"],
      ["}", ""],
      ["{", "}"],
      ["t", ""],
    ];
    const seen = new Set<string>();
    for (const [type, key] of pairs) {
      const { meta, state } = store.keysOf(type, key);
      expect(hashTag(meta), `${type}/${key}`).toBe(hashTag(state));
      expect(hashTag(meta)).not.toBe(meta); // a real tag, not the whole key
      expect(seen.has(meta)).toBe(false);
      seen.add(meta);
    }
  });

  it("re-sends a script the server no longer has (NOSCRIPT)", async () => {
    let evalCalls = 0;
    // A client whose script cache is always empty (as after SCRIPT FLUSH or a failover).
    const forgetful = new Proxy(client, {
      get(target, prop, receiver) {
        if (prop === "evalsha")
          return async () => Promise.reject(new Error("NOSCRIPT No matching script. Please use EVAL."));
        if (prop === "eval") {
          return (...args: unknown[]) => {
            evalCalls++;
            return (target.eval as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          };
        }
        const value = Reflect.get(target, prop, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const s = createRedisEntityStore(forgetful, { prefix });
    expect(await s.commit("Scripted", "k", { expectedVersion: 0, sets: { a: "1" }, deletes: [] })).toEqual({
      ok: true,
      version: 1,
    });
    expect(await s.load("Scripted", "k")).toEqual({ state: { a: "1" }, version: 1 });
    expect(evalCalls).toBe(2);
  });

  it("listKeys skips index entries whose entity does not exist (a crash between index and commit)", async () => {
    for (const key of ["b", "d"]) await store.commit("Crashy", key, { expectedVersion: 0, sets: {}, deletes: [] });
    const { index } = store.keysOf("Crashy", "x");
    await client.zadd(index, 0, "a", 0, "c", 0, "c2", 0, "e");
    expect(await store.listKeys("Crashy")).toEqual({ keys: ["b", "d"] });
    const first = await store.listKeys("Crashy", { limit: 1 });
    expect(first.keys).toEqual(["b"]);
    expect(await store.listKeys("Crashy", { limit: 1, cursor: first.cursor! })).toEqual({ keys: ["d"] });
    // A commit creating "c" makes it visible; the dangling entries stay harmless.
    await store.commit("Crashy", "c", { expectedVersion: 0, sets: {}, deletes: [] });
    expect((await store.listKeys("Crashy")).keys).toEqual(["b", "c", "d"]);
  });

  it("refuses a prefix with braces (it would become every key's hash tag)", () => {
    expect(() => createRedisEntityStore(client, { prefix: "app{1}:" })).toThrow(/without "\{" or "\}"/);
  });

  it("close() leaves a client it was handed connected; an opened one is closed", async () => {
    const handed = createRedisEntityStore(client, { prefix });
    await handed.close();
    expect(await client.ping()).toBe("PONG");

    const opened = await openRedisEntityStore({ url: REDIS_URL, prefix });
    expect(await opened.load("Cart", "none")).toEqual({ state: {}, version: 0 });
    await opened.close();
    await expect(opened.load("Cart", "none")).rejects.toMatchObject({ code: "CLOSED" });
  });

  it("fails clearly, without printing the password, when Redis cannot be reached", async () => {
    const opening = openRedisEntityStore({ url: "redis://:s3cret@127.0.0.1:1", connectTimeoutMs: 2000 });
    await expect(opening).rejects.toMatchObject({ name: "EntityStoreError", code: "UNAVAILABLE" });
    const err = await opening.catch((e: Error) => e);
    expect(String(err)).toMatch(/cannot connect to Redis for the entity store at redis:\/\/:\*\*\*@127\.0\.0\.1:1/);
    expect(String(err)).not.toContain("s3cret");
  });
});
