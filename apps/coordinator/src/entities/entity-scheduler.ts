import type { StateChange } from "@agnt5/proto";
import type { ActiveInvocation } from "../engine/active-invocation.js";
import { entityStateAfter, entityStateBytes } from "../limits/entity-state-size.js";
import { DEFAULT_PAYLOAD_LIMITS, type PayloadLimits } from "../limits/payload-limits.js";
import { PayloadLimitExceeded } from "../limits/payload-too-large.js";
import type { Logger } from "../logger.js";
import type { EntitySnapshot, EntityStorePort } from "./entity-store-port.js";

const decoder = new TextDecoder();
/** Idle keys whose committed state stays cached (a hot key's writes never reload it). */
const MAX_CACHED_KEYS = 10_000;

interface KeyState {
  type: string;
  key: string;
  /** The last committed state; the coordinator is its only writer, so the cache stays true. */
  snapshot: EntitySnapshot | undefined;
  loading: Promise<EntitySnapshot> | undefined;
  /** The write that holds the key (also while it backs off or is suspended). */
  holder: string | undefined;
  /** Writes waiting for the key, in arrival order. */
  writes: ActiveInvocation[];
  /**
   * The record of the key's last committed write (true once written): the next write commits
   * only after it, so the store's last-write marker is never needed for an older write.
   */
  lastRecord: Promise<boolean> | undefined;
  /** lastRecord has not settled: the key is not idle (not evicted, not moved to another replica). */
  recordPending: boolean;
}

/** A write waiting for its key. */
export interface QueuedWrite {
  invocationId: string;
  method: string;
  since: Date;
}

export interface EntitySchedulerHooks {
  /** Queues an invocation, its state attached, for a worker. */
  dispatch(invocation: ActiveInvocation): void;
  /** Completes a write whose state had committed before a crash (found by its marker). */
  completeFromMarker(invocation: ActiveInvocation, output: string): void;
  /** Fails an invocation whose state could not be loaded. */
  fail(invocation: ActiveInvocation, error: unknown): void;
  isWrite(invocation: ActiveInvocation): boolean;
}

/**
 * Single-writer scheduling per (entity type, key): writes run one at a time in arrival order;
 * shared calls run at once on the last committed state, never behind a running write; different
 * keys are independent. A write's state commits atomically with its output (the store's marker),
 * before its result is recorded and the next write starts.
 */
export class EntityScheduler {
  readonly #keys = new Map<string, KeyState>();
  /** When each waiting write was queued (the admin API's queue and stuck keys). */
  readonly #queuedAt = new WeakMap<ActiveInvocation, Date>();
  /** The size of each committed snapshot's state, so a write measures only what it changes. */
  readonly #stateBytes = new WeakMap<EntitySnapshot, number>();

  constructor(
    private readonly store: EntityStorePort,
    private readonly hooks: EntitySchedulerHooks,
    private readonly logger: Logger,
    private readonly limits: PayloadLimits = DEFAULT_PAYLOAD_LIMITS,
  ) {}

  get backend(): string {
    return this.store.backend;
  }

  /** Takes an entity invocation in: shared calls go straight out, writes wait for their key. */
  admit(invocation: ActiveInvocation): void {
    const state = this.#state(invocation.handler, invocation.objectKey ?? "");
    if (!this.hooks.isWrite(invocation)) {
      this.#withSnapshot(state, invocation, () => this.hooks.dispatch(invocation));
      return;
    }
    if (state.holder === invocation.id) {
      // The holder coming back (resumed after suspension): it keeps its place.
      this.#withSnapshot(state, invocation, () => this.hooks.dispatch(invocation));
      return;
    }
    state.writes.push(invocation);
    this.#queuedAt.set(invocation, new Date());
    this.#pump(state);
  }

  /** Read-only: the keys with writes waiting, and those writes oldest first (admin API). */
  queuedWrites(): Array<{ type: string; key: string; holder: string | undefined; writes: QueuedWrite[] }> {
    const out = [];
    for (const state of this.#keys.values()) {
      if (state.writes.length === 0) continue;
      out.push({ type: state.type, key: state.key, holder: state.holder, writes: this.#describe(state.writes) });
    }
    return out;
  }

  /** Read-only: the writes waiting for one key, oldest first (admin API). */
  queuedWritesOf(type: string, key: string): QueuedWrite[] {
    return this.#describe(this.#keys.get(`${type}\u0000${key}`)?.writes ?? []);
  }

  #describe(writes: readonly ActiveInvocation[]): QueuedWrite[] {
    return writes.map((w) => ({
      invocationId: w.id,
      method: w.methodName ?? "",
      since: this.#queuedAt.get(w) ?? new Date(0),
    }));
  }

  /**
   * Commits a write's state changes together with its output. Resolves once committed; rejects
   * when the state moved under it (which a single coordinator never causes: then the write re-runs).
   */
  async commitWrite(invocation: ActiveInvocation, changes: readonly StateChange[], output: string): Promise<void> {
    const state = this.#state(invocation.handler, invocation.objectKey ?? "");
    const base = invocation.entityState ?? (await this.#load(state));
    // AGNT5_MAX_ENTITY_STATE_BYTES, refused before the store sees it: the key keeps its state as it was.
    const baseBytes = this.#stateBytes.get(base) ?? entityStateBytes(base.state);
    const after = entityStateAfter(`entity ${state.type}/${state.key}`, base.state, baseBytes, changes, this.limits);
    if (after.oversized) throw new PayloadLimitExceeded(after.oversized);
    // No prototype: a field named "__proto__" is kept as a field.
    const sets: Record<string, string> = Object.create(null);
    const deletes: string[] = [];
    for (const change of changes) {
      if (change.deleted) deletes.push(change.key);
      else sets[change.key] = decoder.decode(change.value);
    }
    // The previous write's record first (see lastRecord). Not written: this write is run again
    // later rather than overwrite the marker a recovery of that write needs.
    const previous = state.lastRecord;
    if (previous && !(await previous)) {
      state.lastRecord = undefined;
      throw new Error(`The previous write of entity ${state.type}/${state.key} could not be recorded`);
    }
    const result = await this.store.commit(state.type, state.key, {
      expectedVersion: base.version,
      sets,
      deletes,
      write: { invocationId: invocation.id, output },
    });
    if (!result.ok) {
      state.snapshot = undefined;
      throw new Error(
        `Entity ${state.type}/${state.key} moved from version ${base.version} to ${result.currentVersion} under write ${invocation.id}`,
      );
    }
    // Applied in place, so a write costs the fields it changed, not the size of the state. The old
    // snapshot object is not seen again: a shared call not yet on a worker reads the newer state,
    // which is committed too (its frame is encoded from it when it is sent).
    const next = base.state;
    for (const key of deletes) delete next[key];
    for (const [key, value] of Object.entries(sets)) {
      // Defined, not assigned: a field named "__proto__" stays a field.
      Object.defineProperty(next, key, { value, writable: true, enumerable: true, configurable: true });
    }
    state.snapshot = { state: next, version: result.version, lastWrite: { invocationId: invocation.id, output } };
    this.#stateBytes.set(state.snapshot, after.bytes);
    invocation.entityState = state.snapshot;
  }

  /** A write's state moved under it: drop the cache so its re-run loads the committed state. */
  reload(invocation: ActiveInvocation): void {
    const state = this.#state(invocation.handler, invocation.objectKey ?? "");
    state.snapshot = undefined;
    invocation.entityState = undefined;
  }

  /**
   * Re-grants a key to a write that was suspended when the coordinator restarted: it still holds
   * the key, so writes that arrive (or are recovered) after it wait until it ends.
   */
  hold(type: string, key: string, invocationId: string): void {
    const state = this.#state(type, key);
    state.holder ??= invocationId;
  }

  /**
   * A write's state committed and its record is being written (`recorded`): the key's next write
   * may run now; it commits after that record.
   */
  releasedCommitted(invocation: ActiveInvocation, recorded: Promise<boolean>): void {
    const state = this.#keys.get(`${invocation.handler}\u0000${invocation.objectKey ?? ""}`);
    if (state) {
      state.lastRecord = recorded;
      state.recordPending = true;
      void recorded.finally(() => {
        if (state.lastRecord === recorded) state.recordPending = false;
      });
    }
    this.released(invocation);
  }

  /** An entity invocation ended: a write releases its key to the next write. */
  released(invocation: ActiveInvocation): void {
    const id = `${invocation.handler}\u0000${invocation.objectKey ?? ""}`;
    const state = this.#keys.get(id);
    if (!state) return;
    if (state.holder === invocation.id) {
      state.holder = undefined;
      this.#pump(state);
    }
    this.#evictIdle();
  }

  /**
   * Lets a key go to another replica (cluster/): possible when no write of it runs or is suspended
   * here, that is when its holder (if any) is one of `queued` (invocations waiting for a worker,
   * none running). Returns the writes that waited behind the holder (the key's state here is
   * forgotten: the new owner loads it), or undefined when the key is busy.
   */
  detachIdleKey(type: string, key: string, queued: readonly ActiveInvocation[]): ActiveInvocation[] | undefined {
    const id = `${type}\u0000${key}`;
    const state = this.#keys.get(id);
    if (!state) return [];
    if (state.holder !== undefined && !queued.some((invocation) => invocation.id === state.holder)) return undefined;
    // A write whose record is still being written: the new owner's next write must wait for it.
    if (state.loading || state.recordPending) return undefined;
    this.#keys.delete(id);
    return state.writes.filter((write) => !queued.includes(write));
  }

  /**
   * Deletes an idle entity when `shouldRemove` approves its committed state (the session retention
   * sweeper): its row goes (the store's delete; a store without one gets a commit removing every
   * field). The key is held like a write meanwhile, so a write that arrives waits and then sees the
   * deletion; a key with a running or queued write is left alone.
   */
  async removeIfIdle(type: string, key: string, shouldRemove: (snapshot: EntitySnapshot) => boolean): Promise<boolean> {
    const state = this.#state(type, key);
    if (state.holder !== undefined || state.writes.length > 0 || state.recordPending) return false;
    const holder = `sweeper\u0000${type}\u0000${key}`;
    state.holder = holder;
    try {
      const snapshot = await this.#load(state);
      const fields = Object.keys(snapshot.state);
      if (fields.length === 0 || !shouldRemove(snapshot)) return false;
      if (this.store.delete) {
        await this.store.delete(type, key);
        state.snapshot = { state: {}, version: 0 };
        return true;
      }
      const result = await this.store.commit(type, key, {
        expectedVersion: snapshot.version,
        sets: {},
        deletes: fields,
      });
      if (!result.ok) {
        state.snapshot = undefined;
        return false;
      }
      state.snapshot = { state: {}, version: result.version };
      return true;
    } finally {
      if (state.holder === holder) state.holder = undefined;
      this.#pump(state);
    }
  }

  /** The committed state of an entity (GET /v1/entities/:type/:key). */
  async snapshot(type: string, key: string): Promise<EntitySnapshot> {
    return this.#load(this.#state(type, key));
  }

  async close(): Promise<void> {
    await this.store.close();
  }

  #pump(state: KeyState): void {
    if (state.holder !== undefined) return;
    const next = state.writes.shift();
    if (!next) return;
    state.holder = next.id;
    this.#withSnapshot(state, next, (snapshot) => {
      const marked = snapshot.lastWrite;
      if (marked?.invocationId === next.id) {
        // Its state committed just before a crash: complete it with its recorded output.
        this.hooks.completeFromMarker(next, marked.output);
        return;
      }
      // The marker names another write waiting here: its state committed before a crash, ahead of
      // this one (writes reach a key's owner in their arrival order there, not their creation
      // order, which recovery follows). It completes first, from its marker; running this one
      // first would overwrite that marker and run it twice.
      const committed = marked ? state.writes.findIndex((write) => write.id === marked.invocationId) : -1;
      if (marked && committed >= 0) {
        const [first] = state.writes.splice(committed, 1);
        state.writes.unshift(next);
        state.holder = first!.id;
        first!.entityState = snapshot;
        this.hooks.completeFromMarker(first!, marked.output);
        return;
      }
      this.hooks.dispatch(next);
    });
  }

  #withSnapshot(state: KeyState, invocation: ActiveInvocation, then: (snapshot: EntitySnapshot) => void): void {
    if (state.snapshot) {
      invocation.entityState = state.snapshot;
      then(state.snapshot);
      return;
    }
    this.#load(state).then(
      (snapshot) => {
        invocation.entityState = snapshot;
        then(snapshot);
      },
      (error: unknown) => {
        this.logger.error(
          { err: error, invocationId: invocation.id },
          `Could not load entity ${state.type}/${state.key}`,
        );
        if (state.holder === invocation.id) state.holder = undefined;
        this.hooks.fail(invocation, error);
        this.#pump(state);
      },
    );
  }

  #load(state: KeyState): Promise<EntitySnapshot> {
    if (state.snapshot) return Promise.resolve(state.snapshot);
    state.loading ??= this.store.load(state.type, state.key).then(
      (snapshot) => {
        state.loading = undefined;
        state.snapshot = snapshot;
        return snapshot;
      },
      (error: unknown) => {
        state.loading = undefined;
        throw error;
      },
    );
    return state.loading;
  }

  #state(type: string, key: string): KeyState {
    const id = `${type}\u0000${key}`;
    let state = this.#keys.get(id);
    if (!state) {
      state = {
        type,
        key,
        snapshot: undefined,
        loading: undefined,
        holder: undefined,
        writes: [],
        lastRecord: undefined,
        recordPending: false,
      };
      this.#keys.set(id, state);
    } else {
      // Map order doubles as recency for eviction.
      this.#keys.delete(id);
      this.#keys.set(id, state);
    }
    return state;
  }

  #evictIdle(): void {
    if (this.#keys.size <= MAX_CACHED_KEYS) return;
    for (const [id, state] of this.#keys) {
      if (this.#keys.size <= MAX_CACHED_KEYS) break;
      if (state.holder === undefined && state.writes.length === 0 && !state.loading && !state.recordPending) {
        this.#keys.delete(id);
      }
    }
  }
}
