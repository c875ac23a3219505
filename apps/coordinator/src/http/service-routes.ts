import type { FastifyInstance, FastifyRequest } from "fastify";
import { CoordinatorError } from "../errors.js";
import type { ServiceEntry } from "../workers/service-registry.js";
import type { GatewayDeps } from "./gateway-deps.js";

/** The services the coordinator knows: list them (live or not), and remove one no worker serves any more. */
export function registerServiceRoutes(app: FastifyInstance, deps: GatewayDeps): void {
  // Services, their versions and components (with schemas), and the workers connected now.
  app.get("/v1/services", async () => ({ services: deps.services.list().map(serviceBody) }));

  // A service is remembered (in the store too) so calls wait for its workers across restarts; an
  // operator removes one that is retired. Calls to it are then 404 SERVICE_NOT_FOUND until a
  // worker registers it again.
  app.delete("/v1/services/:service", async (request: FastifyRequest<{ Params: { service: string } }>, reply) => {
    const name = request.params.service;
    const entry = deps.services.get(name);
    if (!entry) {
      const known = deps.services.list().map((service) => service.name);
      throw new CoordinatorError(
        "SERVICE_NOT_FOUND",
        `Service "${name}" is not registered${known.length ? ` (known services: ${known.join(", ")})` : ""}`,
      );
    }
    refuseIfLive(entry);
    await deps.store.deleteService(name).catch((error: unknown) => {
      throw new CoordinatorError(
        "UNAVAILABLE",
        `Service "${name}" could not be removed from the store: ${(error as Error).message}`,
      );
    });
    // A worker may have registered while the store was busy: then the service stays.
    refuseIfLive(entry);
    deps.services.remove(name);
    return reply.status(204).send();
  });
}

function refuseIfLive(entry: ServiceEntry): void {
  if (entry.workers.size === 0) return;
  const ids = [...entry.workers].map((worker) => worker.workerId);
  throw new CoordinatorError(
    "SERVICE_HAS_WORKERS",
    `Service "${entry.name}" has ${ids.length} live worker(s) (${ids.join(", ")}); stop them before removing it`,
  );
}

function serviceBody(service: ServiceEntry) {
  const live = service.workers.size > 0;
  return {
    name: service.name,
    version: service.version,
    // "live": at least one worker connected; "no_workers": calls wait (up to their timeout) for one.
    status: live ? ("live" as const) : ("no_workers" as const),
    lastSeenAt: new Date(live ? lastHeardFrom(service) : service.lastSeenAt.getTime()).toISOString(),
    components: [...service.components.values()],
    workers: [...service.workers].map((worker) => ({
      workerId: worker.workerId,
      version: worker.serviceVersion,
      inFlight: worker.inFlight.size,
      maxConcurrency: worker.maxConcurrency,
      draining: worker.draining,
      connectedAt: worker.connectedAt.toISOString(),
      lastSeenAt: new Date(worker.lastSeenAt).toISOString(),
    })),
  };
}

/** The last frame (heartbeat, result, ...) from any of the service's connected workers. */
function lastHeardFrom(service: ServiceEntry): number {
  let latest = 0;
  for (const worker of service.workers) latest = Math.max(latest, worker.lastSeenAt);
  return latest;
}
