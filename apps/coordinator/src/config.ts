import { type RunRetentionConfig, runRetentionFromEnv } from "./admin/retention/retention-config.js";
import { type AuthConfig, authConfigFromEnv } from "./auth/auth-config.js";
import { type ClusterConfig, clusterConfigFromEnv } from "./cluster/cluster-config.js";
import { ConfigError } from "./config-error.js";
import { type PayloadLimits, payloadLimitsFromEnv } from "./limits/payload-limits.js";
import { type TlsConfig, tlsConfigFromEnv } from "./tls/tls-config.js";
/** Coordinator configuration, from AGNT5_* environment variables over defaults. */
export interface CoordinatorConfig {
  host: string;
  /** gRPC port for workers (0 picks a free port, for tests). */
  grpcPort: number;
  /** HTTP gateway port for callers. */
  httpPort: number;
  /** PostgreSQL connection string; when absent the embedded PGlite store is used. */
  databaseUrl: string | undefined;
  /** PostgreSQL schema to keep the coordinator's tables in (created if missing). */
  databaseSchema: string | undefined;
  /** Where PGlite keeps its files (AGNT5_DATA_DIR, default .agnt5/). */
  dataDir: string;
  logLevel: string;
  logFormat: "json" | "pretty";
  /** Largest accepted HTTP request body. */
  maxBodyBytes: number;
  /** Requests each caller (API key, else client address) may make in a minute; 0 = no limit. */
  rateLimitPerMinute: number;
  /** AGNT5_MAX_JOURNAL_ENTRY_BYTES, _STEP_RESULT_, _ENTITY_STATE_, _SIGNAL_: refused payloads (limits/). */
  payloadLimits: PayloadLimits;
  /** AGNT5_TLS_CERT_FILE + AGNT5_TLS_KEY_FILE (+ AGNT5_TLS_CLIENT_CA_FILE for mTLS); plain when absent. */
  tls: TlsConfig | undefined;
  /** How long a synchronous call waits (for a worker and for the result) when the caller sets no timeout. */
  defaultCallTimeoutMs: number;
  /** How often workers heartbeat; a worker silent for 3 intervals is considered dead. */
  heartbeatIntervalMs: number;
  /** Where entity state lives: "default" is the coordinator's own database. */
  entityStore: "default" | "postgres" | "pglite" | "redis" | "memory";
  /** Connection string for AGNT5_ENTITY_STORE=postgres (default: AGNT5_DATABASE_URL) or redis. */
  entityStoreUrl: string | undefined;
  /** AGNT5_RUN_RETENTION*: when finished runs and their journals are deleted (admin/retention). */
  runRetention: RunRetentionConfig;
  /**
   * AGNT5_DEV_MODE=1: authentication is off (every caller is an admin, every worker may register
   * anything). For the quickstart, `agnt5 dev` and tests only; a warning says so at start.
   */
  devMode: boolean;
  /** Bootstrap secrets, JWT verification and the /metrics policy (auth/auth-config.ts). */
  auth: AuthConfig;
  /** AGNT5_CLUSTER=1: one of several replicas on one PostgreSQL (cluster/); undefined alone. */
  cluster: ClusterConfig | undefined;
}

export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<CoordinatorConfig> = {},
): CoordinatorConfig {
  const config: CoordinatorConfig = {
    host: env.AGNT5_HOST ?? "0.0.0.0",
    grpcPort: integer(env, "AGNT5_GRPC_PORT", 9091),
    httpPort: integer(env, "AGNT5_HTTP_PORT", 8080),
    databaseUrl: env.AGNT5_DATABASE_URL || undefined,
    databaseSchema: env.AGNT5_DATABASE_SCHEMA || undefined,
    dataDir: env.AGNT5_DATA_DIR ?? ".agnt5",
    logLevel: env.AGNT5_LOG_LEVEL?.toLowerCase() ?? "info",
    logFormat: (env.AGNT5_LOG_FORMAT ?? (process.stdout.isTTY ? "pretty" : "json")) === "pretty" ? "pretty" : "json",
    maxBodyBytes: integer(env, "AGNT5_MAX_BODY_BYTES", 10 * 1024 * 1024),
    // Off unless asked for: one developer's loop or a benchmark must not meet a 429 (the compose file sets one).
    rateLimitPerMinute: integer(env, "AGNT5_RATE_LIMIT_PER_MINUTE", 0),
    payloadLimits: payloadLimitsFromEnv(env),
    tls: tlsConfigFromEnv(env),
    defaultCallTimeoutMs: integer(env, "AGNT5_CALL_TIMEOUT_MS", 30_000),
    heartbeatIntervalMs: integer(env, "AGNT5_HEARTBEAT_INTERVAL_MS", 5_000),
    entityStore: entityStoreKind(env.AGNT5_ENTITY_STORE),
    entityStoreUrl: env.AGNT5_ENTITY_STORE_URL || env.AGNT5_REDIS_URL || undefined,
    runRetention: runRetentionFromEnv(env),
    devMode: flag(env, "AGNT5_DEV_MODE"),
    auth: authConfigFromEnv(env),
    cluster: undefined,
  };
  config.cluster = clusterConfigFromEnv(env, {
    databaseUrl: overrides.databaseUrl ?? config.databaseUrl,
    entityStore: overrides.entityStore ?? config.entityStore,
  });
  return { ...config, ...overrides };
}

const ENTITY_STORES = ["default", "postgres", "pglite", "redis", "memory"] as const;

function entityStoreKind(raw: string | undefined): CoordinatorConfig["entityStore"] {
  if (raw === undefined || raw === "") return "default";
  if ((ENTITY_STORES as readonly string[]).includes(raw)) return raw as CoordinatorConfig["entityStore"];
  throw new ConfigError(
    "CONFIG_INVALID",
    `AGNT5_ENTITY_STORE must be one of ${ENTITY_STORES.join(", ")}, got "${raw}"`,
  );
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new ConfigError("CONFIG_INVALID", `${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === "" || raw === "0" || raw === "false") return false;
  if (raw === "1" || raw === "true") return true;
  throw new ConfigError("CONFIG_INVALID", `${name} must be 1 or 0, got "${env[name]}"`);
}
