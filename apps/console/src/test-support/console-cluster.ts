import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { freePort, NodeProcess } from "./processes.js";

// The coordinator is found by path, not as a dependency: it depends on this package (it serves the
// built console), so a dependency back would be a cycle. The workspace build builds both.
// CONSOLE_TEST_COORDINATOR points at another build of it.
const coordinatorScript =
  process.env.CONSOLE_TEST_COORDINATOR ?? fileURLToPath(new URL("../../../coordinator/dist/main.js", import.meta.url));
const workerScript = fileURLToPath(new URL("./console-worker.mjs", import.meta.url));
const DATABASE_URL = process.env.AGNT5_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** A real coordinator on PostgreSQL (a fresh schema) serving the built console, and one worker. */
export class ConsoleCluster {
  private constructor(
    readonly url: string,
    readonly schema: string,
    readonly coordinator: NodeProcess,
    readonly worker: NodeProcess,
  ) {}

  static async start(
    /** Extra environment: authentication on (AGNT5_DEV_MODE "0", a bootstrap key) and the worker's token. */
    env: { coordinator?: Record<string, string>; worker?: Record<string, string> } = {},
  ): Promise<ConsoleCluster> {
    if (!existsSync(coordinatorScript)) {
      throw new Error(`${coordinatorScript} is missing: build the workspace first (npm run build)`);
    }
    const schema = `console_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    const [grpcPort, httpPort] = [await freePort(), await freePort()];
    const coordinator = new NodeProcess("coordinator", coordinatorScript, {
      // Authentication off: the console's own tests do not hold keys.
      AGNT5_DEV_MODE: "1",
      AGNT5_DATABASE_URL: DATABASE_URL,
      AGNT5_DATABASE_SCHEMA: schema,
      AGNT5_HOST: "127.0.0.1",
      AGNT5_GRPC_PORT: String(grpcPort),
      AGNT5_HTTP_PORT: String(httpPort),
      ...env.coordinator,
    });
    let worker: NodeProcess | undefined;
    try {
      await coordinator.waitForLine("Coordinator listening");
      // Suspend at once while waiting (approvals), as in production, not after the default grace period.
      worker = new NodeProcess("worker", workerScript, {
        AGNT5_COORDINATOR_ENDPOINT: `http://127.0.0.1:${grpcPort}`,
        AGNT5_SUSPEND_AFTER_MS: "0",
        ...env.worker,
      });
      await worker.waitForLine("Worker running, waiting for tasks");
    } catch (error) {
      // A start that fails halfway leaves no process and no schema behind.
      await Promise.all([worker?.kill(), coordinator.kill()]);
      await dropSchema(schema);
      throw error;
    }
    return new ConsoleCluster(`http://127.0.0.1:${httpPort}`, schema, coordinator, worker);
  }

  async post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<any> {
    const response = await fetch(this.url + path, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  async stop(): Promise<void> {
    await Promise.all([this.worker.kill(), this.coordinator.kill()]);
    await dropSchema(this.schema);
  }
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
