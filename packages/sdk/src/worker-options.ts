import type { ComponentDefinition, Logger, Registry } from "@agnt5/core";
import type { WorkerConfigOptions } from "./config.js";
import type { ProviderOptions } from "./observability/providers.js";
import type { ReconnectBackoff } from "./reconnect-backoff.js";

export interface WorkerOptions extends WorkerConfigOptions, ProviderOptions {
  /** Registry whose components the worker hosts. Default: the global registry `fn()` adds to. */
  registry?: Registry;
  /** Components to host. Alone: exactly these; with `registry`: in addition to (and over) it. */
  components?: readonly ComponentDefinition[];
  /** Logger for the worker and, as children, for every ctx.logger. Default: pino "agnt5.worker". */
  logger?: Logger;
  /** Identifies this worker to the coordinator across reconnects. Default: a random UUID per Worker. */
  workerId?: string;
  /**
   * The worker token (agnt5 keys create --worker), sent as gRPC metadata `authorization: Bearer
   * <token>` when the stream opens. Default: AGNT5_WORKER_TOKEN. A refused token is logged as an
   * error and retried at the backoff ceiling (reconnectBackoff.maxDelayMs), not at full speed.
   */
  token?: string;
  /** Sent with the registration (RegisterWorker.labels), e.g. { region: "eu-west-1" }. */
  labels?: Record<string, string>;
  /**
   * Standalone runtime: delays between attempts to reach the coordinator, doubling from
   * `initialDelayMs` (default 100) to `maxDelayMs` (default 5000) with jitter. The worker retries
   * until it is stopped, logging the first failure and then a summary at growing intervals.
   */
  reconnectBackoff?: Partial<ReconnectBackoff>;
  /** HTTP runtime: largest accepted request body. Default 1 MiB. */
  bodyLimitBytes?: number;
  /** run() drains and exits the process (code 0) on SIGINT/SIGTERM. Default true. */
  handleSignals?: boolean;
  /** While run() runs, log unhandled promise rejections instead of crashing. Default true. */
  catchUnhandledRejections?: boolean;
}
