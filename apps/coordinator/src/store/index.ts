export type { Database, PgliteOptions, PostgresOptions, Queryable } from "./database.js";
export { openPglite, openPostgres } from "./database.js";
export type {
  CreateResult,
  FinishResult,
  InvocationRecord,
  InvocationStatus,
  NewInvocation,
  ServiceRecord,
  StoredError,
} from "./invocation-store.js";
export { InvocationStore } from "./invocation-store.js";
export type {
  AppendResult,
  EntryResultRow,
  FinishedChildCall,
  FiredTimer,
  JournalEntryRecord,
  NewJournalEntry,
  SignalDelivery,
  TimerKind,
} from "./journal-store.js";
export { JournalStore } from "./journal-store.js";
export type { MigrateResult, Migration } from "./migrate.js";
export { loadMigrations, MIGRATIONS_DIR, migrate } from "./migrate.js";
export type { Store, StoreConfig } from "./open-store.js";
export { openStore } from "./open-store.js";
export type { BatchWriter, WriteBatcherOptions, WriteBatcherStats } from "./write-batcher.js";
export { WriteBatcher } from "./write-batcher.js";
