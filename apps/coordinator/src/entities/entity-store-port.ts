/**
 * What the coordinator needs of an entity store: the interface of @agnt5/entity-store, stated
 * structurally so the scheduler can be tested with any implementation.
 */
export interface EntitySnapshot {
  /** Values are JSON text. */
  state: Record<string, string>;
  version: number;
  lastWrite?: { invocationId: string; output: string };
}

export interface EntityCommit {
  expectedVersion: number;
  sets: Record<string, string>;
  deletes: string[];
  write?: { invocationId: string; output: string };
}

export type CommitResult = { ok: true; version: number } | { ok: false; reason: "stale"; currentVersion: number };

export interface EntityStorePort {
  readonly backend: string;
  load(type: string, key: string): Promise<EntitySnapshot>;
  commit(type: string, key: string, commit: EntityCommit): Promise<CommitResult>;
  /** Keys of `type` that exist, a page at a time (every @agnt5/entity-store backend has it; the session sweeper needs it). */
  listKeys?(
    type: string,
    options?: { limit?: number; cursor?: string; prefix?: string },
  ): Promise<{ keys: string[]; cursor?: string }>;
  /** Removes the entity's row (state, version, marker): it then loads as never written (the session sweeper). */
  delete?(type: string, key: string): Promise<void>;
  close(): Promise<void>;
}
