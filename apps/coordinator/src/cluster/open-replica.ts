import type { ServiceRecord } from "../store/index.js";
import type { ComponentInfo } from "../workers/component-info.js";
import { type ClusterOptions, ReplicaCluster } from "./cluster.js";
import { adoptOrphans, expireLease } from "./lease-sql.js";

/** The cluster's options, with the services table read for `refreshServices`. */
export interface OpenReplicaOptions extends Omit<ClusterOptions, "refreshServices"> {
  /** The services table: definitions registered on other replicas. */
  listServices(): Promise<ServiceRecord[]>;
}

/**
 * Makes this coordinator a replica once its store is open with its token: connects to Redis,
 * wires the engine's routing, and adopts the unfinished runs nobody owns (a database a single
 * coordinator used before). The lease rounds start with `start()` after recovery. On failure the
 * lease is given up, so no other replica waits it out.
 */
export async function openReplica(options: OpenReplicaOptions): Promise<ReplicaCluster> {
  const { config, db, token, logger, services } = options;
  const knownServices = new Map<string, number>();
  try {
    const cluster = await ReplicaCluster.open({
      config,
      db,
      token,
      prefix: options.prefix,
      invocations: options.invocations,
      services,
      logger,
      onLeaseLost: () => {
        logger.fatal(
          { replica: config.replicaName, token },
          "This replica's lease was taken over by another replica (it was presumed dead); its writes are refused. Stopping",
        );
        options.onLeaseLost();
      },
      // Each lease round: services registered on other replicas become callable here.
      refreshServices: async () => {
        for (const service of await options.listServices()) {
          const updatedAt = new Date(service.updatedAt).getTime();
          if ((knownServices.get(service.name) ?? 0) >= updatedAt && services.get(service.name)) continue;
          knownServices.set(service.name, updatedAt);
          // A service with workers here knows its latest registration already.
          if ((services.get(service.name)?.workers.size ?? 0) > 0) continue;
          services.define(service.name, service.version, service.components as ComponentInfo[], new Date(updatedAt));
        }
      },
    });
    await adoptOrphans(db);
    return cluster;
  } catch (error) {
    await expireLease(db, token).catch(() => undefined);
    throw error;
  }
}
