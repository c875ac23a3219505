// The four conformance targets over real services: PostgreSQL (a fresh schema), PGlite (a temp
// directory), Redis (a unique key prefix) and memory. A service that cannot be reached is a test
// FAILURE with a clear message, never a skip. (Test-only: excluded from the build.)
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { createMemoryEntityStore } from "../memory.js";
import { openRedisEntityStore } from "../redis.js";
import { openPgliteEntityStore, openPostgresEntityStore } from "../sql.js";
import type { ConformanceTarget } from "./conformance.js";

export const PG_URL = process.env.AGNT5_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const REDIS_URL = process.env.AGNT5_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

const unique = () => randomUUID().replaceAll("-", "").slice(0, 16);
export const testSchemaName = () => `agnt5_es_test_${unique()}`;
export const testRedisPrefix = () => `agnt5test:es:${unique()}:`;

/** Runs one statement on a fresh connection; a clear error if PostgreSQL cannot be reached. */
export async function pgAdmin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${PG_URL} (${(err as Error).message}). These tests need it and do not skip: ` +
        `start it or point AGNT5_TEST_DATABASE_URL at a reachable database.`,
    );
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A connected client for inspection and cleanup; a clear error if Redis cannot be reached. */
export async function redisAdmin(): Promise<Redis> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 5000, maxRetriesPerRequest: 1 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    client.disconnect();
    throw new Error(
      `Redis is not reachable at ${REDIS_URL} (${(err as Error).message}). These tests need it and do not skip: ` +
        `start it or point AGNT5_TEST_REDIS_URL at a reachable server.`,
    );
  }
  return client;
}

/**
 * A check to run before each test of a file (memoized): when the service is unreachable every test
 * FAILS with the reason, instead of vitest marking them skipped after a failing beforeAll.
 */
export function serviceCheck(check: () => Promise<unknown>): () => Promise<void> {
  let result: Promise<unknown> | undefined;
  return async () => {
    result ??= check();
    await result;
  };
}

export const postgresReachable = serviceCheck(() => pgAdmin("SELECT 1"));
export const redisReachable = serviceCheck(async () => (await redisAdmin()).quit());

/** Deletes every key under `prefix` (which must contain no glob characters). */
export async function deleteRedisPrefix(client: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== "0");
}

export function memoryTarget(): ConformanceTarget {
  return { name: "memory", backend: "memory", persistent: false, open: async () => createMemoryEntityStore() };
}

export function postgresTarget(): ConformanceTarget {
  const schema = testSchemaName();
  let created = false;
  return {
    name: "postgres",
    backend: "postgres",
    persistent: true,
    async setup() {
      await pgAdmin("SELECT 1");
      created = true;
    },
    open: () => openPostgresEntityStore({ url: PG_URL, schema }),
    async teardown() {
      if (created) await pgAdmin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    },
  };
}

export function pgliteTarget(): ConformanceTarget {
  let dir: string | undefined;
  return {
    name: "pglite",
    backend: "pglite",
    persistent: true,
    async setup() {
      dir = await mkdtemp(join(tmpdir(), "agnt5-entity-store-"));
    },
    open: () => openPgliteEntityStore({ dataDir: dir! }),
    async teardown() {
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

export function redisTarget(): ConformanceTarget {
  const prefix = testRedisPrefix();
  let admin: Redis | undefined;
  return {
    name: "redis",
    backend: "redis",
    persistent: true,
    async setup() {
      admin = await redisAdmin();
    },
    open: () => openRedisEntityStore({ url: REDIS_URL, prefix }),
    async teardown() {
      if (!admin) return;
      try {
        await deleteRedisPrefix(admin, prefix);
      } finally {
        await admin.quit();
      }
    },
  };
}
