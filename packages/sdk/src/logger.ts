import { type Logger, pino } from "pino";
import pinoPretty from "pino-pretty";
import type { LogFormat, LogLevel } from "./config.js";
import { emitLogRecord, traceFields } from "./observability/otel-logging.js";

export type { Logger as PinoLogger };

export interface WorkerLoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  /** Where lines go; stdout by default. Tests pass a stream to capture them. */
  destination?: NodeJS.WritableStream;
}

/** The worker's pino logger, named "agnt5.worker" like the seed's Python logger. */
export function createWorkerLogger(options: WorkerLoggerOptions = {}): Logger {
  const { level = "info", format = "json" } = options;
  // The mixin adds trace ids once installOpenTelemetryLogging() was called (an empty object otherwise).
  // The hook emits each line as an OpenTelemetry log record once installed (it returns at once otherwise).
  const base = {
    name: "agnt5.worker",
    level,
    mixin: traceFields,
    hooks: {
      logMethod(this: Logger, args: Parameters<Logger["info"]>, method: Logger["info"], levelValue: number) {
        emitLogRecord(() => this.bindings(), args, levelValue);
        method.apply(this, args);
      },
    },
  };
  if (format === "pretty") {
    // pino-pretty as an in-process synchronous stream rather than a pino transport: a transport
    // runs in a worker thread whose buffered lines can be lost when the process exits on SIGTERM.
    const pretty = pinoPretty({
      colorize: process.stdout.isTTY === true && options.destination === undefined,
      sync: true,
      translateTime: "SYS:HH:MM:ss.l",
      ignore: "pid,hostname",
      ...(options.destination ? { destination: options.destination } : {}),
    });
    return pino(base, pretty);
  }
  return options.destination ? pino(base, options.destination) : pino(base);
}
