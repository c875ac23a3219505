import { type CoordinatorMessage, ProtocolVersion, type RegisterWorker, type WorkerMessage } from "@agnt5/proto";
import * as grpc from "@grpc/grpc-js";
import type { Authenticator } from "../auth/authenticator.js";
import type { Identity } from "../auth/identity.js";
import { authenticateWorker, registrationRefusal, WorkerAuthError } from "../auth/worker-auth.js";
import type { InvocationManager } from "../invocations/invocation-manager.js";
import { announcedLimits, type PayloadLimits } from "../limits/payload-limits.js";
import type { Logger } from "../logger.js";
import type { InvocationStore } from "../store/index.js";
import { unstorableIn } from "../store/storable-text.js";
import { type ComponentInfo, componentFromDescriptor } from "../workers/component-info.js";
import type { ServiceRegistry } from "../workers/service-registry.js";
import { WorkerConnection } from "../workers/worker-connection.js";

export const COORDINATOR_VERSION = "0.1.0";

export interface WorkerServiceDeps {
  invocations: InvocationManager;
  services: ServiceRegistry;
  store: InvocationStore;
  logger: Logger;
  heartbeatIntervalMs: number;
  /** Announced to each worker at registration, so the SDK refuses an oversized payload before sending it. */
  payloadLimits?: PayloadLimits;
  /** Every live connection, for the heartbeat monitor and shutdown. */
  connections: Set<WorkerConnection>;
  /** Checks the stream's worker token; undefined in dev mode (any process may register). */
  authenticator: Authenticator | undefined;
}

type Stream = grpc.ServerDuplexStream<WorkerMessage, CoordinatorMessage>;

/**
 * agnt5.v1.WorkerService/Connect: one long-lived stream per worker. The first frame must be a
 * registration; after that, frames carry invocation results, chunks and heartbeats.
 */
export function createWorkerService(deps: WorkerServiceDeps): grpc.UntypedServiceImplementation {
  return {
    connect(stream: Stream) {
      let worker: WorkerConnection | undefined;
      let gone = false;
      const reject = (code: grpc.status, details: string) => {
        // The peer address is what lets an operator find the refused process (a worker retries every few seconds).
        deps.logger.warn({ details, peer: stream.getPeer() }, "Rejected worker stream");
        stream.emit("error", { code, details });
      };

      const onFrame = (identity: Identity) => (frame: WorkerMessage) => {
        const message = frame.message;
        if (message.case === "register") {
          if (worker) return reject(grpc.status.FAILED_PRECONDITION, "This stream is already registered");
          const registration = validateRegistration(message.value);
          if (typeof registration === "string") return reject(grpc.status.INVALID_ARGUMENT, registration);
          const refusal = registrationRefusal(identity, message.value.serviceName);
          if (refusal) return reject(refusal.status, refusal.message);
          worker = new WorkerConnection(
            message.value.workerId,
            message.value.serviceName,
            message.value.serviceVersion || "1.0.0",
            message.value.maxConcurrency || 100,
            stream,
          );
          if (identity.kind !== "dev") worker.credentialId = identity.id;
          register(deps, worker, registration);
          return;
        }
        if (!worker)
          return reject(grpc.status.FAILED_PRECONDITION, `Expected a registration first, got ${message.case}`);
        worker.lastSeenAt = Date.now();
        switch (message.case) {
          case "heartbeat":
            return;
          case "chunk":
            return deps.invocations.chunk(worker, message.value);
          case "completed":
            return deps.invocations.completed(worker, message.value);
          case "failed":
            return deps.invocations.failed(worker, message.value);
          case "drain":
            deps.logger.info({ workerId: worker.workerId, reason: message.value.reason }, "Worker draining");
            worker.draining = true;
            return;
          case "proposeEntry":
            return deps.invocations.proposeEntry(worker, message.value);
          case "suspend":
            return deps.invocations.suspend(worker, message.value);
          default:
            return;
        }
      };
      // Frames wait in the stream's buffer until the token is verified: nothing is read before.
      authenticateWorker(deps.authenticator, stream.metadata).then(
        (identity) => {
          if (!gone) stream.on("data", onFrame(identity));
        },
        (error: unknown) => {
          if (gone) return;
          if (error instanceof WorkerAuthError) return reject(error.status, error.message);
          deps.logger.error({ err: error }, "Worker authentication failed");
          reject(grpc.status.INTERNAL, "Worker authentication failed; see the coordinator logs");
        },
      );

      const onGone = () => {
        if (gone) return;
        gone = true;
        if (!worker) return;
        worker.closed = true;
        deps.connections.delete(worker);
        deps.logger.info(
          { workerId: worker.workerId, service: worker.serviceName, inFlight: worker.inFlight.size },
          "Worker disconnected",
        );
        deps.invocations.workerLost(worker);
      };
      stream.on("end", () => {
        stream.end();
        onGone();
      });
      stream.on("cancelled", onGone);
      stream.on("error", onGone);
      stream.on("close", onGone);
    },
  };
}

function register(deps: WorkerServiceDeps, worker: WorkerConnection, components: ComponentInfo[]): void {
  deps.connections.add(worker);
  deps.services.addWorker(worker, components);
  deps.logger.info(
    {
      workerId: worker.workerId,
      service: worker.serviceName,
      version: worker.serviceVersion,
      components: components.map((c) => c.name),
    },
    `Worker registered for service ${worker.serviceName}`,
  );
  worker.send({
    case: "registered",
    value: {
      workerId: worker.workerId,
      protocolVersion: ProtocolVersion.PROTOCOL_VERSION_1,
      heartbeatIntervalMs: BigInt(deps.heartbeatIntervalMs),
      ...(deps.payloadLimits ? { payloadLimits: announcedLimits(deps.payloadLimits) } : {}),
      coordinatorVersion: COORDINATOR_VERSION,
    },
  });
  // Remembered so that, after a restart, calls to this service wait for its workers.
  deps.store
    .upsertService({ name: worker.serviceName, version: worker.serviceVersion, components, updatedAt: new Date() })
    .catch((error: unknown) => deps.logger.error({ err: error }, "Could not record the service registration"));
  deps.invocations.workerAvailable(worker);
}

/**
 * The service's name and version and its components' and methods' names are stored in text columns
 * (services, invocations): identifiers, refused when they hold what PostgreSQL text cannot keep
 * rather than changed behind the worker's back. (Descriptions, schemas and metadata are stored
 * with U+FFFD in its place instead.)
 */
function unstorableName(registration: RegisterWorker): string | undefined {
  const names: Array<[what: string, name: string]> = [
    ["service_name", registration.serviceName],
    ["service_version", registration.serviceVersion],
  ];
  for (const component of registration.components) {
    names.push(["component name", component.name]);
    for (const method of component.entityMethods) {
      names.push([`method name of entity ${JSON.stringify(component.name)}`, method.name]);
    }
  }
  for (const [what, name] of names) {
    const problem = unstorableIn(name);
    if (problem) return `${what} ${JSON.stringify(name)} holds ${problem}, which the store cannot keep`;
  }
  return undefined;
}

function validateRegistration(registration: RegisterWorker): ComponentInfo[] | string {
  if (
    registration.protocolVersion !== ProtocolVersion.PROTOCOL_VERSION_1 &&
    registration.protocolVersion !== ProtocolVersion.PROTOCOL_VERSION_UNSPECIFIED
  ) {
    return `Unsupported protocol version ${registration.protocolVersion}; this coordinator speaks agnt5.v1 (1)`;
  }
  if (!registration.serviceName) return "service_name is required";
  if (!registration.workerId) return "worker_id is required";
  const unstorable = unstorableName(registration);
  if (unstorable) return unstorable;
  const components: ComponentInfo[] = [];
  for (const descriptor of registration.components) {
    const component = componentFromDescriptor(descriptor);
    if (typeof component === "string") return `Service ${registration.serviceName}: ${component}`;
    components.push(component);
  }
  return components;
}
