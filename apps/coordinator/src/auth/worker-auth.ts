/**
 * Worker streams: the token arrives as gRPC metadata `authorization: Bearer <token>` when the stream
 * opens and must carry the "worker" scope; each registration must name a service the token lists.
 * Refusals are gRPC statuses a worker can tell apart: UNAUTHENTICATED, PERMISSION_DENIED naming
 * the service, UNAVAILABLE when the store cannot be asked (retrying then makes sense).
 */
import * as grpc from "@grpc/grpc-js";
import { CoordinatorError } from "../errors.js";
import { ForbiddenError, UnauthenticatedError } from "./auth-errors.js";
import type { Authenticator } from "./authenticator.js";
import { ANY_SERVICE, DEV_IDENTITY, type Identity, mayRegister } from "./identity.js";

export class WorkerAuthError extends Error {
  constructor(
    readonly status: grpc.status,
    message: string,
  ) {
    super(message);
    this.name = "WorkerAuthError";
  }
}

const HOW_TO = "set the Worker's token option or AGNT5_WORKER_TOKEN to a worker token (agnt5 keys create --worker)";

/** The identity of a worker stream (DEV_IDENTITY without an authenticator: dev mode). */
export async function authenticateWorker(
  authenticator: Authenticator | undefined,
  metadata: grpc.Metadata,
): Promise<Identity> {
  if (!authenticator) return DEV_IDENTITY;
  const values = metadata.get("authorization").map(String);
  let identity: Identity;
  try {
    identity = await authenticator.authenticate(values.length <= 1 ? values[0] : values, "worker token");
  } catch (error) {
    if (error instanceof UnauthenticatedError || error instanceof ForbiddenError) {
      throw new WorkerAuthError(grpc.status.UNAUTHENTICATED, `Worker token refused: ${error.message}; ${HOW_TO}`);
    }
    if (error instanceof CoordinatorError) throw new WorkerAuthError(grpc.status.UNAVAILABLE, error.message);
    throw new WorkerAuthError(grpc.status.UNAVAILABLE, "Cannot verify the worker token now (the store did not answer)");
  }
  if (!identity.scopes.has("worker")) {
    throw new WorkerAuthError(
      grpc.status.PERMISSION_DENIED,
      `This key lacks the "worker" scope; workers need a worker token (agnt5 keys create --worker)`,
    );
  }
  return identity;
}

/** Undefined when `identity` may register `service`, else the PERMISSION_DENIED refusal. */
export function registrationRefusal(identity: Identity, service: string): WorkerAuthError | undefined {
  if (mayRegister(identity, service)) return undefined;
  const allowed = identity.services.filter((name) => name !== ANY_SERVICE);
  return new WorkerAuthError(
    grpc.status.PERMISSION_DENIED,
    `This worker token may not register service ${JSON.stringify(service)} (it may register: ${allowed.map((name) => JSON.stringify(name)).join(", ") || "none"})`,
  );
}
