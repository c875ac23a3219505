import type { FastifyInstance } from "fastify";
import type { CoordinatorMetrics } from "./coordinator-metrics.js";

/** GET /metrics: Prometheus text exposition (scraped by Prometheus, Grafana Agent, the OTel collector). */
export function registerMetricsRoute(app: FastifyInstance, metrics: CoordinatorMetrics): void {
  app.get("/metrics", async (_request, reply) => {
    const { contentType, body } = await metrics.exposition();
    return reply.type(contentType).send(body);
  });
}
