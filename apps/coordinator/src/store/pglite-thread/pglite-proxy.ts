// PGlite in a worker thread behind the coordinator's `Database` interface (AGNT5_PGLITE_THREAD=
// worker, the default). On the coordinator's own thread PGlite's WASM saturated the one JS thread
// under concurrency; here the coordinator only posts statements and resolves replies.
//
// PGlite is one connection. Statements go out in order and the worker runs them in order; a
// transaction holds the line: from its BEGIN to its COMMIT/ROLLBACK no statement from outside it
// is sent (they wait, as they do behind PGlite's own transaction lock).
import { mkdir } from "node:fs/promises";
import { Worker } from "node:worker_threads";
import type { Database, Queryable } from "../database.js";

/** A PostgreSQL error raised in the worker, with its fields (code, detail, constraint...) intact. */
export class PgliteQueryError extends Error {
  readonly code?: string;
  readonly detail?: string;
  constructor(fields: Record<string, unknown>) {
    super(String(fields.message ?? "PGlite query failed"));
    Object.assign(this, fields); // code, detail, hint, constraint, table, severity, name...
  }
}

/** The worker thread is gone (crashed, or the database was closed): no statement can run. */
export class PgliteThreadError extends Error {
  readonly code: "PGLITE_THREAD_EXITED" | "PGLITE_CLOSED";
  constructor(code: PgliteThreadError["code"], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PgliteThreadError";
    this.code = code;
  }
}

export interface PgliteThreadOptions {
  dataDir: string;
  /**
   * Called once if the worker thread dies while the database is open (every pending and later call
   * fails with PGLITE_THREAD_EXITED). The coordinator exits: it cannot go on without its store.
   */
  onThreadExit?: (error: PgliteThreadError) => void;
  /** Tests only: another worker script speaking the same protocol (one that crashes, say). */
  workerUrl?: URL;
}

type Message = { op: "query" | "exec"; sql: string; params?: unknown[] } | { op: "close" };
type Outgoing = Message & { id: number };
type Reply = { id: number; rows?: unknown[]; error?: Record<string, unknown>; ready?: true };
interface Pending {
  resolve(rows: unknown[]): void;
  reject(error: Error): void;
}

const WORKER_URL = new URL("./pglite-worker.mjs", import.meta.url);

/** Opens (creates if missing) the PGlite cluster in `dataDir` on a worker thread. */
export async function openPgliteThread(options: PgliteThreadOptions): Promise<Database> {
  // As openPglite does: AGNT5_DATA_DIR may name a directory whose parents do not exist yet.
  await mkdir(options.dataDir, { recursive: true });
  const worker = new Worker(options.workerUrl ?? WORKER_URL, { workerData: { dataDir: options.dataDir } });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let outbox: Outgoing[] = [];
  let dead: PgliteThreadError | undefined;
  let closing: Promise<void> | undefined;
  let closeSent = false;

  const failAll = (error: PgliteThreadError) => {
    dead ??= error;
    for (const call of pending.values()) call.reject(error);
    pending.clear();
  };

  // Opening: the worker says ready once PGlite is up, or fails (bad data dir, WASM error).
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    const onExit = (code: number) => reject(new Error(`the PGlite worker thread exited (code ${code}) while opening`));
    worker.once("error", onError);
    worker.once("exit", onExit);
    worker.once("message", () => {
      worker.off("error", onError);
      worker.off("exit", onExit);
      resolve();
    });
  });

  worker.on("message", (replies: Reply[]) => {
    for (const reply of replies) {
      const call = pending.get(reply.id);
      if (!call) continue;
      pending.delete(reply.id);
      if (reply.error) call.reject(new PgliteQueryError(reply.error));
      else call.resolve(reply.rows ?? []);
    }
  });
  let threadError: Error | undefined;
  worker.on("error", (err) => {
    threadError = err;
  });
  worker.on("exit", (code) => {
    if (closing) {
      failAll(new PgliteThreadError("PGLITE_CLOSED", "the PGlite database is closed"));
      return;
    }
    const error = new PgliteThreadError(
      "PGLITE_THREAD_EXITED",
      `the PGlite worker thread exited (code ${code})${threadError ? `: ${threadError.message}` : ""}`,
      threadError ? { cause: threadError } : undefined,
    );
    failAll(error);
    options.onThreadExit?.(error);
  });

  // Statements posted in one turn of the event loop go in one postMessage; the flush is a
  // microtask, so a lone statement leaves within the same turn (no timer, no added delay).
  const flush = () => {
    const batch = outbox;
    outbox = [];
    try {
      worker.postMessage(batch);
    } catch (err) {
      // A parameter structured clone cannot copy (a function, a symbol): fail that batch's calls.
      for (const message of batch) {
        pending.get(message.id)?.reject(err as Error);
        pending.delete(message.id);
      }
    }
  };
  const send = (message: Message): Promise<unknown[]> => {
    if (dead) return Promise.reject(dead);
    const id = nextId++;
    return new Promise<unknown[]>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      if (outbox.length === 0) queueMicrotask(flush);
      outbox.push({ ...message, id });
    });
  };

  // The line: `held` is the transaction running now; outside statements wait until it is done.
  // Transactions queue behind one another on `txTail`.
  let held: Promise<void> | undefined;
  let txTail: Promise<void> = Promise.resolve();
  const outside = async (message: Message): Promise<unknown[]> => {
    while (held) await held;
    if (closeSent) throw dead ?? new PgliteThreadError("PGLITE_CLOSED", "the PGlite database is closed");
    return send(message);
  };

  return {
    kind: "pglite",
    async query<T>(sql: string, params?: unknown[]) {
      return (await outside({ op: "query", sql, params: params ?? [] })) as T[];
    },
    async exec(sql: string) {
      await outside({ op: "exec", sql });
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const previous = txTail;
      let release!: () => void;
      const mine = new Promise<void>((resolve) => {
        release = resolve;
      });
      txTail = previous.then(() => mine);
      await previous;
      while (held) await held; // never true here, kept for clarity of the invariant
      held = mine;
      let open = true;
      const inside = (message: Message) => {
        if (!open) return Promise.reject(new Error("this transaction is already finished"));
        return send(message);
      };
      const tx: Queryable = {
        async query<R>(sql: string, params?: unknown[]) {
          return (await inside({ op: "query", sql, params: params ?? [] })) as R[];
        },
        async exec(sql: string) {
          await inside({ op: "exec", sql });
        },
      };
      try {
        await send({ op: "exec", sql: "BEGIN" });
        let result: T;
        try {
          result = await fn(tx);
        } catch (err) {
          open = false;
          await send({ op: "exec", sql: "ROLLBACK" }).catch(() => {});
          throw err;
        }
        open = false;
        await send({ op: "exec", sql: "COMMIT" });
        return result;
      } finally {
        open = false;
        held = undefined;
        release();
      }
    },
    close() {
      closing ??= (async () => {
        // Waits for the transactions queued before it, then for the statements ahead of it.
        await txTail;
        if (dead) return;
        closeSent = true;
        // The worker closes PGlite (flushing its WAL) after the statements ahead of the close, then
        // replies; only then is the thread stopped (PGlite may leave handles that keep it alive).
        await send({ op: "close" }).catch(() => {});
        await worker.terminate();
      })();
      return closing;
    },
  };
}
