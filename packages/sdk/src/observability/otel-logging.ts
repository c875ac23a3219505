import { format } from "node:util";
import { context, trace } from "@opentelemetry/api";
import { type AnyValue, type AnyValueMap, logs, SeverityNumber } from "@opentelemetry/api-logs";
import type { LogLevel } from "../config.js";

export interface OpenTelemetryLoggingOptions {
  /** The lowest level exported as log records (the seed's `level`). Default: whatever the logger writes. */
  level?: LogLevel;
}

/** pino's numeric levels. */
const PINO_LEVELS: Record<LogLevel, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
};

let enabled = false;
let minimumLevel = 0;

/**
 * The seed's install_opentelemetry_logging(). From now on:
 * - every line of the worker's loggers (and of ctx.log()) written inside a span carries `trace_id`,
 *   `span_id` and `trace_flags`, so a log backend links lines to the trace of the run;
 * - every line is also emitted as an OpenTelemetry log record (with the span's trace and span ids),
 *   exported over OTLP when the OTEL_* variables ask for logs (OTEL_EXPORTER_OTLP_ENDPOINT,
 *   OTEL_EXPORTER_OTLP_LOGS_ENDPOINT or OTEL_LOGS_EXPORTER=otlp): a running worker installs the
 *   exporter, or the application's own LoggerProvider receives them.
 * Returns the function that removes it (removeOpenTelemetryLogging).
 */
export function installOpenTelemetryLogging(options: OpenTelemetryLoggingOptions = {}): () => void {
  enabled = true;
  minimumLevel = options.level ? PINO_LEVELS[options.level] : 0;
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

const SEVERITIES: Array<[number, SeverityNumber, string]> = [
  [60, SeverityNumber.FATAL, "FATAL"],
  [50, SeverityNumber.ERROR, "ERROR"],
  [40, SeverityNumber.WARN, "WARN"],
  [30, SeverityNumber.INFO, "INFO"],
  [20, SeverityNumber.DEBUG, "DEBUG"],
];

/**
 * pino's logMethod hook: the line as an OpenTelemetry log record (message as body, the logger's
 * bindings and the line's fields as attributes), when installed. The active context gives the
 * record its trace and span ids. Lines reach here already redacted by ctx.log().
 */
export function emitLogRecord(bindings: () => Record<string, unknown>, given: unknown[], level: number): void {
  if (!enabled || level < minimumLevel) return;
  // ctx.log() passes `message` through even when the caller gave none: pino ignores it, so do we.
  let end = given.length;
  while (end > 0 && given[end - 1] === undefined) end--;
  const args = end === given.length ? given : given.slice(0, end);
  const [severityNumber, severityText] = severityOf(level);
  const attributes: AnyValueMap = {};
  addFields(attributes, bindings());
  let body: string;
  const [first, ...rest] = args;
  if (typeof first === "object" && first !== null) {
    if (first instanceof Error) addException(attributes, first);
    else addFields(attributes, first as Record<string, unknown>);
    body = rest.length > 0 ? format(...rest) : first instanceof Error ? first.message : "";
  } else {
    body = format(...args);
  }
  logs.getLogger("agnt5.worker").emit({ severityNumber, severityText, body, attributes, context: context.active() });
}

function severityOf(level: number): [SeverityNumber, string] {
  for (const [threshold, number, text] of SEVERITIES) if (level >= threshold) return [number, text];
  return [SeverityNumber.TRACE, "TRACE"];
}

function addFields(attributes: AnyValueMap, fields: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(fields)) {
    if (value instanceof Error) addException(attributes, value);
    else if (value !== undefined) attributes[key] = anyValue(value);
  }
}

/** The OpenTelemetry semantic conventions' exception attributes. */
function addException(attributes: AnyValueMap, error: Error): void {
  attributes["exception.type"] = error.name;
  attributes["exception.message"] = error.message;
  if (error.stack) attributes["exception.stacktrace"] = error.stack;
}

/** Scalars as they are; anything else as its JSON text (a cyclic value as its string form). */
function anyValue(value: unknown): AnyValue {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean" || value === null) {
    return value;
  }
  if (typeof value === "bigint") return value.toString();
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
