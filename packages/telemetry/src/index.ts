// OpenTelemetry SDK set-up from the standard OTEL_* variables, in one place for workers (@agnt5/sdk)
// and the coordinator. @agnt5/core keeps only the OpenTelemetry API, so handlers' code does not pull
// in the SDK and its exporters.
export { type MetricsExport, metricsRequested, startMetricsExport } from "./metrics-setup.js";
export { startTracing, type Tracing, tracingRequested } from "./tracing-setup.js";
