// OpenTelemetry SDK set-up from the standard OTEL_* variables, in one place for workers (@agnt5/sdk)
// and the coordinator. @agnt5/core keeps only the OpenTelemetry API, so handlers' code does not pull
// in the SDK and its exporters.
export { type LogExport, logsRequested, startLogExport } from "./logs-setup.js";
export {
  type MetricsExport,
  type MetricsExportOptions,
  metricsRequested,
  startMetricsExport,
} from "./metrics-setup.js";
export type { MetricsEndpointAddress, PrometheusEndpointOptions } from "./prometheus-endpoint.js";
export { startTracing, type Tracing, type TracingOptions, tracingRequested } from "./tracing-setup.js";
