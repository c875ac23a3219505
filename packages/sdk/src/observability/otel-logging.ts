import { context, trace } from "@opentelemetry/api";

let enabled = false;

/**
 * The seed's install_opentelemetry_logging(): from now on every line of the worker's loggers (and of
 * ctx.log()) written inside a span carries `trace_id`, `span_id` and `trace_flags`, so a log backend
 * links lines to the trace of the run. Returns the function that removes it
 * (removeOpenTelemetryLogging). Trace export itself is configured by the OTEL_* variables.
 */
export function installOpenTelemetryLogging(): () => void {
  enabled = true;
  return removeOpenTelemetryLogging;
}

export function removeOpenTelemetryLogging(): void {
  enabled = false;
}

/** pino's mixin: the active span's ids, when installed and inside a recording span. */
export function traceFields(): Record<string, string> {
  if (!enabled) return {};
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const { traceId, spanId, traceFlags } = span.spanContext();
  return { trace_id: traceId, span_id: spanId, trace_flags: traceFlags.toString(16).padStart(2, "0") };
}
