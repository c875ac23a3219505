import { createExecutionContext, type ExecutionContext, type ExecutionContextInit } from "./context.js";
import { runGather, runParallel } from "./durable-combinators.js";
import {
  type ApprovalDecision,
  type CallableDefinition,
  type CallTarget,
  type ChildHandle,
  type DurableContext,
  type DurableSignal,
  type EntityCallOptions,
  isDurableContext,
  type ParallelItem,
  type TimerOptions,
} from "./durable-context.js";
import { type AnyEntityDefinition, isEntityDefinition } from "./entity.js";
import { TerminalError } from "./errors.js";
import { isAsyncIterable } from "./function.js";
import { createEntityProxy, localEntityStore } from "./local-entity-store.js";
import { createObservabilityContext, type ObservabilityInit } from "./observability/observability-context.js";

/**
 * A DurableContext whose operations run in process, without a journal: what a handler gets when it
 * is called directly (`await greet("x")`, executeComponent, unit tests). ctx.step runs its function
 * at once (no retries, nothing recorded), ctx.sleep and ctx.timer({ delayMs }) really wait,
 * ctx.task / ctx.spawn with a definition call it in process, now/random/uuid draw fresh values,
 * ctx.entity with a definition runs its methods in process on in-memory state (localEntityStore).
 * Operations that need a coordinator (signals, approvals, cron timers, calls by service name,
 * entities by type name) reject with a TerminalError coded NOT_IN_WORKER.
 */
export function createLocalDurableContext(
  init: ExecutionContext | ExecutionContextInit = {},
  observability: ObservabilityInit = {},
): DurableContext {
  const base = isExecutionContext(init) ? init : createExecutionContext(init);
  const steps: string[] = [];
  const abortSignal = base.signal;

  const signal = Object.assign(<T>(name: string): Promise<T> => Promise.reject(notInWorker(`ctx.signal("${name}")`)), {
    emit: (name: string): Promise<void> => Promise.reject(notInWorker(`ctx.signal.emit("${name}")`)),
  }) as DurableSignal;

  const call = (definition: CallableDefinition, input: unknown): { invocationId: string; output: Promise<any> } => {
    const child = createExecutionContext({
      componentName: definition.name,
      componentType: definition.kind,
      headers: { ...base.headers },
      metadata: { ...base.metadata },
      logger: base.logger,
      signal: abortSignal,
    });
    const output = (async () => {
      const result = definition.invoke(input, child);
      if (!isAsyncIterable(result)) return result;
      const chunks: unknown[] = [];
      for await (const chunk of result) chunks.push(chunk);
      return chunks;
    })();
    return { invocationId: child.invocationId, output };
  };

  const context: DurableContext = {
    invocationId: base.invocationId,
    runId: base.runId,
    attempt: base.attempt,
    componentType: base.componentType,
    componentName: base.componentName,
    metadata: base.metadata,
    headers: base.headers,
    logger: base.logger,
    abortSignal,
    get stepId() {
      return steps.at(-1);
    },
    objectId: undefined,
    methodName: undefined,

    async step<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
      steps.push(name);
      try {
        return await fn();
      } finally {
        steps.splice(steps.lastIndexOf(name), 1);
      }
    },
    sleep(seconds: number) {
      if (!(seconds >= 0) || !Number.isFinite(seconds)) return Promise.reject(invalidDuration("ctx.sleep", seconds));
      return delay(seconds * 1000, abortSignal);
    },
    timer(options: TimerOptions) {
      if ("cron" in options) return Promise.reject(notInWorker(`ctx.timer({ cron: "${options.cron}" })`));
      if (!(options.delayMs >= 0) || !Number.isFinite(options.delayMs)) {
        return Promise.reject(invalidDuration("ctx.timer", options.delayMs));
      }
      return delay(options.delayMs, abortSignal);
    },
    signal,
    human: {
      approval: (name: string): Promise<ApprovalDecision> =>
        Promise.reject(notInWorker(`ctx.human.approval("${name}")`)),
    },
    task(first: string | CallableDefinition, second?: unknown): Promise<any> {
      if (typeof first === "string") {
        return Promise.reject(notInWorker(`ctx.task("${first}", "${String(second)}")`));
      }
      return call(first, second).output;
    },
    spawn(target: CallableDefinition | CallTarget, input?: unknown): ChildHandle<any> {
      if (!isDefinition(target)) {
        throw notInWorker(`ctx.spawn({ service: "${target.service}", handler: "${target.handler}" })`);
      }
      const { invocationId, output } = call(target, input);
      // The caller may never ask for the result: its failure must not become an unhandled rejection.
      output.catch(() => {});
      return { invocationId, index: -1, result: () => output };
    },
    entity(target: string | AnyEntityDefinition, key: string, _options?: EntityCallOptions): any {
      if (isEntityDefinition(target)) return localEntityStore.proxy(target, key, base);
      return createEntityProxy((method) =>
        Promise.reject(notInWorker(`ctx.entity("${String(target)}", "${key}").${method}()`)),
      );
    },
    parallel: <T extends readonly ParallelItem[]>(...items: T) => runParallel(items),
    gather: runGather,
    now: async () => new Date(),
    random: async () => Math.random(),
    uuid: async () => crypto.randomUUID(),
  } as DurableContext;
  // Nothing is replayed in process: ctx.log() always prints, variants are drawn on each call.
  Object.assign(
    context,
    createObservabilityContext({
      ...observability,
      logger: base.logger,
      runId: base.runId,
      invocationId: base.invocationId,
      componentName: base.componentName,
      componentType: base.componentType,
      // The HTTP runtime passes the service in the metadata: user metrics are labelled with it.
      ...(base.metadata.service_name ? { serviceName: base.metadata.service_name } : {}),
      replaying: () => false,
      step: (name, fn) => context.step(name, fn),
    }),
  );
  return context;
}

/** The handler's view of `ctx`: a DurableContext as is, a plain ExecutionContext with local durable operations. */
export function toDurableContext(ctx: ExecutionContext | DurableContext): DurableContext {
  return isDurableContext(ctx) ? ctx : createLocalDurableContext(ctx);
}

function notInWorker(operation: string): TerminalError {
  return new TerminalError(
    `${operation} needs a worker: signals, approvals, cron timers, calls by service name and entities by type ` +
      "name are recorded by the coordinator, so they are not available when a handler is called directly. Run " +
      "it on a Worker, pass the entity's definition (ctx.entity(Cart, key)) to run it in process, or drive it " +
      "with @agnt5/durable's DurableExecution in tests.",
    { code: "NOT_IN_WORKER" },
  );
}

function invalidDuration(operation: string, value: number): TerminalError {
  return new TerminalError(`${operation}() needs a finite, non-negative duration, got ${value}`, {
    code: "INVALID_ARGUMENT",
  });
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function isDefinition(value: unknown): value is CallableDefinition {
  return typeof value === "function" && "kind" in value && typeof (value as { invoke?: unknown }).invoke === "function";
}

function isExecutionContext(value: unknown): value is ExecutionContext {
  return (
    typeof value === "object" && value !== null && "invocationId" in value && "logger" in value && "signal" in value
  );
}
