/**
 * Test-only: the load of the replica chaos tests, through the SDK Client given every replica's URL.
 * Every start and write carries an idempotency key (a workflow start also its runId), so a call
 * whose outcome is unknown (the replica died with it) is repeated with the same key: exactly once
 * per acknowledged call. Every failed HTTP exchange is recorded with its replica and moment, so a
 * test can check that only replicas that were down at that moment refused.
 */
import { Agnt5ClientError, Client } from "@agnt5/sdk";

export interface CallFailure {
  /** The replica's base URL. */
  replica: string;
  at: number;
  what: string;
}

export interface WorkflowOutcome {
  runId: string;
  n: number;
  output: unknown;
}

export interface WriteOutcome {
  key: string;
  /** The count the write returned: the writes of one key return 1..N, each once. */
  count: number;
}

/** A small seeded generator (mulberry32): the chaos is random, and replayable from its logged seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export class ChaosLoad {
  readonly failures: CallFailure[] = [];
  /** Calls repeated after a failure (same idempotency key). */
  retries = 0;
  /** One Client per replica, each listing every replica starting with its own: calls spread. */
  readonly #clients: Client[];
  #next = 0;

  constructor(readonly urls: readonly string[]) {
    this.#clients = urls.map((_, index) => {
      const rotated = [...urls.slice(index), ...urls.slice(0, index)];
      return new Client(rotated, { fetch: this.#recordingFetch });
    });
  }

  readonly #recordingFetch: typeof fetch = async (input, init) => {
    const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
    const what = `${init?.method ?? "GET"} ${url.pathname}`;
    try {
      const response = await fetch(input, init);
      if (response.status >= 500) {
        const text = await response.clone().text();
        this.failures.push({
          replica: url.origin,
          at: Date.now(),
          what: `${what}: ${response.status} ${text.slice(0, 300)}`,
        });
      }
      return response;
    } catch (error) {
      // The moment it failed (not when it was sent): a call in flight when its replica was killed
      // fails after the kill.
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? String(error);
      this.failures.push({ replica: url.origin, at: Date.now(), what: `${what}: ${cause}` });
      throw error;
    }
  };

  #client(): Client {
    const client = this.#clients[this.#next % this.#clients.length]!;
    this.#next += 1;
    return client;
  }

  /**
   * Repeats `call` until it succeeds: every call here is safe to repeat (idempotency key, runId or
   * a read). A 4xx that is not a timeout is a defect, not chaos: thrown at once.
   */
  async #untilDone<T>(what: string, call: (client: Client) => Promise<T>, deadline: number): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call(this.#client());
      } catch (error) {
        const retryable =
          error instanceof Agnt5ClientError &&
          (error.retryable || error.code === "OUTCOME_UNKNOWN" || error.code === "TIMEOUT");
        if (!retryable || Date.now() > deadline) {
          throw new Error(`${what} failed after ${attempt + 1} attempts: ${(error as Error).message}`, {
            cause: error,
          });
        }
        this.retries += 1;
        await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 1_000)));
      }
    }
  }

  /** Starts workflow chaos_ten_steps for n (runId `<prefix>-<n>`): resolves once acknowledged. */
  startTenSteps(prefix: string, n: number, deadline: number): Promise<string> {
    return this.startRun("chaos_ten_steps", `${prefix}-${n}`, { n }, deadline);
  }

  /** Starts a run of `workflow` with id `runId` (also its idempotency key): resolves once acknowledged. */
  startRun(workflow: string, runId: string, input: unknown, deadline: number): Promise<string> {
    return this.#untilDone(
      `starting ${runId}`,
      async (client) =>
        (await client.startWorkflow(workflow, input, { runId, headers: { "idempotency-key": runId } })).runId,
      deadline,
    );
  }

  /** The run's output, waiting for its end. */
  result(runId: string, deadline: number): Promise<unknown> {
    return this.#untilDone(
      `the result of ${runId}`,
      (client) => client.workflowResult(runId, { timeoutMs: 20_000 }),
      deadline,
    );
  }

  /** ChaosCounter/<key>.add(1) with idempotency key `<key>-<index>`: the count it returned. */
  add(key: string, index: number, deadline: number): Promise<number> {
    return this.#untilDone(
      `write ${index} of ${key}`,
      (client) =>
        client.invokeEntity<number>("ChaosCounter", key, "add", 1, {
          idempotencyKey: `${key}-${index}`,
          timeoutMs: 20_000,
        }),
      deadline,
    );
  }

  count(key: string, deadline: number): Promise<number> {
    return this.#untilDone(
      `reading ${key}`,
      async (client) => Number((await client.getEntity("ChaosCounter", key)).state.count ?? 0),
      deadline,
    );
  }
}

/** Runs `jobs` with at most `limit` at once; the first failure rejects (the others still settle). */
export async function inParallel<T>(count: number, limit: number, job: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  let failure: unknown;
  const lane = async () => {
    while (next < count && failure === undefined) {
      const index = next++;
      try {
        results[index] = await job(index);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
  if (failure !== undefined) throw failure;
  return results;
}
