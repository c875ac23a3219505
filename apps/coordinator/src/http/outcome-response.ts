import type { FastifyReply } from "fastify";
import type { Outcome } from "../engine/active-invocation.js";
import { CoordinatorError, errorBody, httpStatusFor } from "../errors.js";
import type { InvocationHandle } from "../invocations/invocation-manager.js";
import { storeDataProblem } from "../store-data-error.js";
import type { ServiceRegistry } from "../workers/service-registry.js";
import type { GatewayClosing } from "./gateway-closing.js";

/**
 * Waits for an invocation's outcome, or throws a 504 (timed out) or 503 (the gateway is closing)
 * that tells the caller what happens next.
 */
export async function awaitOutcome(
  handle: InvocationHandle,
  timeoutMs: number,
  services: ServiceRegistry,
  serviceName: string,
  closing: GatewayClosing,
): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  const closed = closing.wait();
  try {
    const result = await Promise.race([handle.outcome, timeout, closed.promise.then(() => "closing" as const)]);
    if (result === "closing") throw shuttingDown(handle.id);
    if (result !== "timeout") {
      if (result.status === "failed") await refuseUnstorable(handle);
      return result;
    }
  } finally {
    clearTimeout(timer);
    closed.dispose();
  }
  const connected = services.get(serviceName)?.workers.size ?? 0;
  const message = connected
    ? `Invocation ${handle.id} did not complete within ${timeoutMs} ms; it continues, see GET /v1/invocations/${handle.id}`
    : `No worker of service "${serviceName}" connected within ${timeoutMs} ms; invocation ${handle.id} stays queued and runs when one connects`;
  throw new CoordinatorError("TIMEOUT", message, { invocationId: handle.id });
}

/**
 * An invocation whose record the store refused because of the caller's data (U+0000, a value too
 * long) fails as UNAVAILABLE inside the engine; the caller gets the 400 it deserves instead.
 */
async function refuseUnstorable(handle: InvocationHandle): Promise<void> {
  const problem = await handle.recorded.then(
    () => undefined,
    (error: unknown) => storeDataProblem(error) && (error as Error).message,
  );
  if (problem) {
    throw new CoordinatorError("INVALID_REQUEST", `The request holds data the store cannot keep: ${problem}`);
  }
}

/** The error a caller sees for an outcome that is not a completion. */
export function outcomeError(invocationId: string, outcome: Exclude<Outcome, { status: "completed" }>) {
  if (outcome.status === "failed") return outcome.error;
  return { code: "CANCELLED", message: `Invocation ${invocationId} was cancelled`, details: undefined };
}

/** Sends a failed or cancelled outcome with the status from the one code table. */
export function sendFailure(
  reply: FastifyReply,
  invocationId: string,
  outcome: Exclude<Outcome, { status: "completed" }>,
) {
  const error = outcomeError(invocationId, outcome);
  return reply
    .status(httpStatusFor(error.code))
    .header("agnt5-invocation-id", invocationId)
    .send(errorBody(error.code, error.message, error.details, invocationId));
}

/**
 * Streams a streaming handler's chunks as they arrive: NDJSON by default, SSE when the caller
 * accepts text/event-stream. Every frame is an envelope so an error can follow chunks.
 */
export async function streamOutcome(
  reply: FastifyReply,
  handle: InvocationHandle,
  sse: boolean,
  closing: GatewayClosing,
): Promise<void> {
  reply.hijack();
  const response = reply.raw;
  response.writeHead(200, {
    "content-type": sse ? "text/event-stream" : "application/x-ndjson",
    "cache-control": "no-cache",
    "agnt5-invocation-id": handle.id,
    ...(sse ? { connection: "keep-alive" } : {}),
  });
  const write = (type: string, payload: string) => {
    if (response.destroyed) return;
    response.write(sse ? `event: ${type}\ndata: ${payload}\n\n` : `${payload}\n`);
  };
  const unsubscribe = handle.subscribe((seq, data) => write("chunk", `{"type":"chunk","seq":${seq},"data":${data}}`));
  response.on("close", unsubscribe);
  const closed = closing.wait();
  const outcome = await Promise.race([handle.outcome, closed.promise.then(() => undefined)]);
  closed.dispose();
  unsubscribe();
  const error = outcome
    ? outcome.status === "completed"
      ? undefined
      : outcomeError(handle.id, outcome)
    : shuttingDown(handle.id);
  if (!error) write("done", JSON.stringify({ type: "done", invocationId: handle.id }));
  else
    write(
      "error",
      JSON.stringify({ type: "error", ...errorBody(error.code, error.message, error.details, handle.id) }),
    );
  // While the gateway closes, the connection goes too (once the response is flushed).
  const socket = response.socket;
  response.end(outcome ? undefined : () => socket?.end());
}

/** What a caller still waiting gets when the coordinator shuts down (the invocation is recorded; recovery resumes it). */
function shuttingDown(invocationId: string): CoordinatorError {
  return new CoordinatorError(
    "UNAVAILABLE",
    `The coordinator is shutting down; invocation ${invocationId} is recorded and continues (after a restart if need be), see GET /v1/invocations/${invocationId}`,
    { invocationId },
  );
}
