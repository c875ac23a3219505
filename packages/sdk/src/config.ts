import { DEFAULT_SUSPEND_AFTER_MS } from "@agnt5/durable";
import { ConfigError } from "./config-error.js";
import { type CoordinatorTarget, parseCoordinatorEndpoint, parseCoordinatorEndpoints } from "./coordinator-endpoint.js";
import { resolveWorkerTls, type WorkerTlsFiles, type WorkerTlsOptions } from "./tls-options.js";

export type WorkerRuntime = "standalone" | "http";
/** "asgi" is the seed's (Python) name for the HTTP runtime and is accepted as an alias. */
export type WorkerRuntimeOption = WorkerRuntime | "asgi";
export type LogFormat = "json" | "pretty";
export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";

/** The settings a worker can take from its constructor, each also readable from an AGNT5_* variable. */
export interface WorkerConfigOptions {
  serviceName?: string;
  serviceVersion?: string;
  /**
   * The coordinator's gRPC address, or several replicas' (an array, or comma-separated in
   * AGNT5_COORDINATOR_ENDPOINT): the worker connects to one and, when its stream is lost or cannot
   * be opened, moves on to the next (round robin, with the reconnect backoff). Default
   * http://localhost:9091.
   */
  coordinatorEndpoint?: string | readonly string[];
  runtime?: WorkerRuntimeOption;
  logLevel?: LogLevel | (string & {});
  logFormat?: LogFormat;
  maxConcurrency?: number;
  shutdownGraceMs?: number;
  httpPort?: number;
  /**
   * Serve the handlers' ctx.metrics() in Prometheus text at GET /metrics on this port (0: a free
   * one), besides any OTLP export. Default: no port (AGNT5_METRICS_PORT).
   */
  metricsPort?: number;
  /**
   * How long (ms) an invocation may wait only on durable timers, signals or child calls before it
   * suspends: it leaves the worker (freeing its slot) and the coordinator re-dispatches it when what
   * it waits for completes. 0 suspends at once. Default 1000 (AGNT5_SUSPEND_AFTER_MS).
   */
  suspendAfterMs?: number;
  /**
   * TLS to the coordinator (on for https:// and grpcs:// endpoints): `true`, or the CA and, for
   * mutual TLS, the client certificate and key files. `false` forces plain gRPC.
   */
  tls?: boolean | WorkerTlsOptions;
}

/** One coordinator endpoint as the worker dials it. */
export interface CoordinatorEndpointConfig {
  /** As written in the options or AGNT5_COORDINATOR_ENDPOINT (trimmed). */
  endpoint: string;
  /** The endpoint parsed into a grpc-js target (its `tls` as resolved with the tls option). */
  target: CoordinatorTarget;
  /** The TLS files to dial with; undefined for plain gRPC. */
  tls: WorkerTlsFiles | undefined;
}

export interface WorkerConfig {
  serviceName: string;
  serviceVersion: string;
  /** The first coordinator endpoint (the only one unless several are given: see `coordinators`). */
  coordinatorEndpoint: string;
  /** coordinatorEndpoint parsed into a grpc-js target (its `tls` as resolved with the tls option). */
  coordinator: CoordinatorTarget;
  /** The TLS files to dial the first endpoint with; undefined for plain gRPC. */
  tls: WorkerTlsFiles | undefined;
  /** Every coordinator endpoint, in the order given; the worker tries them round robin. */
  coordinators: readonly CoordinatorEndpointConfig[];
  runtime: WorkerRuntime;
  logLevel: LogLevel;
  logFormat: LogFormat;
  maxConcurrency: number;
  shutdownGraceMs: number;
  httpPort: number;
  /** undefined: no Prometheus port. */
  metricsPort: number | undefined;
  suspendAfterMs: number;
}

export const workerConfigDefaults = {
  serviceVersion: "1.0.0",
  coordinatorEndpoint: "http://localhost:9091",
  runtime: "standalone",
  logLevel: "info",
  maxConcurrency: 100,
  shutdownGraceMs: 30_000,
  httpPort: 8000,
  suspendAfterMs: DEFAULT_SUSPEND_AFTER_MS,
} as const;

type Env = Record<string, string | undefined>;

/**
 * Resolves the worker's settings with the seed's precedence: constructor options, then AGNT5_*
 * environment variables, then defaults. Throws ConfigError naming the option and the variable.
 */
export function resolveWorkerConfig(options: WorkerConfigOptions = {}, env: Env = process.env): WorkerConfig {
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };

  const serviceName = options.serviceName?.trim() || read("AGNT5_SERVICE_NAME");
  if (!serviceName) {
    throw new ConfigError(
      "serviceName / AGNT5_SERVICE_NAME",
      'A worker needs a service name: pass it (new Worker("my-service") or { serviceName }) or set AGNT5_SERVICE_NAME',
    );
  }
  // The tls option applies to every endpoint; each endpoint's scheme can still turn TLS on for it.
  const coordinators = parseCoordinatorEndpoints(
    givenEndpoints(options.coordinatorEndpoint) ??
      read("AGNT5_COORDINATOR_ENDPOINT") ??
      workerConfigDefaults.coordinatorEndpoint,
  ).map((endpoint): CoordinatorEndpointConfig => {
    const target = parseCoordinatorEndpoint(endpoint);
    const tls = target.address.startsWith("unix:") ? undefined : resolveWorkerTls(options.tls, target.tls, env);
    return { endpoint, target: { ...target, tls: tls !== undefined }, tls };
  });
  const first = coordinators[0] as CoordinatorEndpointConfig;

  return {
    serviceName,
    serviceVersion:
      options.serviceVersion?.trim() || read("AGNT5_SERVICE_VERSION") || workerConfigDefaults.serviceVersion,
    coordinatorEndpoint: first.endpoint,
    coordinator: first.target,
    tls: first.tls,
    coordinators,
    runtime: parseRuntime(options.runtime ?? read("AGNT5_RUNTIME") ?? workerConfigDefaults.runtime),
    logLevel: parseLogLevel(options.logLevel ?? read("AGNT5_LOG_LEVEL") ?? workerConfigDefaults.logLevel),
    logFormat: parseLogFormat(options.logFormat ?? read("AGNT5_LOG_FORMAT")),
    maxConcurrency: integer(
      "maxConcurrency / AGNT5_MAX_CONCURRENCY",
      options.maxConcurrency ?? read("AGNT5_MAX_CONCURRENCY") ?? workerConfigDefaults.maxConcurrency,
      1,
    ),
    shutdownGraceMs: integer(
      "shutdownGraceMs / AGNT5_SHUTDOWN_GRACE_MS",
      options.shutdownGraceMs ?? read("AGNT5_SHUTDOWN_GRACE_MS") ?? workerConfigDefaults.shutdownGraceMs,
      0,
    ),
    // PORT is what most hosting platforms set; the AGNT5-specific variable wins over it.
    httpPort: integer(
      "httpPort / AGNT5_WORKER_HTTP_PORT / PORT",
      options.httpPort ?? read("AGNT5_WORKER_HTTP_PORT") ?? read("PORT") ?? workerConfigDefaults.httpPort,
      0,
      65_535,
    ),
    metricsPort: optionalInteger(
      "metricsPort / AGNT5_METRICS_PORT",
      options.metricsPort ?? read("AGNT5_METRICS_PORT"),
      0,
      65_535,
    ),
    suspendAfterMs: integer(
      "suspendAfterMs / AGNT5_SUSPEND_AFTER_MS",
      options.suspendAfterMs ?? read("AGNT5_SUSPEND_AFTER_MS") ?? workerConfigDefaults.suspendAfterMs,
      0,
    ),
  };
}

/** The constructor's endpoint(s); a blank string counts as none given, as before (an empty array is refused). */
function givenEndpoints(value: string | readonly string[] | undefined): string | readonly string[] | undefined {
  if (typeof value === "string") return value.trim() || undefined;
  return value;
}

function parseRuntime(value: string): WorkerRuntime {
  const normalized = value.toLowerCase();
  if (normalized === "standalone") return "standalone";
  if (normalized === "http" || normalized === "asgi") return "http";
  throw new ConfigError(
    "runtime / AGNT5_RUNTIME",
    `Unknown runtime "${value}": use "standalone" or "http" (alias "asgi")`,
  );
}

const LOG_LEVELS: readonly LogLevel[] = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];
/** Python logging names (the seed's AGNT5_LOG_LEVEL=DEBUG/WARNING/CRITICAL) mapped onto pino's. */
const LOG_LEVEL_ALIASES: Record<string, LogLevel> = {
  warning: "warn",
  critical: "fatal",
  off: "silent",
  none: "silent",
};

function parseLogLevel(value: string): LogLevel {
  const normalized = value.toLowerCase();
  const level = LOG_LEVEL_ALIASES[normalized] ?? normalized;
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  throw new ConfigError(
    "logLevel / AGNT5_LOG_LEVEL",
    `Unknown log level "${value}": use one of ${LOG_LEVELS.join(", ")}`,
  );
}

function parseLogFormat(value: string | undefined): LogFormat {
  // Humans at a terminal get readable lines; log collectors (no TTY) get JSON.
  if (value === undefined) return process.stdout.isTTY ? "pretty" : "json";
  const normalized = value.toLowerCase();
  if (normalized === "json" || normalized === "pretty") return normalized;
  throw new ConfigError("logFormat / AGNT5_LOG_FORMAT", `Unknown log format "${value}": use "json" or "pretty"`);
}

function optionalInteger(setting: string, value: number | string | undefined, min: number, max: number) {
  return value === undefined ? undefined : integer(setting, value, min, max);
}

function integer(setting: string, value: number | string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const number = typeof value === "number" ? value : Number(value);
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new ConfigError(
      setting,
      `Invalid ${setting.split(" / ")[0]} "${value}": expected an integer from ${min} to ${max}`,
    );
  }
  return number;
}
