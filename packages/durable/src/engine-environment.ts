import type { Logger, RetryPolicy } from "@agnt5/core";

/** What the operations need to know about the invocation, and the sources of time and randomness. */
export interface EngineEnvironment {
  readonly invocationId: string;
  readonly runId: string;
  readonly attempt: number;
  readonly serviceName: string;
  readonly defaultStepRetry: RetryPolicy;
  readonly logger: Logger;
  now(): number;
  random(): number;
  uuid(): string;
  /** Resolves after `ms` (in-process step retry backoff). */
  sleep(ms: number): Promise<void>;
}
