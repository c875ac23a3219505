import type { FastifyReply, FastifyRequest } from "fastify";
import { CoordinatorError } from "../errors.js";
import type { InvocationHandle } from "../invocations/invocation-manager.js";
import { storeDataProblem } from "../store-data-error.js";
import type { ServiceRegistry } from "../workers/service-registry.js";
import type { GatewayClosing } from "./gateway-closing.js";
import { awaitOutcome, sendFailure, streamOutcome } from "./outcome-response.js";

export type CallMode = "sync" | "async";

/** `?mode=sync` (the default: wait for the result) or `?mode=async` (202 with the id at once). */
export function callMode(query: { mode?: string }): CallMode {
  const mode = query.mode ?? "sync";
  if (mode !== "sync" && mode !== "async") {
    throw new CoordinatorError("INVALID_REQUEST", `mode must be "sync" or "async", got "${mode}"`);
  }
  return mode;
}

/** Waits until the invocation is recorded: nothing is acknowledged before (a failed record is a 503). */
export async function awaitRecorded(handle: InvocationHandle): Promise<void> {
  await handle.recorded.catch((error: unknown) => {
    // The caller's data, not the store's health, is the problem: retrying would fail the same way.
    if (storeDataProblem(error)) {
      throw new CoordinatorError(
        "INVALID_REQUEST",
        `The request holds data the store cannot keep: ${(error as Error).message}`,
      );
    }
    throw new CoordinatorError("UNAVAILABLE", `The invocation could not be recorded: ${(error as Error).message}`);
  });
}

/**
 * The answer to a call on /v1/services/... or /v1/entities/...: 202 with the id (async), the
 * streamed chunks (streaming handlers), or the JSON output with an `agnt5-invocation-id` header.
 */
export async function answerInvocation(
  request: FastifyRequest,
  reply: FastifyReply,
  handle: InvocationHandle,
  options: {
    mode: CallMode;
    timeoutMs: number;
    service: string;
    streaming: boolean;
    services: ServiceRegistry;
    closing: GatewayClosing;
  },
) {
  if (options.mode === "async") {
    await awaitRecorded(handle);
    return reply.status(202).send({ invocationId: handle.id });
  }
  if (options.streaming) {
    const sse = (request.headers.accept ?? "").includes("text/event-stream");
    return streamOutcome(reply, handle, sse, options.closing);
  }
  const outcome = await awaitOutcome(handle, options.timeoutMs, options.services, options.service, options.closing);
  if (outcome.status !== "completed") return sendFailure(reply, handle.id, outcome);
  return reply.header("content-type", "application/json").header("agnt5-invocation-id", handle.id).send(outcome.output);
}
