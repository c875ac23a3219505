import { createHash } from "node:crypto";
import type { ClusterMessage, ClusterPort } from "../engine/cluster-port.js";
import type { ClusterRouting } from "../engine/cluster-routing.js";
import type { InvocationManager } from "../invocations/invocation-manager.js";
import type { Logger } from "../logger.js";
import type { Database } from "../store/database.js";
import type { ServiceRegistry } from "../workers/service-registry.js";
import { ClusterBus } from "./cluster-bus.js";
import type { ClusterConfig } from "./cluster-config.js";
import { claimKey, handOff, ownerOf, transferKey } from "./lease-sql.js";
import { ReplicaMembership } from "./replica-membership.js";

/**
 * The settings every connection of a replica starts with: its fencing token (agnt5_fence() checks
 * it on every write; new invocations default to it as their owner), and a bound on how long a
 * transaction may sit idle, so a replica frozen mid-transaction (SIGSTOP, a long GC pause) cannot
 * hold up the takeover of its lease.
 */
export function replicaSessionSettings(token: string, leaseMs: number): Record<string, string> {
  return {
    "agnt5.replica_token": token,
    idle_in_transaction_session_timeout: String(Math.max(1_000, Math.floor(leaseMs / 2))),
  };
}

/** Clusters sharing one Redis stay apart: one channel namespace per database and schema. */
export function clusterPrefix(databaseUrl: string, schema: string | undefined): string {
  const digest = createHash("sha256")
    .update(`${databaseUrl}\u0000${schema ?? ""}`)
    .digest("hex")
    .slice(0, 16);
  return `agnt5:cluster:${digest}`;
}

export interface ClusterOptions {
  config: ClusterConfig;
  db: Database;
  token: string;
  prefix: string;
  invocations: InvocationManager;
  services: ServiceRegistry;
  logger: Logger;
  /** The lease was taken over (this replica was presumed dead): stop the process. */
  onLeaseLost: () => void;
  /** Each lease round: services registered on other replicas become known here. */
  refreshServices: () => Promise<void>;
}

/** This replica's membership: lease, hints over Redis, and the engine's routing between replicas. */
export class ReplicaCluster implements ClusterPort {
  readonly token: string;
  readonly #membership: ReplicaMembership;
  #bus: ClusterBus | undefined;
  readonly #routing: ClusterRouting;
  #sweepTimer: NodeJS.Timeout | undefined;
  #sweeping = false;

  private constructor(private readonly options: ClusterOptions) {
    this.token = options.token;
    const { invocations, services, logger } = options;
    this.#routing = invocations.attachCluster(this);
    this.#membership = new ReplicaMembership(
      options.db,
      options.token,
      options.config.leaseMs,
      {
        localServices: () =>
          services
            .list()
            .filter((entry) => entry.workers.size > 0)
            .map((entry) => entry.name),
        adopted: (ids) => {
          void invocations.recoverAdopted(ids).catch((error: unknown) => {
            logger.error({ err: error }, "Could not recover invocations taken over; the sweep retries");
          });
        },
        // From before its commit: a write admitted in between would run ahead of the dead
        // replica's writes of its key that recovery is about to re-admit.
        takingOver: (done) => this.#routing.recovering(new Set(), done),
        peersChanged: () => this.#routing.peersChanged(),
        everyRound: options.refreshServices,
        leaseLost: options.onLeaseLost,
      },
      logger,
    );
    services.onWorkersChanged(() => this.#membership.servicesChanged());
  }

  /** Connects to Redis and subscribes; the lease rounds and the sweep start with `start()`. */
  static async open(options: ClusterOptions): Promise<ReplicaCluster> {
    const cluster = new ReplicaCluster(options);
    cluster.#bus = await ClusterBus.open(
      options.config.redisUrl,
      options.prefix,
      options.token,
      (message) => cluster.#routing.onMessage(message),
      options.logger,
    );
    return cluster;
  }

  start(): void {
    this.#membership.start();
    const every = Math.max(1_000, Math.floor(this.options.config.leaseMs / 5));
    this.#sweepTimer = setInterval(() => {
      if (this.#sweeping) return;
      this.#sweeping = true;
      this.#routing
        .sweep()
        .catch((error: unknown) => this.options.logger.warn({ err: error }, "Cluster sweep failed; retrying"))
        .finally(() => {
          this.#sweeping = false;
        });
    }, every);
    this.#sweepTimer.unref();
  }

  // --- ClusterPort ----------------------------------------------------------------------------

  ownerOf(id: string) {
    return ownerOf(this.options.db, id);
  }

  replicaWith(service: string): string | undefined {
    return this.#membership.replicaWith(service);
  }

  handOff(ids: readonly string[], to: string): Promise<string[]> {
    return handOff(this.options.db, ids, this.token, to);
  }

  claimKey(type: string, key: string): Promise<string> {
    return claimKey(this.options.db, type, key, this.token);
  }

  transferKey(key: { type: string; key: string }, ids: readonly string[], to: string): Promise<boolean> {
    return transferKey(this.options.db, key, ids, this.token, to);
  }

  send(to: string, message: ClusterMessage): void {
    this.#bus?.send(to, message);
  }

  /** One lease round now (tests, and a worker service appearing). */
  tick(): Promise<void> {
    return this.#membership.tick();
  }

  /** Stops; `release` gives the lease up so other replicas take over its runs at once. */
  async close(release: boolean): Promise<void> {
    clearInterval(this.#sweepTimer);
    await this.#membership.stop(release);
    await this.#bus?.close();
  }
}
