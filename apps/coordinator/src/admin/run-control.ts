import type { InvocationRecord } from "../store/index.js";

/**
 * Run control the engine's facade is gaining (pause, resume, retry, restart from an entry). The
 * admin routes call these through this adapter: a facade without the method answers 501
 * NOT_IMPLEMENTED, so the routes exist (and the console's buttons answer) before the engine does,
 * and switch over by themselves when it lands.
 */
export interface RunControl {
  pause(runId: string): Promise<InvocationRecord>;
  resume(runId: string): Promise<InvocationRecord>;
  retry(runId: string): Promise<InvocationRecord>;
  restartFrom(runId: string, fromEntry: number, options: { newRunId?: string }): Promise<InvocationRecord>;
}

/** The error the admin routes answer with 501 (kept out of the gateway's code table: it is temporary). */
export class NotImplementedError extends Error {
  readonly code = "NOT_IMPLEMENTED";
  override readonly name = "NotImplementedError";
}

export function runControl<K extends keyof RunControl>(invocations: object, method: K): RunControl[K] {
  const fn = (invocations as Partial<RunControl>)[method];
  if (typeof fn !== "function") {
    throw new NotImplementedError(`${method} is not available in this coordinator yet`);
  }
  return fn.bind(invocations) as RunControl[K];
}
