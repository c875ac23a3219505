import { metrics } from "@opentelemetry/api";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { type IMetricReader, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { otlpSignalRequested } from "./otlp-signal.js";
import {
  type MetricsEndpointAddress,
  PrometheusEndpoint,
  type PrometheusEndpointOptions,
} from "./prometheus-endpoint.js";

export interface MetricsExport {
  /**
   * Where the Prometheus endpoint listens, when one was asked for and this call installed it
   * (rejects when the port cannot be bound).
   */
  prometheus?: Promise<MetricsEndpointAddress>;
  /** Exports the last points and stops. */
  shutdown(): Promise<void>;
}

export interface MetricsExportOptions {
  /** Also serve the metrics in Prometheus text at GET /metrics on this port (the worker's AGNT5_METRICS_PORT). */
  prometheus?: PrometheusEndpointOptions;
}

/**
 * true when the OTEL_* variables ask for metrics: an OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_METRICS_ENDPOINT) or OTEL_METRICS_EXPORTER=otlp, unless OTEL_SDK_DISABLED=true
 * or OTEL_METRICS_EXPORTER=none.
 */
export function metricsRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return otlpSignalRequested("METRICS", env);
}

let installed: { provider: MeterProvider; endpoint: PrometheusEndpoint | undefined; users: number } | undefined;

/**
 * Exports ctx.metrics() points over OTLP/HTTP (JSON) every OTEL_METRIC_EXPORT_INTERVAL ms (default
 * 60000) when the OTEL_* environment asks for it, and serves them in Prometheus text when
 * `options.prometheus` gives a port; nothing is installed otherwise (ctx.metrics() is then a no-op).
 * Several workers in one process share one installation: the first one's Prometheus port serves them all.
 */
export function startMetricsExport(
  resource: { serviceName: string; serviceVersion?: string },
  env: NodeJS.ProcessEnv = process.env,
  options: MetricsExportOptions = {},
): MetricsExport | undefined {
  const otlp = metricsRequested(env);
  if (!otlp && !options.prometheus) return undefined;
  let ownEndpoint: PrometheusEndpoint | undefined;
  if (!installed) {
    const readers: IMetricReader[] = [];
    if (otlp) {
      const interval = Number(env.OTEL_METRIC_EXPORT_INTERVAL);
      readers.push(
        new PeriodicExportingMetricReader({
          exporter: new OTLPMetricExporter(),
          ...(interval > 0 ? { exportIntervalMillis: interval, exportTimeoutMillis: Math.min(interval, 30_000) } : {}),
        }),
      );
    }
    const endpoint = options.prometheus ? new PrometheusEndpoint(options.prometheus) : undefined;
    if (endpoint) readers.push(endpoint.reader);
    const provider = new MeterProvider({
      resource: resourceFromAttributes({
        "service.name": env.OTEL_SERVICE_NAME || resource.serviceName,
        ...(resource.serviceVersion ? { "service.version": resource.serviceVersion } : {}),
      }),
      readers,
    });
    // A MeterProvider installed by the application wins: ours is then not used.
    if (!metrics.setGlobalMeterProvider(provider)) {
      void provider.shutdown();
      void endpoint?.close();
      return undefined;
    }
    installed = { provider, endpoint, users: 0 };
    ownEndpoint = endpoint;
  }
  installed.users++;
  let released = false;
  return {
    ...(ownEndpoint ? { prometheus: ownEndpoint.listening } : {}),
    shutdown: async () => {
      if (released || !installed) return;
      released = true;
      const current = installed;
      if (--current.users > 0) return;
      installed = undefined;
      await Promise.all([current.provider.shutdown(), current.endpoint?.close()]);
      metrics.disable();
    },
  };
}
