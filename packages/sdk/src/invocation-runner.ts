import {
  Agnt5Error,
  ComponentNotFoundError,
  createExecutionContext,
  decodeJson,
  encodeJson,
  type Logger,
  serializeError,
  TerminalError,
} from "@agnt5/core";
import type { StartInvocation } from "@agnt5/proto";
import type { ComponentSource } from "./component-source.js";
import { invokeComponent } from "./invoke-component.js";
import { toWireFailure } from "./wire-failure.js";
import type { OutgoingMessage } from "./worker-connection.js";

export interface InvocationRunnerDeps {
  components: ComponentSource;
  serviceName: string;
  serviceVersion: string;
  logger: Logger;
  /** Writes to the stream the invocation arrived on. */
  send(message: OutgoingMessage): void;
}

/** One invocation running on this worker. */
export interface RunningInvocation {
  readonly invocationId: string;
  readonly attempt: number;
  /** Aborts ctx.signal with `reason` (an Agnt5Error whose code becomes the failure code). */
  abort(reason: Agnt5Error): void;
  /** Stops reporting: whatever the handler produces from now on is dropped. */
  detach(): void;
  /** Settles once the handler is done and its result sent (or dropped). Never rejects. */
  readonly done: Promise<void>;
}

/**
 * Runs a StartInvocation to completion and reports it: `chunk`s then `completed` for a streaming
 * function, `completed` with the JSON output otherwise, `failed` for any error. Never throws.
 */
export function runInvocation(start: StartInvocation, deps: InvocationRunnerDeps): RunningInvocation {
  const controller = new AbortController();
  let detached = false;
  const send = (message: OutgoingMessage) => {
    if (!detached) deps.send(message);
  };
  const { invocationId, attempt } = start;
  const logger = deps.logger.child({ invocationId, component: start.componentName, attempt });

  const execute = async (): Promise<void> => {
    const definition = deps.components.get(start.componentName);
    if (!definition) {
      const names = deps.components.list().map((component) => component.name);
      throw new ComponentNotFoundError(start.componentName, names);
    }
    let input: unknown;
    try {
      input = decodeJson(start.input);
    } catch (error) {
      throw new TerminalError(`Input for ${start.componentName} is not valid JSON: ${(error as Error).message}`, {
        code: "INVALID_INPUT",
      });
    }
    const ctx = createExecutionContext({
      invocationId,
      runId: start.runId || invocationId,
      attempt,
      componentType: definition.kind,
      componentName: definition.name,
      metadata: { ...start.metadata, service_name: deps.serviceName, service_version: deps.serviceVersion },
      headers: { ...start.headers },
      logger,
      signal: controller.signal,
    });
    const result = await invokeComponent(definition, input, ctx);
    if (result.streaming) {
      let seq = 0n;
      for await (const chunk of result.chunks) {
        send({ case: "chunk", value: { invocationId, seq, data: encodeOutput(chunk, definition.name) } });
        seq += 1n;
      }
      // The coordinator assembles the chunk array itself: no need to send everything twice.
      send({ case: "completed", value: { invocationId, attempt, output: new Uint8Array() } });
      return;
    }
    send({ case: "completed", value: { invocationId, attempt, output: encodeOutput(result.output, definition.name) } });
  };

  const done = execute().then(
    () => logger.debug("Invocation completed"),
    (error: unknown) => {
      // Once aborted, the abort reason (CANCELLED, WORKER_DRAINING, ...) explains the failure
      // better than whatever the handler threw on its way out.
      const cause =
        controller.signal.aborted && Agnt5Error.isInstance(controller.signal.reason) ? controller.signal.reason : error;
      const failure = serializeError(cause);
      if (!detached) {
        const line = {
          code: failure.code,
          retryable: failure.retryable,
          // Where the handler was when it failed, even when the abort reason names the failure.
          stack: serializeError(error).stack ?? failure.stack,
        };
        const message = `Function ${start.componentName} failed: ${failure.message}`;
        // Cancellation and shutdown are requested, not faults of the handler.
        if (failure.code === "CANCELLED" || failure.code === "WORKER_DRAINING") logger.warn(line, message);
        else logger.error(line, message);
      }
      send({ case: "failed", value: { invocationId, attempt, failure: toWireFailure(failure) } });
    },
  );

  return {
    invocationId,
    attempt,
    abort: (reason) => {
      if (!controller.signal.aborted) controller.abort(reason);
    },
    detach: () => {
      detached = true;
    },
    // Settles when the handler has finished (whether or not its result was still sent), so
    // shutdown can wait for it. Reporting cannot fail in practice; if it does, log, never reject.
    done: done.catch((error: unknown) =>
      logger.error({ stack: (error as Error)?.stack }, "Could not report invocation result"),
    ),
  };
}

function encodeOutput(value: unknown, component: string): Uint8Array {
  try {
    return encodeJson(value);
  } catch (error) {
    // BigInt or a cycle: retrying produces the same value, so the failure is terminal.
    throw new TerminalError(`Output of ${component} is not JSON-serializable: ${(error as Error).message}`, {
      code: "INVALID_OUTPUT",
    });
  }
}
