import { attachToolsContext } from "@agnt5/adk";
import {
  Agnt5Error,
  CancelledError,
  type ComponentDefinition,
  ComponentNotFoundError,
  type DurableContext,
  decodeJson,
  encodeJson,
  isAsyncIterable,
  type Logger,
  type ObservabilityInit,
  type SerializedError,
  secretRedactor,
  serializeError,
  TerminalError,
} from "@agnt5/core";
import { DurableExecution, type ExecutionFailure, type ExecutionOutcome, type Outbound } from "@agnt5/durable";
import { attachLlmContext } from "@agnt5/llm";
import type { EntryResult as ProtoEntryResult, StartInvocation } from "@agnt5/proto";
import type { ComponentSource } from "./component-source.js";
import { type EntityInvocation, entityInvocation } from "./entity-invocation.js";
import { failureLogLevel } from "./failure-log-level.js";
import { untilAborted } from "./invoke-component.js";
import { entryToProto, journalFromProto, resultFromProto } from "./journal-codec.js";
import {
  type InvocationSpan,
  startInvocationSpan,
  tracingInstalled,
  withContext,
} from "./observability/invocation-span.js";
import {
  FRAME_PAYLOAD_LIMITS,
  oversizedEntityState,
  oversizedEntry,
  oversizedOutput,
  type PayloadLimits,
} from "./payload-limits.js";
import { toWireFailure } from "./wire-failure.js";
import type { OutgoingMessage } from "./worker-connection.js";

export interface InvocationRunnerDeps {
  components: ComponentSource;
  serviceName: string;
  serviceVersion: string;
  logger: Logger;
  /** How long a handler may wait only on timers, signals or child calls before it suspends. */
  suspendAfterMs: number;
  /** Writes to the stream the invocation arrived on. */
  send(message: OutgoingMessage): void;
  /** ctx.secrets() and ctx.config() providers (default: the environment). */
  observability?: ObservabilityInit;
  /** Payloads over these fail the invocation before they are sent (default: the gRPC frame limit). */
  payloadLimits?: PayloadLimits;
}

/** One invocation running on this worker. */
export interface RunningInvocation {
  readonly invocationId: string;
  readonly attempt: number;
  /** An EntryAck from the coordinator for this invocation. */
  onAck(index: number, result: ProtoEntryResult | undefined): void;
  /**
   * CancelInvocation: the durable operation the handler awaits (and every later one) rejects with
   * CancelledError, and ctx.abortSignal is aborted with it. The run reports what the handler returns.
   */
  cancel(reason: string): void;
  /** Aborts ctx.abortSignal with `reason` (an Agnt5Error whose code becomes the failure code). */
  abort(reason: Agnt5Error): void;
  /** Stops reporting: whatever the handler produces from now on is dropped. */
  detach(): void;
  /** Settles once the run's outcome is decided and reported (or dropped). Never rejects. */
  readonly done: Promise<void>;
}

/** What a streaming handler's run returns to the engine: its chunks went out as StreamChunks. */
const STREAMED = Symbol("streamed");

/**
 * Runs a StartInvocation on the durable engine (@agnt5/durable) and reports it. Functions and
 * workflows alike: the journal in StartInvocation is replayed, new durable operations are proposed
 * (ProposeEntry) and continue on their EntryAck, and a handler blocked only on timers, signals or
 * child calls for `suspendAfterMs` suspends (SuspendInvocation) and leaves the worker. An entity
 * method (see entity-invocation.ts) runs the same way, with an EntityContext over the engine's.
 *
 * Outcomes: completed -> `completed` with the JSON output (a streaming function sends its `chunk`s
 * first and an empty output); failed -> `failed`; suspended -> nothing more (the suspend frame went
 * out); cancelled -> `completed` with what the handler returned (the coordinator, which asked for the
 * cancellation, records the run as cancelled). A completed entity write also sends its
 * `state_changes`; failed, cancelled and shared-method runs send none. Never throws.
 */
export function runInvocation(start: StartInvocation, deps: InvocationRunnerDeps): RunningInvocation {
  const controller = new AbortController();
  const { invocationId, attempt } = start;
  const limits = deps.payloadLimits ?? FRAME_PAYLOAD_LIMITS;
  const runId = start.runId || invocationId;
  const logger = deps.logger.child({
    service: deps.serviceName,
    component: start.componentName,
    invocationId,
    runId,
    attempt,
  });
  let detached = false;
  /** Set once the outcome is decided: later frames from an abandoned handler are dropped. */
  let finished = false;
  let execution: DurableExecution | undefined;
  let span: InvocationSpan | undefined;
  let definition: ComponentDefinition | undefined;
  /** Set for an entity method: its state changes go out with the result. */
  let entityCall: EntityInvocation | undefined;
  /** Set by a protocol error the runner found itself (an unreadable ack): the engine is not heard any more. */
  let failing = false;
  let fail!: (error: unknown) => void;
  const runnerFailure = new Promise<ExecutionOutcome>((resolve) => {
    fail = (error) => {
      failing = true;
      resolve(failedOutcome(error));
    };
  });
  /** Sends the final report. */
  const send = (message: OutgoingMessage) => {
    if (!detached && !finished) deps.send(message);
  };
  /** Sends what the running handler produces (proposals, suspension, chunks). */
  const emit = (message: OutgoingMessage) => {
    if (!failing) send(message);
  };

  const forward = (frame: Outbound) => {
    if (frame.type === "propose") {
      // A secret the handler read never reaches the journal (a step returning one records [REDACTED]).
      const entry = entryToProto(secretRedactor.redact(frame.entry));
      // Over a limit: the invocation fails here, once, saying which limit (the coordinator would refuse it).
      const oversized = oversizedEntry(entry, limits);
      if (oversized) fail(oversized);
      else emit({ case: "proposeEntry", value: { invocationId, attempt, entry } });
    } else {
      emit({ case: "suspend", value: { invocationId, attempt, waitingOn: frame.waitingOn } });
    }
  };

  const execute = async (): Promise<ExecutionOutcome> => {
    definition = deps.components.get(start.componentName);
    if (!definition) {
      const names = deps.components.list().map((component) => component.name);
      return failedOutcome(new ComponentNotFoundError(start.componentName, names));
    }
    try {
      entityCall = entityInvocation(start, definition);
    } catch (error) {
      return failedOutcome(error);
    }
    let input: unknown;
    try {
      input = decodeJson(start.input);
    } catch (error) {
      return failedOutcome(
        new TerminalError(`Input for ${start.componentName} is not valid JSON: ${(error as Error).message}`, {
          code: "INVALID_INPUT",
        }),
      );
    }
    let journal: ReturnType<typeof journalFromProto>;
    try {
      journal = journalFromProto(start.journal);
    } catch (error) {
      return failedOutcome(error);
    }
    const component = definition;
    if (tracingInstalled()) {
      span = startInvocationSpan({
        invocationId,
        runId,
        attempt,
        service: deps.serviceName,
        component: component.name,
        kind: component.kind,
        headers: start.headers,
      });
    }
    // Tracing off: no span, and no trace context goes on, so the engine makes no spans at all.
    const traceContext = span?.recording ? span.context : undefined;
    execution = new DurableExecution({
      invocationId,
      runId,
      attempt,
      componentType: component.kind,
      componentName: component.name,
      serviceName: deps.serviceName,
      journal,
      cancelRequested: start.cancelRequested,
      send: forward,
      suspendAfterMs: deps.suspendAfterMs,
      defaultStepRetry: component.retryPolicy,
      logger,
      headers: { ...start.headers },
      metadata: { ...start.metadata, service_name: deps.serviceName, service_version: deps.serviceVersion },
      signal: controller.signal,
      observability: traceContext ? { ...deps.observability, traceContext } : deps.observability,
    });
    // ctx.llm: model calls as journaled steps (the engine's context is a plain, extensible object).
    attachLlmContext(execution.context);
    // ctx.tools: tools registered for this invocation, their runs journaled as steps.
    attachToolsContext(execution.context);
    const method = entityCall;
    const body = (ctx: DurableContext) =>
      component.kind === "entity" ? method!.run(input, ctx) : runHandler(component, input, ctx);
    const run = traceContext ? execution.run((ctx) => withContext(traceContext, () => body(ctx))) : execution.run(body);
    return Promise.race([run, runnerFailure]);
  };

  /** Calls the handler; a streaming function's chunks are sent as they come. */
  const runHandler = async (
    component: Exclude<ComponentDefinition, { kind: "entity" }>,
    input: unknown,
    ctx: DurableContext,
  ) => {
    // An agent's events travel as chunks beside its result; a replay re-sends them from seq 0 and
    // the coordinator drops those it already has (the events of a replay are the same, in order).
    if (component.kind === "agent") {
      let eventSeq = 0n;
      return await component.invokeWithEvents(input, ctx, (event) => {
        emit({ case: "chunk", value: { invocationId, seq: eventSeq, data: encodeOutput(event, component.name) } });
        eventSeq += 1n;
      });
    }
    const result = component.invoke(input, ctx);
    if (!isAsyncIterable(result)) return await result;
    let seq = 0n;
    for await (const chunk of untilAborted(result, controller.signal)) {
      emit({ case: "chunk", value: { invocationId, seq, data: encodeOutput(chunk, component.name) } });
      seq += 1n;
    }
    return STREAMED;
  };

  const report = (outcome: ExecutionOutcome): void => {
    const name = definition?.name ?? start.componentName;
    span?.end(outcome);
    span = undefined;
    switch (outcome.type) {
      case "suspended":
        finished = true;
        logger.debug({ waitingOn: outcome.waitingOn }, "Invocation suspended");
        return;
      case "completed":
      case "cancelled": {
        let output: Uint8Array;
        let stateChanges: ReturnType<EntityInvocation["stateChanges"]> = [];
        try {
          // The coordinator assembles a stream's chunk array itself: no need to send everything twice.
          output = outcome.value === STREAMED ? new Uint8Array() : encodeOutput(outcome.value, name);
          // An entity write's sets and deletes commit with its result; a cancelled write changes nothing.
          if (outcome.type === "completed" && entityCall) stateChanges = entityCall.stateChanges();
          const oversized =
            oversizedOutput(name, output.byteLength) ??
            (entityCall ? oversizedEntityState(entityCall.label, start.state, stateChanges, limits) : undefined);
          if (oversized) throw oversized;
        } catch (error) {
          report(failedOutcome(error));
          return;
        }
        if (outcome.type === "cancelled") logger.info("Invocation cancelled");
        else logger.debug("Invocation completed");
        send({ case: "completed", value: { invocationId, attempt, output, stateChanges } });
        finished = true;
        return;
      }
      case "failed": {
        // Neither the log line nor the caller's error shows a secret the handler read.
        const failure = secretRedactor.redact(explainedFailure(outcome.failure));
        if (!detached && !finished) {
          const label = KIND_LABELS[definition?.kind ?? "function"];
          const message = `${label} ${entityCall?.label ?? name} failed: ${failure.message}`;
          // A caller's bad input is not our error, nor is a TerminalError the handler chose to throw:
          // only faults (an unexpected exception, a protocol error) are errors with a stack.
          const { level, withStack } = failureLogLevel(failure);
          const stack = withStack ? failure.stack : undefined;
          logger[level]({ code: failure.code, retryable: failure.retryable, ...(stack ? { stack } : {}) }, message);
        }
        send({ case: "failed", value: { invocationId, attempt, failure: toWireFailure(failure) } });
        finished = true;
        return;
      }
    }
  };

  /** Once aborted, the abort reason (CANCELLED, WORKER_DRAINING, ...) explains a failure better than what the handler threw. */
  const explainedFailure = (failure: ExecutionFailure): SerializedError => {
    const reason = controller.signal.reason;
    const base: SerializedError =
      controller.signal.aborted && Agnt5Error.isInstance(reason)
        ? serializeError(reason)
        : { ...failure, type: failure.type ?? "Error" };
    // Where the handler was when it failed, even when the abort reason names the failure.
    return { ...base, ...(failure.stack === undefined ? {} : { stack: failure.stack }) };
  };

  const done = execute()
    .then(report)
    // Reporting cannot fail in practice; if it does, log, never reject.
    .catch((error: unknown) => logger.error({ stack: (error as Error)?.stack }, "Could not report invocation result"));

  return {
    invocationId,
    attempt,
    onAck: (index, result) => {
      if (!execution || finished || failing) return;
      let decoded: ReturnType<typeof resultFromProto>;
      try {
        decoded = resultFromProto(result, `the EntryAck of entry ${index}`);
      } catch (error) {
        fail(error);
        return;
      }
      execution.onAck(index, decoded);
    },
    cancel: (reason) => {
      const cancellation = new CancelledError(reason || undefined);
      // The engine first, so the awaited operation rejects with its CancelledError; then the signal.
      execution?.cancel(reason || "cancellation was requested");
      if (!controller.signal.aborted) controller.abort(cancellation);
    },
    abort: (reason) => {
      if (!controller.signal.aborted) controller.abort(reason);
    },
    detach: () => {
      detached = true;
    },
    done,
  };
}

const KIND_LABELS: Record<ComponentDefinition["kind"], string> = {
  function: "Function",
  workflow: "Workflow",
  entity: "Entity method",
  agent: "Agent",
};

function failedOutcome(error: unknown): ExecutionOutcome {
  const { code, message, type, retryable, retryAfterMs, details, stack } = serializeError(error);
  return {
    type: "failed",
    failure: {
      code,
      message,
      type,
      retryable,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      ...(details === undefined ? {} : { details }),
      ...(stack === undefined ? {} : { stack }),
    },
  };
}

/** The JSON bytes of an output or chunk, with every secret read through ctx.secrets() redacted. */
function encodeOutput(value: unknown, component: string): Uint8Array {
  try {
    return encodeJson(secretRedactor.redact(value));
  } catch (error) {
    // BigInt or a cycle: retrying produces the same value, so the failure is terminal.
    throw new TerminalError(`Output of ${component} is not JSON-serializable: ${(error as Error).message}`, {
      code: "INVALID_OUTPUT",
    });
  }
}
