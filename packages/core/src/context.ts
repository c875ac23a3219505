import { type Logger, silentLogger } from "./logger.js";

export type { FunctionContext } from "./durable-context.js";

export type ComponentType = "function" | "entity" | "workflow" | "tool" | "agent";

/**
 * What every handler can learn about the invocation it runs in (the seed's ExecutionContext): the
 * plain context a runtime builds. Handlers receive a DurableContext, which adds the durable
 * operations (ctx.step, ctx.sleep, ...) and names the AbortSignal `abortSignal` (its `signal` is
 * the seed's signal API).
 */
export interface ExecutionContext {
  readonly invocationId: string;
  /** The durable run this invocation belongs to; equals invocationId for a plain function call. */
  readonly runId: string;
  /** 1 on the first attempt, incremented by each retry or re-dispatch. */
  readonly attempt: number;
  readonly componentType: ComponentType;
  readonly componentName: string;
  /** Coordinator-provided facts such as service_name and service_version. */
  readonly metadata: Readonly<Record<string, string>>;
  /** The caller's HTTP headers that were forwarded (lower-cased names). */
  readonly headers: Readonly<Record<string, string>>;
  /** A logger whose every line carries the invocation id. */
  readonly logger: Logger;
  /** Aborted when the invocation is cancelled or its worker shuts down past the grace period. */
  readonly signal: AbortSignal;
}

export interface ExecutionContextInit {
  invocationId?: string;
  runId?: string;
  attempt?: number;
  componentType?: ComponentType;
  componentName?: string;
  metadata?: Record<string, string>;
  headers?: Record<string, string>;
  logger?: Logger;
  signal?: AbortSignal;
}

/**
 * Builds a plain context, e.g. for calling a handler directly in a test. A definition's invoke()
 * gives its handler this context's facts with local durable operations (see
 * createLocalDurableContext).
 */
export function createExecutionContext(init: ExecutionContextInit = {}): ExecutionContext {
  const invocationId = init.invocationId ?? `local-${crypto.randomUUID()}`;
  return {
    invocationId,
    runId: init.runId ?? invocationId,
    attempt: init.attempt ?? 1,
    componentType: init.componentType ?? "function",
    componentName: init.componentName ?? "",
    metadata: init.metadata ?? {},
    headers: init.headers ?? {},
    logger: init.logger ?? silentLogger,
    signal: init.signal ?? new AbortController().signal,
  };
}
