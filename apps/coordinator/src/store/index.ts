export type { Database, Queryable, PostgresOptions, PgliteOptions } from "./database.js";
export { openPostgres, openPglite } from "./database.js";
export type { Migration, MigrateResult } from "./migrate.js";
export { migrate, loadMigrations, MIGRATIONS_DIR } from "./migrate.js";
export type { BatchWriter, WriteBatcherOptions, WriteBatcherStats } from "./write-batcher.js";
export { WriteBatcher } from "./write-batcher.js";
export type {
  CreateResult,
  InvocationRecord,
  InvocationStatus,
  NewInvocation,
  ServiceRecord,
  StoredError,
} from "./invocation-store.js";
export { InvocationStore } from "./invocation-store.js";
export type { Store, StoreConfig } from "./open-store.js";
export { openStore } from "./open-store.js";
