import type {
  AnyEntityDefinition,
  CallableDefinition,
  CallTarget,
  ComponentType,
  DurableContext,
  EntityCallOptions,
  Logger,
  ObservabilityInit,
  ParallelItem,
  SpawnOptions,
  StepOptions,
  TimerOptions,
} from "@agnt5/core";
import { createObservabilityContext, type ObservabilityContext } from "@agnt5/core";
import { runGather, runParallel } from "@agnt5/core/internal";
import { createHuman } from "./approval-operation.js";
import { entity, spawn, task } from "./call-operations.js";
import { now, random, uuid } from "./deterministic-operations.js";
import type { EngineEnvironment } from "./engine-environment.js";
import type { ExecutionCore } from "./execution-core.js";
import { createSignal } from "./signal-operations.js";
import { step } from "./step-operation.js";
import { currentStep } from "./step-scope.js";
import { sleep, timer } from "./timer-operations.js";

export interface ContextFacts {
  componentType: ComponentType;
  componentName: string;
  metadata: Readonly<Record<string, string>>;
  headers: Readonly<Record<string, string>>;
  logger: Logger;
  abortSignal: AbortSignal;
  observability?: ObservabilityInit;
}

/** The DurableContext a handler receives: every operation goes through the execution core. */
export function createEngineContext(core: ExecutionCore, env: EngineEnvironment, facts: ContextFacts): DurableContext {
  // ctx.log(), ctx.metrics(), ... are built on first use: most invocations never call them, and
  // every invocation builds this context (an echo call pays for no observability objects).
  let observability: ObservabilityContext | undefined;
  const observe = () =>
    (observability ??= createObservabilityContext({
      ...facts.observability,
      logger: facts.logger,
      runId: env.runId,
      invocationId: env.invocationId,
      componentName: facts.componentName,
      componentType: facts.componentType,
      serviceName: env.serviceName,
      replaying: () => core.replaying,
      step: (name, fn) => step(core, env, name, fn),
    }));
  const context = {
    invocationId: env.invocationId,
    runId: env.runId,
    attempt: env.attempt,
    componentType: facts.componentType,
    componentName: facts.componentName,
    metadata: facts.metadata,
    headers: facts.headers,
    logger: facts.logger,
    abortSignal: facts.abortSignal,
    get stepId() {
      return currentStep(core);
    },
    objectId: undefined,
    methodName: undefined,

    step: <T>(name: string, fn: () => T | Promise<T>, options?: StepOptions) => step(core, env, name, fn, options),
    sleep: (seconds: number) => sleep(core, env, seconds),
    timer: (options: TimerOptions) => timer(core, env, options),
    signal: createSignal(core, env),
    human: createHuman(core, env),
    task: (first: string | CallableDefinition, second?: unknown, third?: unknown) =>
      task(core, env, first, second, third),
    spawn: (target: CallableDefinition | CallTarget, input?: unknown, options?: SpawnOptions) =>
      spawn(core, env, target, input, options),
    entity: (target: string | AnyEntityDefinition, key: string, options?: EntityCallOptions) =>
      entity(core, env, target, key, options),
    parallel: <T extends readonly ParallelItem[]>(...items: T) => runParallel(items),
    gather: runGather,
    now: () => now(core, env),
    random: () => random(core, env),
    uuid: () => uuid(core, env),
    log: () => observe().log(),
    metrics: () => observe().metrics(),
    traceSpan: () => observe().traceSpan(),
    secrets: () => observe().secrets(),
    config: () => observe().config(),
  };
  return context as DurableContext;
}
