import type { StoredError } from "../store/index.js";
import type { WorkerConnection } from "../workers/worker-connection.js";

export type Outcome = { status: "completed"; output: string } | { status: "failed"; error: StoredError };

export type ChunkListener = (seq: number, data: string) => void;

/**
 * An invocation the coordinator is driving: queued for a worker, running on one, or waiting out a
 * retry backoff. Its record in the store is the durable truth; this is the live, in-memory side.
 */
export class ActiveInvocation {
  state: "queued" | "running" | "backoff" | "finishing" = "queued";
  worker: WorkerConnection | undefined;
  retryTimer: NodeJS.Timeout | undefined;
  /** Streamed chunks (JSON text) in seq order; a re-run after a crash re-sends them and is deduplicated. */
  readonly chunks: string[] = [];
  readonly listeners = new Set<ChunkListener>();
  readonly outcome: Promise<Outcome>;
  /** Resolves once the invocation's record is committed; its result is only recorded after that. */
  recorded: Promise<unknown> = Promise.resolve();
  #settle!: (outcome: Outcome) => void;

  constructor(
    readonly id: string,
    readonly service: string,
    readonly handler: string,
    readonly kind: string,
    readonly input: Uint8Array,
    readonly headers: Record<string, string>,
    public attempt: number,
  ) {
    this.outcome = new Promise((resolve) => {
      this.#settle = resolve;
    });
  }

  settle(outcome: Outcome): void {
    this.listeners.clear();
    this.#settle(outcome);
  }
}
