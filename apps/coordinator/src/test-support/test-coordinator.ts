/**
 * Test-only: an in-process coordinator on a fresh, isolated store. PostgreSQL gets a random schema
 * (dropped on close); PGlite gets a temporary data dir (removed on close). PostgreSQL being
 * unreachable is a test failure with a message that says what to do, never a silent skip.
 */
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import pg from "pg";
import { type CoordinatorConfig, loadConfig } from "../config.js";
import { type RunningCoordinator, startCoordinator } from "../coordinator.js";
import type { Logger } from "../logger.js";
import { newPgliteDataDir } from "./pglite-template.js";

export type StoreKind = "postgres" | "pglite";

/** Every store the coordinator supports: suites run once per kind with describe.each. */
export const STORE_KINDS: readonly StoreKind[] = ["postgres", "pglite"];

export const TEST_DATABASE_URL = process.env.AGNT5_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface TestCoordinator {
  readonly kind: StoreKind;
  /** Base URL of the HTTP gateway, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  readonly grpcPort: number;
  /** What a Worker's coordinatorEndpoint should be. */
  readonly endpoint: string;
  readonly config: CoordinatorConfig;
  /** Closes the coordinator, then drops its schema / removes its data dir. Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts a coordinator on 127.0.0.1 with OS-chosen ports and a fresh store of `kind`. */
export async function startTestCoordinator(
  kind: StoreKind,
  overrides: Partial<CoordinatorConfig> = {},
  /** A logger to capture what the coordinator logs (default: one built from the config). */
  logger?: Logger,
): Promise<TestCoordinator> {
  const store = kind === "postgres" ? await freshPostgresSchema() : await freshPgliteDir();
  let running: RunningCoordinator;
  const config = testConfig({ ...store.config, ...overrides });
  try {
    running = await startCoordinator(config, logger);
  } catch (error) {
    await store.dispose().catch(() => {});
    throw error;
  }
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      try {
        await running.close();
      } finally {
        await store.dispose();
      }
    })());
  return {
    kind,
    url: running.url,
    grpcPort: running.grpcPort,
    endpoint: `127.0.0.1:${running.grpcPort}`,
    config,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * The configuration of a test coordinator: loopback, OS-chosen ports, silent logs, dev mode. The
 * environment is not consulted: an AGNT5_* variable of the developer's shell must not leak in.
 */
export function testConfig(overrides: Partial<CoordinatorConfig>): CoordinatorConfig {
  return loadConfig(
    {},
    {
      host: "127.0.0.1",
      grpcPort: 0,
      httpPort: 0,
      logLevel: process.env.AGNT5_TEST_LOG_LEVEL ?? "silent",
      logFormat: "json",
      // Authentication off unless a test turns it on (auth tests pass devMode: false and keys).
      devMode: true,
      ...overrides,
    },
  );
}

/** A fresh schema name with `prefix`: tests on PostgreSQL never share tables. */
export const testSchemaName = (prefix: string) => `${prefix}_${randomBytes(6).toString("hex")}`;

/**
 * A coordinator on PostgreSQL schema `schema`, which outlives it: for tests that close a
 * coordinator and start another over the same data (drop the schema with dropTestSchema()).
 */
export function startOnTestSchema(schema: string): Promise<RunningCoordinator> {
  return startCoordinator(testConfig({ databaseUrl: TEST_DATABASE_URL, databaseSchema: schema }));
}

export function dropTestSchema(schema: string): Promise<void> {
  return withPostgres(async (client) => {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });
}

interface FreshStore {
  config: Partial<CoordinatorConfig>;
  dispose(): Promise<void>;
}

async function freshPostgresSchema(): Promise<FreshStore> {
  await withPostgres(async () => {}).catch((error: unknown) => {
    throw new Error(
      `PostgreSQL is required for these tests and is not reachable at ${TEST_DATABASE_URL} ` +
        `(${(error as Error).message}). Start it, or point AGNT5_TEST_DATABASE_URL at a reachable database.`,
    );
  });
  const schema = testSchemaName("agnt5_gw_test");
  return {
    config: { databaseUrl: TEST_DATABASE_URL, databaseSchema: schema, dataDir: "/nonexistent-agnt5-test" },
    dispose: () => dropTestSchema(schema),
  };
}

async function freshPgliteDir(): Promise<FreshStore> {
  const dir = await newPgliteDataDir("agnt5-gateway-test-");
  return {
    config: { databaseUrl: undefined, databaseSchema: undefined, dataDir: dir },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

async function withPostgres<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}
