// Opens the coordinator's store: PostgreSQL when a URL is configured,
// embedded PGlite under `<dataDir>/pglite` otherwise; then migrates.
import { join } from "node:path";
import type { Database } from "./database.js";
import { openPglite, openPostgres } from "./database.js";
import { InvocationStore } from "./invocation-store.js";
import { JournalStore } from "./journal-store.js";
import { migrate } from "./migrate.js";
import { openPgliteThread, type PgliteThreadError } from "./pglite-thread/pglite-proxy.js";
import { type PgliteThreadMode, pgliteThreadFromEnv } from "./pglite-thread/pglite-thread-mode.js";

export interface StoreConfig {
  /** AGNT5_DATABASE_URL: use PostgreSQL when set. */
  databaseUrl?: string;
  /** AGNT5_DATABASE_SCHEMA: PostgreSQL schema (created if missing). */
  databaseSchema?: string;
  /** AGNT5_DATA_DIR (default `.agnt5`): PGlite lives in `<dataDir>/pglite`. */
  dataDir: string;
  /**
   * "worker" runs PGlite on its own thread, "main" on the coordinator's event loop (the behaviour
   * before the worker thread). Default: AGNT5_PGLITE_THREAD, else "worker".
   */
  pgliteThread?: PgliteThreadMode;
  /** PostgreSQL only: settings every connection starts with (a cluster replica's fencing token). */
  sessionSettings?: Record<string, string>;
  /** The PGlite worker thread died: every store call fails from now on (the coordinator exits). */
  onStoreLost?: (error: PgliteThreadError) => void;
}

export interface Store {
  db: Database;
  invocations: InvocationStore;
  journal: JournalStore;
  /** Waits for queued writes to commit and takes no more; the database stays open. */
  drain(): Promise<void>;
  /** Waits for queued writes to commit, then closes the database. */
  close(): Promise<void>;
}

function openEmbedded(config: StoreConfig): Promise<Database> {
  const dataDir = join(config.dataDir, "pglite");
  if ((config.pgliteThread ?? pgliteThreadFromEnv()) === "main") return openPglite({ dataDir });
  return openPgliteThread({ dataDir, ...(config.onStoreLost ? { onThreadExit: config.onStoreLost } : {}) });
}

export async function openStore(config: StoreConfig): Promise<Store> {
  const db = config.databaseUrl
    ? await openPostgres({
        url: config.databaseUrl,
        ...(config.databaseSchema ? { schema: config.databaseSchema } : {}),
        ...(config.sessionSettings ? { sessionSettings: config.sessionSettings } : {}),
      })
    : await openEmbedded(config);
  try {
    await migrate(db);
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
  const invocations = new InvocationStore(db);
  const journal = new JournalStore(db);
  let closing: Promise<void> | undefined;
  const drain = async () => {
    // Both batchers drain, even if one fails.
    const settled = await Promise.allSettled([invocations.close(), journal.close()]);
    const failed = settled.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
  };
  return {
    db,
    invocations,
    journal,
    drain,
    close: () =>
      (closing ??= (async () => {
        try {
          // The batchers drain before the database closes.
          await drain();
        } finally {
          await db.close();
        }
      })()),
  };
}
