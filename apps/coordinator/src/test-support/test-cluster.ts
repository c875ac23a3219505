/**
 * Test-only: several in-process coordinator replicas (AGNT5_CLUSTER=1) on one fresh PostgreSQL
 * schema and the local Redis, each on its own ports. The schema is dropped on close.
 */
import type { ClusterConfig } from "../cluster/cluster-config.js";
import type { CoordinatorConfig } from "../config.js";
import { type RunningCoordinator, startCoordinator } from "../coordinator.js";
import { dropTestSchema, TEST_DATABASE_URL, testConfig, testSchemaName } from "./test-coordinator.js";

export const TEST_REDIS_URL = process.env.AGNT5_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

export interface TestReplica {
  readonly name: string;
  readonly url: string;
  readonly endpoint: string;
  readonly token: string;
  /** Set when its lease was taken over (the hook replaces the exit a real process makes). */
  leaseLost: boolean;
  readonly running: RunningCoordinator;
  close(): Promise<void>;
}

export interface TestCluster {
  readonly schema: string;
  readonly replicas: TestReplica[];
  /** Starts one more replica on the same schema. */
  add(name?: string): Promise<TestReplica>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function startTestCluster(
  count: number,
  /** `config`: settings every replica starts with besides the cluster's (a rate limit, ...). */
  options: { leaseMs?: number; config?: Partial<CoordinatorConfig> } = {},
): Promise<TestCluster> {
  const schema = testSchemaName("agnt5_cluster_test");
  const replicas: TestReplica[] = [];
  const add = async (name = `replica-${replicas.length + 1}`): Promise<TestReplica> => {
    const cluster: ClusterConfig = { redisUrl: TEST_REDIS_URL, replicaName: name, leaseMs: options.leaseMs ?? 2_000 };
    const config = testConfig({ ...options.config, databaseUrl: TEST_DATABASE_URL, databaseSchema: schema, cluster });
    let replica: TestReplica | undefined;
    const running = await startCoordinator(config, undefined, {
      onLeaseLost: () => {
        if (replica) replica.leaseLost = true;
      },
    });
    let closed: Promise<void> | undefined;
    replica = {
      name,
      url: running.url,
      endpoint: `127.0.0.1:${running.grpcPort}`,
      token: running.replicaToken ?? "",
      leaseLost: false,
      running,
      close: () => (closed ??= running.close()),
    };
    replicas.push(replica);
    return replica;
  };
  try {
    for (let i = 0; i < count; i++) await add();
  } catch (error) {
    await Promise.allSettled(replicas.map((replica) => replica.close()));
    await dropTestSchema(schema);
    throw error;
  }
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await Promise.allSettled(replicas.map((replica) => replica.close()));
      await dropTestSchema(schema);
    })());
  return { schema, replicas, add, close, [Symbol.asyncDispose]: close };
}
