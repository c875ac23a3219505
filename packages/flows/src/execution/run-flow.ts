import { type DurableContext, SignalTimeoutError } from "@agnt5/core";
import type { FlowDefinition } from "../model/flow-definition.js";
import { StepType, type TimerConfig, type WorkflowStep } from "../model/step.js";
import { FlowStepFailedError } from "./flow-errors.js";
import { FlowGraph } from "./flow-graph.js";
import { callWithObjectKeys } from "./object-lock.js";
import {
  type FinalStepState,
  FLOW_ENTRY,
  type FlowRunOutput,
  type FlowTaskInput,
  type StepRecord,
} from "./step-record.js";

/** How one durable operation of a step ended. Never a rejection: the loop decides what it means. */
type Outcome =
  | { kind: "ok"; value: unknown }
  | { kind: "timed_out" }
  | { kind: "failed"; error: { code: string; message: string } }
  | { kind: "cancelled"; error: unknown };

/** What a step's operation in flight is for. */
type Phase = "step" | "retry_timer";

const TIMED_OUT = Symbol("timed out");

/**
 * Runs a flow inside a durable workflow handler. Every step becomes ordinary durable operations:
 * a task is ctx.task (or a write on the object-lock entity, with objectKeys), a signal wait is
 * ctx.signal, a timer is ctx.timer. Steps whose edges are settled start together, in definition
 * order.
 *
 * Determinism: when several steps are in flight, which settles first is timing. Each time one
 * settles, the loop records a FLOW_ENTRY step entry naming it, and only then starts what follows.
 * A replay gets the recorded entry back (ctx.step does not re-run its function) and so handles
 * settlements in the recorded order, not the order it observes; the operations it starts next get
 * the same journal indexes as before.
 */
export async function runFlow(ctx: DurableContext, flow: FlowDefinition, runInput: unknown): Promise<FlowRunOutput> {
  const graph = new FlowGraph(flow);
  const states = new Map<string, FinalStepState>();
  const outputs = new Map<string, unknown>();
  const started = new Set<string>();
  const attempts = new Map<string, number>();
  const inflight = new Map<string, { phase: Phase; outcome: Promise<Outcome> }>();

  const record = (value: StepRecord) => ctx.step(FLOW_ENTRY, () => value);

  const startTask = (step: WorkflowStep) => {
    const deps: Record<string, unknown> = {};
    for (const name of step.dependencies) if (outputs.has(name)) deps[name] = outputs.get(name);
    const upstream: Record<string, unknown> = {};
    for (const name of graph.ancestors(step.name)) if (outputs.has(name)) upstream[name] = outputs.get(name);
    const input: FlowTaskInput = { runInput: runInput ?? null, inputData: step.inputData ?? null, deps, upstream };
    return step.objectKeys?.length
      ? callWithObjectKeys(ctx, step.objectKeys, step.serviceName!, step.handlerName!, input)
      : ctx.task(step.serviceName!, step.handlerName!, input);
  };

  const startOperation = (step: WorkflowStep, phase: Phase) => {
    let promise: Promise<unknown>;
    if (phase === "retry_timer") promise = timer(ctx, graph.retryTimer(step)!.timer!);
    else if (step.stepType === StepType.TASK) promise = startTask(step);
    else if (step.stepType === StepType.WAIT_TIMER) promise = timer(ctx, step.timer!).then(() => null);
    else {
      const { name, timeoutMs } = step.signal!;
      promise = ctx.signal(name, timeoutMs === undefined ? {} : { timeoutMs, default: TIMED_OUT });
    }
    inflight.set(step.name, { phase, outcome: settle(promise) });
  };

  /** Starts (or skips) every step whose edges are settled, in definition order, until none changes. */
  const advance = async () => {
    for (let changed = true; changed; ) {
      changed = false;
      for (const step of flow.steps) {
        if (started.has(step.name)) continue;
        const decision = graph.decide(step, states);
        if (decision === "wait") continue;
        started.add(step.name);
        if (decision === "run") startOperation(step, "step");
        else {
          await record({ step: step.name, state: "skipped" });
          states.set(step.name, "skipped");
          changed = true;
        }
      }
    }
  };

  await advance();
  while (inflight.size > 0) {
    const [first, firstOutcome] = await Promise.race(
      [...inflight].map(([name, { outcome }]) => outcome.then((o) => [name, o] as const)),
    );
    if (firstOutcome.kind === "cancelled") throw firstOutcome.error;
    // Live: records `first`. Replay: returns what was recorded, which may name another step.
    const recorded = await record(
      describe(flow.step(first)!, inflight.get(first)!.phase, firstOutcome, graph, attempts),
    );
    const step = flow.step(recorded.step)!;
    inflight.delete(step.name);

    switch (recorded.state) {
      case "retrying":
        attempts.set(step.name, recorded.attempt!);
        startOperation(step, "retry_timer");
        continue;
      case "running":
        startOperation(step, "step");
        continue;
      case "failed":
        states.set(step.name, "failed");
        throw new FlowStepFailedError(step.name, recorded.error!);
      case "timed_out":
        states.set(step.name, "timed_out");
        if (!step.signal?.onTimeout) throw new SignalTimeoutError(step.signal!.name, step.signal!.timeoutMs);
        break;
      default:
        states.set(step.name, recorded.state as FinalStepState);
        if (recorded.state === "completed") outputs.set(step.name, recorded.output ?? null);
    }
    await advance();
  }
  return { states: Object.fromEntries(states), outputs: Object.fromEntries(outputs) };
}

/** The record for a step whose operation settled with `outcome` (live runs only). */
function describe(
  step: WorkflowStep,
  phase: Phase,
  outcome: Exclude<Outcome, { kind: "cancelled" }>,
  graph: FlowGraph,
  attempts: ReadonlyMap<string, number>,
): StepRecord {
  const attempt = attempts.get(step.name) ?? 0;
  if (phase === "retry_timer") {
    if (outcome.kind === "failed") return { step: step.name, state: "failed", error: outcome.error };
    return { step: step.name, state: "running", attempt };
  }
  switch (outcome.kind) {
    case "ok":
      return { step: step.name, state: "completed", output: outcome.value ?? null };
    case "timed_out":
      return { step: step.name, state: "timed_out" };
    case "failed": {
      const retryTimer = step.stepType === StepType.TASK ? graph.retryTimer(step) : undefined;
      if (retryTimer && attempt < retryTimer.timer!.maxRetries) {
        return { step: step.name, state: "retrying", attempt: attempt + 1, error: outcome.error };
      }
      return { step: step.name, state: "failed", error: outcome.error };
    }
  }
}

function timer(ctx: DurableContext, config: TimerConfig): Promise<void> {
  return config.cronExpr !== undefined
    ? ctx.timer({ cron: config.cronExpr, ...(config.timezone === undefined ? {} : { timezone: config.timezone }) })
    : ctx.timer({ delayMs: config.delayMs! });
}

function settle(promise: Promise<unknown>): Promise<Outcome> {
  return promise.then(
    (value): Outcome => (value === TIMED_OUT ? { kind: "timed_out" } : { kind: "ok", value }),
    (error: unknown): Outcome => {
      const code = (error as { code?: unknown })?.code;
      if (code === "CANCELLED") return { kind: "cancelled", error };
      return {
        kind: "failed",
        error: {
          code: typeof code === "string" ? code : "HANDLER_ERROR",
          message: error instanceof Error ? error.message : String(error),
        },
      };
    },
  );
}
