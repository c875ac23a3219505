import { metrics } from "@opentelemetry/api";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";

export interface MetricsExport {
  /** Exports the last points and stops. */
  shutdown(): Promise<void>;
}

/**
 * true when the OTEL_* variables ask for metrics: an OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_METRICS_ENDPOINT) or OTEL_METRICS_EXPORTER=otlp, unless OTEL_SDK_DISABLED=true
 * or OTEL_METRICS_EXPORTER=none.
 */
export function metricsRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.toLowerCase() === "true") return false;
  const exporter = env.OTEL_METRICS_EXPORTER?.toLowerCase();
  if (exporter === "none") return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT || exporter === "otlp");
}

let installed: { provider: MeterProvider; users: number } | undefined;

/**
 * Exports ctx.metrics() points over OTLP/HTTP (JSON) every OTEL_METRIC_EXPORT_INTERVAL ms (default
 * 60000) when the OTEL_* environment asks for it; nothing is installed otherwise (ctx.metrics() is
 * then a no-op). Several workers in one process share one installation.
 */
export function startMetricsExport(
  resource: { serviceName: string; serviceVersion?: string },
  env: NodeJS.ProcessEnv = process.env,
): MetricsExport | undefined {
  if (!metricsRequested(env)) return undefined;
  if (!installed) {
    const interval = Number(env.OTEL_METRIC_EXPORT_INTERVAL);
    const provider = new MeterProvider({
      resource: resourceFromAttributes({
        "service.name": env.OTEL_SERVICE_NAME || resource.serviceName,
        ...(resource.serviceVersion ? { "service.version": resource.serviceVersion } : {}),
      }),
      readers: [
        new PeriodicExportingMetricReader({
          exporter: new OTLPMetricExporter(),
          ...(interval > 0 ? { exportIntervalMillis: interval, exportTimeoutMillis: Math.min(interval, 30_000) } : {}),
        }),
      ],
    });
    // A MeterProvider installed by the application wins: ours is then not used.
    if (!metrics.setGlobalMeterProvider(provider)) {
      void provider.shutdown();
      return undefined;
    }
    installed = { provider, users: 0 };
  }
  installed.users++;
  let released = false;
  return {
    shutdown: async () => {
      if (released || !installed) return;
      released = true;
      const current = installed;
      if (--current.users > 0) return;
      installed = undefined;
      await current.provider.shutdown();
      metrics.disable();
    },
  };
}
