import {
  CancelledError,
  type ComponentType,
  type DurableContext,
  defaultRetryPolicy,
  type Logger,
  type ObservabilityInit,
  type RetryPolicy,
  silentLogger,
} from "@agnt5/core";
import { createEngineContext } from "./engine-context.js";
import type { EngineEnvironment } from "./engine-environment.js";
import { failedOutcome } from "./entry-failure.js";
import { ExecutionCore } from "./execution-core.js";
import type { EntryResult, ExecutionOutcome, JournalEntry, Outbound } from "./journal-entry.js";
import { stepScope } from "./step-scope.js";
import { type ExecutionTimers, systemTimers } from "./suspension-tracker.js";

export interface DurableExecutionOptions {
  invocationId: string;
  runId: string;
  attempt: number;
  /** "entity" for entity methods (the SDK layers the EntityContext on top of this context). */
  componentType: ComponentType;
  componentName: string;
  /** The worker's service: the target of ctx.task(definition) and ctx.spawn(definition). */
  serviceName: string;
  /** Every entry recorded so far (StartInvocation.journal), with results where complete. */
  journal: readonly JournalEntry[];
  /** StartInvocation.cancel_requested: the run was cancelled while it was not on a worker. */
  cancelRequested?: boolean;
  /** Sends a frame to the coordinator (ProposeEntry, SuspendInvocation). */
  send(frame: Outbound): void;
  /** How long the handler may be blocked only on awaiting entries before suspending (default 1000; 0: at once). */
  suspendAfterMs?: number;
  /** The component's retry policy: the default of every step. */
  defaultStepRetry?: RetryPolicy;
  logger?: Logger;
  headers?: Readonly<Record<string, string>>;
  metadata?: Readonly<Record<string, string>>;
  /** Secrets and configuration providers and the invocation's trace context (ctx.secrets(), ctx.config(), ctx.traceSpan()). */
  observability?: ObservabilityInit;
  /** The invocation's AbortSignal (ctx.abortSignal). */
  signal?: AbortSignal;
  /** Wall clock in unix ms (ctx.now(), timer fire times); injectable for tests. */
  now?(): number;
  /** Random numbers in [0, 1) (ctx.random()); injectable for tests. */
  random?(): number;
  /** UUIDs (ctx.uuid()); injectable for tests. */
  uuid?(): string;
  /** Timers for suspension and in-process step retry backoff; injectable for tests. */
  timers?: ExecutionTimers;
}

export const DEFAULT_SUSPEND_AFTER_MS = 1000;

/**
 * One run of a durable handler on a worker (docs/durable-execution.md, "Worker-side engine API").
 * No I/O: the runtime feeds it acks and cancellations and sends the frames it emits.
 *
 * @example
 * const execution = new DurableExecution({ ...start, journal, send: (frame) => stream.write(frame) });
 * const outcome = await execution.run((ctx) => definition.invoke(input, ctx));
 * // meanwhile: execution.onAck(ack.index, ack.result); execution.cancel(reason);
 */
export class DurableExecution {
  /** What the handler receives. */
  readonly context: DurableContext;
  readonly #core: ExecutionCore;
  #started = false;

  constructor(options: DurableExecutionOptions) {
    const timers = options.timers ?? systemTimers;
    const logger = options.logger ?? silentLogger;
    this.#core = new ExecutionCore({
      journal: options.journal,
      send: options.send,
      suspendAfterMs: Math.max(0, options.suspendAfterMs ?? DEFAULT_SUSPEND_AFTER_MS),
      timers,
      logger,
      cancelRequested: options.cancelRequested ?? false,
      ...(options.observability?.traceContext ? { traceContext: options.observability.traceContext } : {}),
    });
    const env: EngineEnvironment = {
      invocationId: options.invocationId,
      runId: options.runId,
      attempt: options.attempt,
      serviceName: options.serviceName,
      defaultStepRetry: options.defaultStepRetry ?? defaultRetryPolicy,
      logger,
      now: options.now ?? Date.now,
      random: options.random ?? Math.random,
      uuid: options.uuid ?? (() => crypto.randomUUID()),
      sleep: (ms) => new Promise((resolve) => timers.setTimeout(resolve, ms)),
    };
    this.context = createEngineContext(this.#core, env, {
      componentType: options.componentType,
      componentName: options.componentName,
      metadata: options.metadata ?? {},
      headers: options.headers ?? {},
      logger,
      abortSignal: options.signal ?? new AbortController().signal,
      ...(options.observability ? { observability: options.observability } : {}),
    });
  }

  /**
   * Runs the handler and resolves with how the run ended: completed, failed, suspended, or
   * cancelled. It resolves as soon as the outcome is decided, which may be before the handler
   * settles (a suspension, STEP_RETRY or NON_DETERMINISM abandons it).
   */
  run(body: (ctx: DurableContext) => Promise<unknown> | unknown): Promise<ExecutionOutcome> {
    if (this.#started) throw new Error("DurableExecution.run() can be called once");
    this.#started = true;
    const core = this.#core;
    let settled: Promise<unknown>;
    try {
      // A handler started inside a step's function (a local run) must not see that step's scope.
      // exit() is skipped when no scope is active: it turns Node's promise hooks off and on again.
      const outer = stepScope.getStore() !== undefined;
      settled = Promise.resolve(outer ? stepScope.exit(() => body(this.context)) : body(this.context));
    } catch (error) {
      settled = Promise.reject(error);
    }
    settled.then(
      (value) => core.finish(core.cancellation ? { type: "cancelled", value } : { type: "completed", value }),
      (error: unknown) =>
        core.finish(
          core.cancellation && CancelledError.isInstance(error)
            ? { type: "cancelled", value: undefined }
            : failedOutcome(error),
        ),
    );
    return core.outcome;
  }

  /** An EntryAck from the coordinator. Acks for unknown or already completed indexes are ignored. */
  onAck(index: number, result?: EntryResult): void {
    this.#core.onAck(index, result);
  }

  /** CancelInvocation: see "Cancellation" in docs/durable-execution.md. */
  cancel(reason: string): void {
    this.#core.cancel(reason);
  }
}
