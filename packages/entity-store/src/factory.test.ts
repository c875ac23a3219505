import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { entityStoreConfigFromEnv, openEntityStore } from "./factory.js";
import {
  deleteRedisPrefix,
  PG_URL,
  pgAdmin,
  REDIS_URL,
  redisAdmin,
  testRedisPrefix,
  testSchemaName,
} from "./test-support/backends.js";

describe("entityStoreConfigFromEnv", () => {
  it("maps AGNT5_ENTITY_STORE and its companions", () => {
    expect(entityStoreConfigFromEnv({})).toEqual({ backend: "default" });
    expect(entityStoreConfigFromEnv({ AGNT5_ENTITY_STORE: "default", AGNT5_DATABASE_SCHEMA: "s" })).toEqual({
      backend: "default",
      schema: "s",
    });
    expect(entityStoreConfigFromEnv({ AGNT5_ENTITY_STORE: "memory" })).toEqual({ backend: "memory" });
    expect(
      entityStoreConfigFromEnv({
        AGNT5_ENTITY_STORE: "postgres",
        AGNT5_ENTITY_STORE_URL: "postgres://h/entities",
        AGNT5_DATABASE_URL: "postgres://h/main",
        AGNT5_ENTITY_STORE_SCHEMA: "ent",
      }),
    ).toEqual({ backend: "postgres", url: "postgres://h/entities", schema: "ent" });
    expect(
      entityStoreConfigFromEnv({ AGNT5_ENTITY_STORE: "postgres", AGNT5_DATABASE_URL: "postgres://h/main" }),
    ).toEqual({
      backend: "postgres",
      url: "postgres://h/main",
    });
    expect(entityStoreConfigFromEnv({ AGNT5_ENTITY_STORE: "pglite", AGNT5_DATA_DIR: "/var/agnt5" })).toEqual({
      backend: "pglite",
      dataDir: "/var/agnt5/entity-pglite",
    });
    expect(entityStoreConfigFromEnv({ AGNT5_ENTITY_STORE: "pglite", AGNT5_ENTITY_STORE_DATA_DIR: "/data/e" })).toEqual({
      backend: "pglite",
      dataDir: "/data/e",
    });
    expect(entityStoreConfigFromEnv({ AGNT5_ENTITY_STORE: " Redis " })).toEqual({
      backend: "redis",
      url: "redis://127.0.0.1:6379",
    });
    expect(
      entityStoreConfigFromEnv({
        AGNT5_ENTITY_STORE: "redis",
        AGNT5_REDIS_URL: "redis://cache:6380/2",
        AGNT5_ENTITY_STORE_REDIS_PREFIX: "app:",
      }),
    ).toEqual({ backend: "redis", url: "redis://cache:6380/2", redisPrefix: "app:" });
  });

  it("refuses an unknown value, naming the valid ones", () => {
    expect(() => entityStoreConfigFromEnv({ AGNT5_ENTITY_STORE: "mysql" })).toThrow(
      /AGNT5_ENTITY_STORE="mysql" is not one of default, postgres, pglite, redis, memory/,
    );
  });
});

describe("openEntityStore", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("opens memory", async () => {
    const store = await openEntityStore({ backend: "memory" });
    expect(store.backend).toBe("memory");
    await store.close();
  });

  it("opens postgres from a url, or on a queryable it is handed", async () => {
    const schema = testSchemaName();
    await pgAdmin("SELECT 1");
    cleanups.push(() => pgAdmin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
    const own = await openEntityStore({ backend: "postgres", url: PG_URL, schema });
    expect(own.backend).toBe("postgres");
    await own.commit("T", "k", { expectedVersion: 0, sets: { a: "1" }, deletes: [] });
    await own.close();

    const pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
    cleanups.push(() => pool.end());
    const shared = await openEntityStore({
      backend: "postgres",
      schema,
      queryable: { query: async <T>(sql: string, params?: unknown[]) => (await pool.query(sql, params)).rows as T[] },
    });
    expect(await shared.load("T", "k")).toEqual({ state: { a: "1" }, version: 1 });
    await shared.close();
    expect((await pool.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
  });

  it("opens redis with a prefix", async () => {
    const prefix = testRedisPrefix();
    const admin = await redisAdmin();
    cleanups.push(async () => {
      await deleteRedisPrefix(admin, prefix);
      await admin.quit();
    });
    const store = await openEntityStore({ backend: "redis", url: REDIS_URL, redisPrefix: prefix });
    expect(store.backend).toBe("redis");
    await store.commit("T", "k", { expectedVersion: 0, sets: { a: "1" }, deletes: [] });
    expect(await admin.exists(`${prefix}{T:k}:meta`)).toBe(1);
    await store.close();
  });

  it("explains what is missing", async () => {
    await expect(openEntityStore({ backend: "postgres" })).rejects.toThrow(/needs a url/);
    await expect(openEntityStore({ backend: "pglite" })).rejects.toThrow(/needs a dataDir/);
    await expect(openEntityStore({ backend: "default" as never })).rejects.toThrow(/resolve it to/);
    await expect(openEntityStore({ backend: "sqlite" as never })).rejects.toThrow(
      /unknown entity store backend "sqlite"/,
    );
  });
});
