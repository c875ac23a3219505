import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

export const TEST_DATABASE_URL = process.env.AGNT5_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export type StoreKind = "postgres" | "pglite";

/** Environment that points a coordinator at a fresh, isolated store of the given kind. */
export interface TestStore {
  kind: StoreKind;
  env: Record<string, string>;
  dispose(): Promise<void>;
}

export async function createTestStore(kind: StoreKind): Promise<TestStore> {
  if (kind === "pglite") {
    const dir = mkdtempSync(join(tmpdir(), "agnt5-e2e-"));
    // A data dir initialised once (PGlite's first open costs seconds) is copied for each test.
    const template = process.env.AGNT5_TEST_PGLITE_TEMPLATE;
    if (template) cpSync(template, dir, { recursive: true });
    return { kind, env: { AGNT5_DATA_DIR: dir }, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = `e2e_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is required for these tests and is not reachable at ${TEST_DATABASE_URL}: ${(error as Error).message}`,
    );
  } finally {
    await client.end().catch(() => {});
  }
  return {
    kind,
    env: { AGNT5_DATABASE_URL: TEST_DATABASE_URL, AGNT5_DATABASE_SCHEMA: schema },
    dispose: async () => {
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    },
  };
}
