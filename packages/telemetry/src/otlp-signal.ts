/** The three OpenTelemetry signals, as their OTEL_* variables spell them. */
export type OtlpSignal = "TRACES" | "METRICS" | "LOGS";

/**
 * true when the standard OpenTelemetry variables ask for this signal over OTLP: an endpoint
 * (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT) or OTEL_<SIGNAL>_EXPORTER=otlp,
 * unless OTEL_SDK_DISABLED=true or OTEL_<SIGNAL>_EXPORTER=none.
 */
export function otlpSignalRequested(signal: OtlpSignal, env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED?.toLowerCase() === "true") return false;
  const exporter = env[`OTEL_${signal}_EXPORTER`]?.toLowerCase();
  if (exporter === "none") return false;
  return Boolean(
    env.OTEL_EXPORTER_OTLP_ENDPOINT || env[`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`] || exporter === "otlp",
  );
}
