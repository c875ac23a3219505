import { hostname } from "node:os";
import { ConfigError } from "../config-error.js";

/** AGNT5_CLUSTER=1: this coordinator is one of several replicas on one PostgreSQL (docs/replicas.md). */
export interface ClusterConfig {
  /** AGNT5_REDIS_URL: the fabric for wake-ups between replicas (never for durability). */
  redisUrl: string;
  /** AGNT5_REPLICA_NAME (default `<hostname>-<pid>`): shown in logs and the admin API. */
  replicaName: string;
  /** AGNT5_LEASE_SECONDS (default 10): a dead replica's runs move to others this long after its last renewal. */
  leaseMs: number;
}

/**
 * The cluster settings, or undefined for a single coordinator. Replicas need PostgreSQL (they share
 * it) and Redis (they wake each other through it), and entity state in that PostgreSQL (its writes
 * are fenced there): a missing piece is a start-up refusal naming the variable to set.
 */
export function clusterConfigFromEnv(
  env: NodeJS.ProcessEnv,
  settings: { databaseUrl: string | undefined; entityStore: string },
): ClusterConfig | undefined {
  const raw = env.AGNT5_CLUSTER?.trim().toLowerCase();
  if (raw === undefined || raw === "" || raw === "0" || raw === "false") return undefined;
  if (raw !== "1" && raw !== "true") {
    throw new ConfigError("CONFIG_INVALID", `AGNT5_CLUSTER must be 1 or 0, got "${env.AGNT5_CLUSTER}"`);
  }
  if (!settings.databaseUrl) {
    throw new ConfigError(
      "CONFIG_INVALID",
      "AGNT5_CLUSTER=1 needs PostgreSQL: set AGNT5_DATABASE_URL (replicas share one database; the embedded store is one process's)",
    );
  }
  const redisUrl = env.AGNT5_REDIS_URL?.trim();
  if (!redisUrl) {
    throw new ConfigError(
      "CONFIG_INVALID",
      "AGNT5_CLUSTER=1 needs Redis: set AGNT5_REDIS_URL (replicas wake each other through it)",
    );
  }
  // Not "postgres" either: that store opens its own pool, whose connections carry no fencing token.
  if (settings.entityStore !== "default") {
    throw new ConfigError(
      "CONFIG_INVALID",
      `AGNT5_CLUSTER=1 keeps entity state in the coordinators' PostgreSQL, where its writes are fenced: unset AGNT5_ENTITY_STORE (it is "${settings.entityStore}")`,
    );
  }
  const seconds = Number(env.AGNT5_LEASE_SECONDS ?? 10);
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > 600) {
    throw new ConfigError(
      "CONFIG_INVALID",
      `AGNT5_LEASE_SECONDS must be a number of seconds from 1 to 600, got "${env.AGNT5_LEASE_SECONDS}"`,
    );
  }
  const replicaName = env.AGNT5_REPLICA_NAME?.trim() || `${hostname()}-${process.pid}`;
  return { redisUrl, replicaName, leaseMs: Math.round(seconds * 1000) };
}
