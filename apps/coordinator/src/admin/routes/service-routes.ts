import type { ServiceInfo } from "@agnt5/admin-client";
import type { AdminHandlers } from "../admin-handler.js";

export const serviceHandlers: AdminHandlers<"listServices"> = {
  async listServices(_request, ctx) {
    const services: ServiceInfo[] = ctx.services.list().map((service) => ({
      name: service.name,
      version: service.version,
      status: service.workers.size > 0 ? "live" : "no_workers",
      components: [...service.components.values()].map((component) => ({ ...component })),
      workers: [...service.workers].map((worker) => ({
        id: worker.workerId,
        connectedAt: worker.connectedAt.toISOString(),
        activeInvocations: worker.inFlight.size,
      })),
    }));
    return { services: services.sort((a, b) => a.name.localeCompare(b.name)) };
  },
};
