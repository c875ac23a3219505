/**
 * Test-only: coordinator replicas (AGNT5_CLUSTER=1) as real processes of the built entry point on
 * one fresh PostgreSQL schema, each on fixed ports so a replica restarted after a SIGKILL keeps its
 * address; and SDK workers as processes (fixtures/chaos-worker.mjs) given every replica's endpoint.
 * Each replica records when it was down (killed until listening again), so a test can tell a
 * refusal by a dead replica from one by a live replica.
 */
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ChildHandle, freePort } from "./child-process.js";
import { TEST_REDIS_URL } from "./test-cluster.js";
import { dropTestSchema, TEST_DATABASE_URL, testSchemaName } from "./test-coordinator.js";

const MAIN = fileURLToPath(new URL("../../dist/main.js", import.meta.url));
export const CHAOS_WORKER = fileURLToPath(new URL("./fixtures/chaos-worker.mjs", import.meta.url));

export interface DownWindow {
  from: number;
  /** When it listened again; undefined while it is down. */
  to?: number;
}

export class ReplicaProcess {
  process: ChildHandle | undefined;
  /** Every process this replica ran, the current one last. */
  readonly history: ChildHandle[] = [];
  readonly down: DownWindow[] = [];
  /** Exits the test did not cause (a lease lost, a crash), with the last line printed. */
  readonly unexpectedExits: string[] = [];
  #killing: ChildHandle | undefined;
  starts = 0;

  constructor(
    readonly name: string,
    readonly httpPort: number,
    readonly grpcPort: number,
    private readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.grpcPort}`;
  }

  /** Starts it and resolves once it listens (its lease is taken before that). */
  async start(): Promise<void> {
    this.starts += 1;
    const child = ChildHandle.start(`${this.name}#${this.starts}`, MAIN, {
      ...this.env,
      AGNT5_REPLICA_NAME: `${this.name}#${this.starts}`,
      AGNT5_HTTP_PORT: String(this.httpPort),
      AGNT5_GRPC_PORT: String(this.grpcPort),
    });
    this.process = child;
    this.history.push(child);
    void child.exited.then(({ code, signal }) => {
      if (this.#killing !== child) {
        this.unexpectedExits.push(
          `${child.name} exited by itself (code ${code}, signal ${signal}): ${child.lines.at(-1)}`,
        );
      }
    });
    await child.waitForLine("Coordinator listening", 60_000);
    const open = this.down.at(-1);
    if (open && open.to === undefined) open.to = Date.now();
  }

  /** SIGKILL; the replica counts as down from this moment until start() sees it listening. */
  async kill(): Promise<void> {
    this.down.push({ from: Date.now() });
    this.#killing = this.process;
    await this.process?.kill("SIGKILL");
  }

  /** Was it down (or being killed) at `at`? `slackMs` covers a failure noticed just after a restart. */
  wasDown(at: number, slackMs = 0): boolean {
    return this.down.some((window) => at >= window.from && at <= (window.to ?? Number.POSITIVE_INFINITY) + slackMs);
  }
}

export interface ReplicaSetOptions {
  count: number;
  leaseSeconds: number;
  redisUrl?: string;
  /** More environment for every replica. */
  env?: Record<string, string>;
}

export class ReplicaSet {
  readonly workers: ChildHandle[] = [];

  private constructor(
    readonly schema: string,
    readonly replicas: ReplicaProcess[],
  ) {}

  /** The first replica starts alone (it migrates the fresh schema), then the others together. */
  static async start(options: ReplicaSetOptions): Promise<ReplicaSet> {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build the coordinator first (npm run build)`);
    const schema = testSchemaName("agnt5_chaos_test");
    const env = {
      AGNT5_CLUSTER: "1",
      AGNT5_DEV_MODE: "1",
      AGNT5_HOST: "127.0.0.1",
      AGNT5_DATABASE_URL: TEST_DATABASE_URL,
      AGNT5_DATABASE_SCHEMA: schema,
      AGNT5_REDIS_URL: options.redisUrl ?? TEST_REDIS_URL,
      AGNT5_LEASE_SECONDS: String(options.leaseSeconds),
      AGNT5_HEARTBEAT_INTERVAL_MS: "1000",
      ...options.env,
    };
    const replicas: ReplicaProcess[] = [];
    for (let i = 0; i < options.count; i++) {
      replicas.push(new ReplicaProcess(`replica-${i + 1}`, await freePort(), await freePort(), env));
    }
    const set = new ReplicaSet(schema, replicas);
    try {
      await replicas[0]!.start();
      await Promise.all(replicas.slice(1).map((replica) => replica.start()));
    } catch (error) {
      await set.close();
      throw error;
    }
    return set;
  }

  get urls(): string[] {
    return this.replicas.map((replica) => replica.url);
  }

  /**
   * Starts a worker process of fixtures/chaos-worker.mjs given every replica's endpoint, the list
   * rotated by `index` so the workers spread over the replicas; resolves once it is registered.
   */
  async startWorker(index: number, env: Record<string, string> = {}): Promise<ChildHandle> {
    const endpoints = this.replicas.map((replica) => replica.endpoint);
    const rotated = [...endpoints.slice(index % endpoints.length), ...endpoints.slice(0, index % endpoints.length)];
    const worker = ChildHandle.start(`worker-${index + 1}`, CHAOS_WORKER, {
      AGNT5_COORDINATOR_ENDPOINT: rotated.join(","),
      ...env,
    });
    this.workers.push(worker);
    await worker.waitForLine("Worker running, waiting for tasks", 60_000);
    return worker;
  }

  /** Kills every process (workers first) and drops the schema (kept with AGNT5_CHAOS_KEEP_SCHEMA=1, to look into). */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.kill("SIGKILL")));
    await Promise.all(this.replicas.map((replica) => replica.process?.kill("SIGKILL")));
    const logDir = process.env.AGNT5_CHAOS_LOG_DIR;
    if (logDir) {
      // Every process's lines, to look into a failure.
      await mkdir(logDir, { recursive: true });
      const all = [...this.replicas.flatMap((replica) => replica.history), ...this.workers];
      for (const child of all) await writeFile(join(logDir, `${child.name}.log`), `${child.lines.join("\n")}\n`);
    }
    if (process.env.AGNT5_CHAOS_KEEP_SCHEMA === "1") console.info(`kept schema ${this.schema}`);
    else await dropTestSchema(this.schema);
  }
}
