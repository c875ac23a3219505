import { MAX_MESSAGE_BYTES, workerServiceDefinition } from "@agnt5/proto";
import { startTracing } from "@agnt5/telemetry";
import * as grpc from "@grpc/grpc-js";
import { RunRetentionSweeper } from "./admin/retention/run-retention-sweeper.js";
import { setUpAuth } from "./auth/auth-setup.js";
import { clusterPrefix, type ReplicaCluster, replicaSessionSettings } from "./cluster/cluster.js";
import type { ClusterConfig } from "./cluster/cluster-config.js";
import { fenceEntityTables, joinCluster } from "./cluster/lease-sql.js";
import { openReplica } from "./cluster/open-replica.js";
import type { CoordinatorConfig } from "./config.js";
import { openCoordinatorEntityStore } from "./entities/open-entity-store.js";
import { createWorkerService } from "./grpc/worker-service.js";
import { createGateway } from "./http/gateway.js";
import { InvocationManager } from "./invocations/invocation-manager.js";
import { TimerService } from "./journal/timer-service.js";
import { createLogger, type Logger } from "./logger.js";
import { CoordinatorMetrics } from "./observability/coordinator-metrics.js";
import { registerHttpTracing } from "./observability/http-tracing.js";
import { registerMetricsRoute } from "./observability/metrics-route.js";
import { storeCounts } from "./observability/store-counts.js";
import { SESSION_SWEEP_INTERVAL_MS, SessionRetentionSweeper } from "./sessions/retention-sweeper.js";
import { openStore } from "./store/index.js";
import { gatewayHttpsOptions, grpcServerCredentials } from "./tls/server-credentials.js";
import { readTlsMaterial } from "./tls/tls-config.js";
import type { ComponentInfo } from "./workers/component-info.js";
import { ServiceRegistry } from "./workers/service-registry.js";
import type { WorkerConnection } from "./workers/worker-connection.js";

export interface RunningCoordinator {
  /** In a cluster (AGNT5_CLUSTER=1): this replica's fencing token. */
  replicaToken?: string;
  grpcPort: number;
  httpPort: number;
  /** Base URL of the HTTP gateway. */
  url: string;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface CoordinatorHooks {
  /**
   * In a cluster: this replica's lease was taken over (it was presumed dead: paused or cut off
   * past its lease). Its writes are refused from then on. Default: log, close, exit(1) so a
   * supervisor restarts it with a fresh lease.
   */
  onLeaseLost?: (coordinator: RunningCoordinator) => void;
}

/** Opens the store, recovers unfinished invocations, and starts the gRPC server and HTTP gateway. */
export async function startCoordinator(
  config: CoordinatorConfig,
  logger: Logger = createLogger(config),
  hooks: CoordinatorHooks = {},
): Promise<RunningCoordinator> {
  // Certificates are read (and the key checked against its certificate) before anything opens.
  const tls = config.tls ? await readTlsMaterial(config.tls) : undefined;
  const https = gatewayHttpsOptions(tls);
  const storeConfig = {
    dataDir: config.dataDir,
    // PGlite's worker thread died: every store call now fails, so the coordinator cannot go on.
    onStoreLost: (error: Error) => {
      logger.fatal({ err: error }, `The coordinator lost its store: ${error.message}`);
      process.exit(1);
    },
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    ...(config.databaseSchema ? { databaseSchema: config.databaseSchema } : {}),
  };
  // A replica first takes a lease (the store migrated by a short-lived connection), then opens
  // its pool with the lease's token on every connection: each of its writes is fenced by it.
  const replicaToken = config.cluster ? await joinReplicaSet(storeConfig, config.cluster) : undefined;
  const store = await openStore({
    ...storeConfig,
    ...(replicaToken && config.cluster
      ? { sessionSettings: replicaSessionSettings(replicaToken, config.cluster.leaseMs) }
      : {}),
  });
  // Keys are checked (or dev mode announced) before anything listens; no credentials: no start.
  const auth = await setUpAuth(config, store.db, logger).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  // A schema ajv cannot compile leaves that component's input to the worker's own validation.
  const services = new ServiceRegistry((service, component, error) =>
    logger.warn(
      { service, component, reason: error.message },
      `The input schema of ${service}/${component} cannot be compiled; its input is validated by the worker only`,
    ),
  );
  for (const service of await store.invocations.listServices()) {
    services.define(service.name, service.version, service.components as ComponentInfo[], new Date(service.updatedAt));
  }
  const entityStore = await openCoordinatorEntityStore(config, store.db);
  if (replicaToken) await fenceEntityTables(store.db);
  // OTLP trace export when the OTEL_* variables ask for it (nothing is installed otherwise).
  // No async context tracking: the gateway hands each span's parent over explicitly, and on Node 20
  // AsyncLocalStorage would hook every promise the coordinator makes.
  const tracing = startTracing({ serviceName: "agnt5-coordinator" }, process.env, { asyncContext: false });
  const metrics = new CoordinatorMetrics();
  const invocations = new InvocationManager(
    store.invocations,
    store.journal,
    services,
    logger,
    entityStore,
    metrics,
    config.payloadLimits,
  );
  const timers = new TimerService(store.journal, (timer) => invocations.timerFired(timer), logger);
  invocations.attachTimers(timers);
  let running: RunningCoordinator | undefined;
  let cluster: ReplicaCluster | undefined;
  if (config.cluster && replicaToken && config.databaseUrl) {
    cluster = await openReplica({
      config: config.cluster,
      db: store.db,
      token: replicaToken,
      prefix: clusterPrefix(config.databaseUrl, config.databaseSchema),
      invocations,
      services,
      logger,
      listServices: () => store.invocations.listServices(),
      onLeaseLost: () => {
        if (hooks.onLeaseLost && running) return hooks.onLeaseLost(running);
        setTimeout(() => process.exit(1), 2_000).unref();
        void running?.close().finally(() => process.exit(1));
      },
    }).catch(async (error: unknown) => {
      await store.close().catch(() => undefined);
      throw error;
    });
  }
  await invocations.recover();
  // Timers that fell due while the coordinator was down fire now.
  timers.start();
  cluster?.start();
  // Sessions past their retention.ttlDays are deleted here, whoever created them.
  const sessionSweeper = new SessionRetentionSweeper(invocations.entities, entityStore, logger);
  sessionSweeper.start(SESSION_SWEEP_INTERVAL_MS);
  // Finished runs past AGNT5_RUN_RETENTION (per component overrides) are deleted with their journals.
  const runRetention = new RunRetentionSweeper(store.db, config.runRetention, logger);
  runRetention.start();

  const connections = new Set<WorkerConnection>();
  // A revoked worker token loses its open streams here at once (on other coordinators, at its next connect).
  auth.keys.onRevoke((keyId) => {
    for (const worker of connections) {
      if (worker.credentialId === keyId) worker.destroy(grpc.status.UNAUTHENTICATED, "The worker token was revoked");
    }
  });
  metrics.attach({
    active: () => invocations.activeInvocations(),
    connectedWorkers: () => connections.size,
    entityQueues: () =>
      invocations.entities.queuedWrites().map((queue) => ({ type: queue.type, writes: queue.writes.length })),
    storeCounts: () => storeCounts(store.db),
  });
  const grpcServer = new grpc.Server({
    "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
    "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
    "grpc.keepalive_time_ms": 10_000,
    "grpc.keepalive_timeout_ms": 5_000,
    "grpc.keepalive_permit_without_calls": 1,
    "grpc.http2.min_ping_interval_without_data_ms": 5_000,
  });
  grpcServer.addService(
    workerServiceDefinition,
    createWorkerService({
      invocations,
      services,
      store: store.invocations,
      logger,
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      payloadLimits: config.payloadLimits,
      connections,
      authenticator: auth.authenticator,
    }),
  );
  const grpcPort = await new Promise<number>((resolve, reject) => {
    grpcServer.bindAsync(`${config.host}:${config.grpcPort}`, grpcServerCredentials(tls), (error, port) =>
      error ? reject(error) : resolve(port),
    );
  });

  const gateway = createGateway({
    invocations,
    services,
    store: store.invocations,
    journal: store.journal,
    logger,
    maxBodyBytes: config.maxBodyBytes,
    rateLimitPerMinute: config.rateLimitPerMinute,
    // Replicas share each caller's budget through Redis (the cluster's prefix keeps clusters apart).
    ...(config.cluster && config.databaseUrl
      ? {
          rateLimitRedis: {
            redisUrl: config.cluster.redisUrl,
            prefix: clusterPrefix(config.databaseUrl, config.databaseSchema),
          },
        }
      : {}),
    ...(https ? { https } : {}),
    defaultCallTimeoutMs: config.defaultCallTimeoutMs,
    auth,
    admin: {
      db: store.db,
      entityStore,
      entityStateInDb: config.entityStore === "default",
      retention: runRetention,
      keys: auth.keys,
      ...(replicaToken ? { replicaToken } : {}),
    },
  });
  registerMetricsRoute(gateway, metrics);
  if (tracing) registerHttpTracing(gateway);
  await gateway.listen({ host: config.host, port: config.httpPort });
  const address = gateway.server.address();
  const httpPort = typeof address === "object" && address ? address.port : config.httpPort;

  // A worker that stops talking (a hung process, a dead peer behind a proxy) is declared lost
  // after three missed heartbeats; closed sockets are noticed at once by the stream itself.
  const heartbeatMonitor = setInterval(() => {
    const deadline = Date.now() - 3 * config.heartbeatIntervalMs;
    for (const worker of connections) {
      if (worker.lastSeenAt < deadline) {
        logger.warn({ workerId: worker.workerId }, "Worker missed its heartbeats; disconnecting it");
        worker.destroy(grpc.status.UNAVAILABLE, "missed heartbeats");
      }
    }
  }, config.heartbeatIntervalMs);
  heartbeatMonitor.unref();

  logger.info(
    {
      grpcPort,
      httpPort,
      store: store.db.kind === "postgres" ? "postgres" : `pglite (${config.dataDir})`,
      entityStore: config.entityStore === "default" ? store.db.kind : entityStore.backend,
      tls: tls ? (tls.clientCa ? "mutual (workers need a client certificate)" : "on") : "off",
    },
    `Coordinator listening: gRPC on ${grpcPort}, HTTP on ${httpPort}`,
  );

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      clearInterval(heartbeatMonitor);
      sessionSweeper.close();
      runRetention.close();
      timers.close();
      invocations.close();
      await gateway.close();
      grpcServer.forceShutdown();
      // A store on the coordinator's own database is closed with it, below.
      if (config.entityStore !== "default") await entityStore.close();
      if (cluster) {
        // A replica stopping commits what it has, then gives its lease up: the others take its
        // runs over at their next round instead of a lease later.
        await store.drain().catch(() => undefined);
        await cluster.close(true);
      }
      await store.close();
      await tracing?.shutdown().catch(() => {});
    })();
    return closing;
  };
  const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  const scheme = tls ? "https" : "http";
  running = {
    ...(replicaToken ? { replicaToken } : {}),
    grpcPort,
    httpPort,
    url: `${scheme}://${host}:${httpPort}`,
    close,
    [Symbol.asyncDispose]: close,
  };
  return running;
}

/** What a replica's first lease adds to AGNT5_LEASE_SECONDS, to cover its start-up. */
const START_UP_LEASE_MS = 60_000;

/** Migrates the store and takes a lease for this replica: its fencing token. */
async function joinReplicaSet(storeConfig: Parameters<typeof openStore>[0], cluster: ClusterConfig): Promise<string> {
  const bootstrap = await openStore(storeConfig);
  try {
    // The lease rounds start once the replica has started (pool, auth, entity tables, recovery):
    // a start-up slower than a short lease (2 s on a loaded machine) had its fresh lease taken
    // over before its first renewal, and the replica stopped at once (found by the replica chaos
    // test). It owns nothing before its rounds start, so a longer first lease delays no takeover.
    return await joinCluster(bootstrap.db, cluster.replicaName, cluster.leaseMs, cluster.leaseMs + START_UP_LEASE_MS);
  } finally {
    await bootstrap.close();
  }
}
