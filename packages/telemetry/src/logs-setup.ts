import { logs } from "@opentelemetry/api-logs";
import { OTLPLogExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchLogRecordProcessor, LoggerProvider } from "@opentelemetry/sdk-logs";
import { otlpSignalRequested } from "./otlp-signal.js";

export interface LogExport {
  /** Exports the buffered log records and stops. */
  shutdown(): Promise<void>;
}

/**
 * true when the OTEL_* variables ask for log records: an OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT
 * or OTEL_EXPORTER_OTLP_LOGS_ENDPOINT) or OTEL_LOGS_EXPORTER=otlp, unless OTEL_SDK_DISABLED=true or
 * OTEL_LOGS_EXPORTER=none.
 */
export function logsRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return otlpSignalRequested("LOGS", env);
}

let installed: { provider: LoggerProvider; users: number } | undefined;

/**
 * Installs a global OpenTelemetry LoggerProvider exporting over OTLP/HTTP (JSON) when the OTEL_*
 * environment asks for logs; nothing otherwise. It only exports what is emitted on the logs API:
 * the worker's loggers emit their lines there once installOpenTelemetryLogging() was called. Each
 * record carries the trace and span ids of the span active when it was written. Batching follows
 * OTEL_BLRP_SCHEDULE_DELAY (ms, default 1000). Several workers in one process share one installation.
 */
export function startLogExport(
  resource: { serviceName: string; serviceVersion?: string },
  env: NodeJS.ProcessEnv = process.env,
): LogExport | undefined {
  if (!logsRequested(env)) return undefined;
  if (!installed) {
    const delay = Number(env.OTEL_BLRP_SCHEDULE_DELAY);
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({
        "service.name": env.OTEL_SERVICE_NAME || resource.serviceName,
        ...(resource.serviceVersion ? { "service.version": resource.serviceVersion } : {}),
      }),
      processors: [
        new BatchLogRecordProcessor({
          exporter: new OTLPLogExporter(),
          ...(delay > 0 ? { scheduledDelayMillis: delay } : {}),
        }),
      ],
    });
    // A LoggerProvider installed by the application wins: ours is then not used.
    if (logs.setGlobalLoggerProvider(provider) !== provider) {
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
      logs.disable();
    },
  };
}
