import type { Logger } from "@agnt5/core";
import { type MetricsEndpointAddress, startLogExport, startMetricsExport, startTracing } from "@agnt5/telemetry";
import type { WorkerConfig } from "../config.js";

export interface WorkerTelemetry {
  /** Exports what is buffered (spans, metric points, log records) and stops; failures are logged. */
  shutdown(): Promise<void>;
}

/**
 * What a running worker exports: OTLP traces, metrics and log records as the OTEL_* variables ask
 * (nothing installed otherwise), and the Prometheus port when `metricsPort` is set. `onMetricsEndpoint`
 * is told where that port listens. undefined when nothing was installed (the common case: no await on stop).
 */
export function startWorkerTelemetry(
  config: WorkerConfig,
  logger: Logger,
  onMetricsEndpoint: (address: MetricsEndpointAddress) => void,
): WorkerTelemetry | undefined {
  const resource = { serviceName: config.serviceName, serviceVersion: config.serviceVersion };
  const tracing = startTracing(resource);
  const metricsExport = startMetricsExport(
    resource,
    process.env,
    config.metricsPort === undefined ? {} : { prometheus: { port: config.metricsPort } },
  );
  const logExport = startLogExport(resource);
  if (!tracing && !metricsExport && !logExport) return undefined;
  metricsExport?.prometheus?.then(
    (address) => {
      logger.info({ url: address.url }, `Prometheus metrics at ${address.url}`);
      onMetricsEndpoint(address);
    },
    (error: unknown) =>
      // A taken port does not stop the worker: its invocations matter more than its metrics.
      logger.error(
        { code: "METRICS_PORT_UNAVAILABLE", port: config.metricsPort, reason: (error as Error)?.message },
        `Cannot serve Prometheus metrics on port ${config.metricsPort}`,
      ),
  );
  const stop = (what: string, done: Promise<void> | undefined) =>
    done?.catch((error: unknown) =>
      logger.warn({ reason: (error as Error)?.message }, `Could not export the last ${what}`),
    );
  return {
    shutdown: async () => {
      await stop("spans", tracing?.shutdown());
      await stop("metric points", metricsExport?.shutdown());
      await stop("log records", logExport?.shutdown());
    },
  };
}
