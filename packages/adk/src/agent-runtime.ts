import {
  type ApprovalDecision,
  type ApprovalOptions,
  type DurableContext,
  type Logger,
  nextRetryDelayMs,
  type RetryPolicy,
  resolveRetryPolicy,
  StepFailedError,
  silentLogger,
  TerminalError,
} from "@agnt5/core";

/**
 * Where an agent run's model calls and tool runs go:
 * - journaled: each one is a ctx.step of the durable context (a replay returns its recorded result);
 * - plain: they just run (no ctx, or a ctx whose ctx.step function is running: durable operations
 *   cannot nest, so the enclosing step records the run's whole result instead).
 */
export interface AgentRuntime {
  readonly journaled: boolean;
  /** The durable context, when there is one (journaled or not); handoffs run on it too. */
  readonly ctx: DurableContext | undefined;
  readonly runId: string;
  /** The invocation the entries belong to (the run id outside a durable context). */
  readonly invocationId: string;
  readonly abortSignal: AbortSignal;
  readonly logger: Logger;
  /**
   * Runs `fn` as the entry `name`: a ctx.step when journaled, else directly (retried per `retry`).
   * A failure comes back as a StepFailedError in both cases, so the loop handles them alike.
   */
  step<T>(name: string, fn: () => Promise<T>, retry?: Partial<RetryPolicy>): Promise<T>;
  /** ctx.human.approval when journaled; undefined when no durable approval is possible here. */
  approval(name: string, options: ApprovalOptions): Promise<ApprovalDecision> | undefined;
  /** The n-th run of agent `name` on this context (0 first), so two runs of one agent journal distinct entries. */
  nextRunOrdinal(name: string): number;
}

const ordinals = new WeakMap<object, Map<string, number>>();

export function createAgentRuntime(options: {
  ctx: DurableContext | undefined;
  runId: string | undefined;
  abortSignal: AbortSignal | undefined;
}): AgentRuntime {
  const { ctx } = options;
  const journaled = ctx !== undefined && ctx.stepId === undefined;
  const runId = ctx?.runId ?? options.runId ?? crypto.randomUUID();
  const abortSignal = options.abortSignal ?? ctx?.abortSignal ?? new AbortController().signal;
  const ordinalKey: object = ctx ?? {};
  return {
    journaled,
    ctx,
    runId,
    invocationId: ctx?.invocationId ?? runId,
    abortSignal,
    logger: ctx?.logger ?? silentLogger,
    step(name, fn, retry) {
      if (journaled) return ctx.step(name, fn, retry === undefined ? undefined : { retry });
      return runWithRetries(name, fn, retry, abortSignal);
    },
    approval(name, approvalOptions) {
      if (!journaled) return undefined;
      return ctx.human.approval(name, approvalOptions);
    },
    nextRunOrdinal(name) {
      const byName = ordinals.get(ordinalKey) ?? new Map<string, number>();
      ordinals.set(ordinalKey, byName);
      const ordinal = byName.get(name) ?? 0;
      byName.set(name, ordinal + 1);
      return ordinal;
    },
  };
}

/** Outside a journal: the step policy applied in process, the last failure as a StepFailedError. */
async function runWithRetries<T>(
  name: string,
  fn: () => Promise<T>,
  retry: Partial<RetryPolicy> | undefined,
  abortSignal: AbortSignal,
): Promise<T> {
  const policy = resolveRetryPolicy({ maxAttempts: 1, ...definedFields(retry) });
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (abortSignal.aborted) throw abortSignal.reason;
      const delay = TerminalError.isInstance(error) ? undefined : nextRetryDelayMs(policy, attempt);
      if (delay === undefined) {
        const failure = {
          code: (error as { code?: string })?.code ?? "HANDLER_ERROR",
          message: error instanceof Error ? error.message : String(error),
          type: error instanceof Error ? error.name : typeof error,
        };
        throw new StepFailedError(name, failure, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

function definedFields<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, field]) => field !== undefined)) as Partial<T>;
}
