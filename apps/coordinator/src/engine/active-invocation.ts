import type { InvocationPhase } from "../domain/invocation-state.js";
import type { EntitySnapshot } from "../entities/entity-store-port.js";
import type { LiveEntry } from "../journal/journal-entry.js";
import type { StoredError } from "../store/index.js";
import type { WorkerConnection } from "../workers/worker-connection.js";

export type Outcome =
  | { status: "completed"; output: string }
  | { status: "failed"; error: StoredError }
  | { status: "cancelled"; output: string | null; error?: StoredError };

export type ChunkListener = (seq: number, data: string) => void;

export interface ActiveInvocationInit {
  id: string;
  service: string;
  handler: string;
  kind: string;
  input: Uint8Array;
  headers: Record<string, string>;
  attempt: number;
  /** The journal so far; [] for a fresh invocation. */
  journal: LiveEntry[];
  parentId?: string | null;
  cancelRequested?: boolean;
  /** Its run is paused: it is held instead of queued. */
  paused?: boolean;
  /** Entity invocations: the key and the method (handler is the entity type). */
  objectKey?: string | null;
  methodName?: string | null;
}

/**
 * An invocation the coordinator is driving: queued for a worker, running on one, waiting out a
 * retry backoff, or on its way to suspension. Its record and journal in the store are the durable
 * truth; this is the live, in-memory side, dropped when the invocation ends or suspends.
 */
export class ActiveInvocation {
  /** Changed only through the domain's `transition` (Dispatcher.step). */
  state: InvocationPhase = "queued";
  worker: WorkerConnection | undefined;
  retryTimer: NodeJS.Timeout | undefined;
  readonly id: string;
  readonly service: string;
  readonly handler: string;
  readonly kind: string;
  readonly input: Uint8Array;
  readonly headers: Record<string, string>;
  attempt: number;
  /** Workers lost while running it (in this coordinator's lifetime): a poison invocation is failed. */
  workerLosses = 0;
  /** Entries by index, kept current as proposals commit and awaited results arrive. */
  readonly journal: LiveEntry[];
  readonly parentId: string | null;
  readonly objectKey: string | null;
  readonly methodName: string | null;
  /** Entity invocations: the committed state this attempt starts from. */
  entityState: EntitySnapshot | undefined;
  cancelRequested: boolean;
  /** Its run is paused: it is not dispatched (held) until the run is resumed. */
  paused: boolean;
  /** Set when an awaited entry completes while a suspension is being recorded. */
  wakeRequested = false;
  /** Streamed chunks (JSON text) in seq order; a re-run after a crash re-sends them and is deduplicated. */
  readonly chunks: string[] = [];
  readonly listeners = new Set<ChunkListener>();
  readonly outcome: Promise<Outcome>;
  /** Resolves once the invocation's record is committed; its result is only recorded after that. */
  recorded: Promise<unknown> = Promise.resolve();
  #settle!: (outcome: Outcome) => void;

  constructor(init: ActiveInvocationInit) {
    this.id = init.id;
    this.service = init.service;
    this.handler = init.handler;
    this.kind = init.kind;
    this.input = init.input;
    this.headers = init.headers;
    this.attempt = init.attempt;
    this.journal = init.journal;
    this.parentId = init.parentId ?? null;
    this.objectKey = init.objectKey ?? null;
    this.methodName = init.methodName ?? null;
    this.cancelRequested = init.cancelRequested ?? false;
    this.paused = init.paused ?? false;
    this.outcome = new Promise((resolve) => {
      this.#settle = resolve;
    });
  }

  /** True while some entry the handler may be waiting on has no result yet. */
  get awaiting(): boolean {
    return this.journal.some((entry) => entry !== undefined && entry.result === undefined);
  }

  /** The last entry recorded: "the step it is at". */
  get currentEntry(): LiveEntry | undefined {
    for (let i = this.journal.length - 1; i >= 0; i--) if (this.journal[i]) return this.journal[i];
    return undefined;
  }

  settle(outcome: Outcome): void {
    this.listeners.clear();
    this.#settle(outcome);
  }

  /**
   * Settles `outcome` and holds nothing else of the invocation: what a suspended invocation leaves
   * behind for its callers (its input and journal are not kept in memory while it waits).
   */
  get resolver(): (outcome: Outcome) => void {
    return this.#settle;
  }
}
