/**
 * Test-only: a coordinator and the fixture worker as processes on a fresh PostgreSQL schema, and
 * the built CLI run as a process against them (stdout, stderr and exit code as a user sees them).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { coordinatorBin } from "../dev/coordinator-bin.js";
import { LineProcess } from "./line-process.js";

export const CLI_BIN = fileURLToPath(new URL("../../bin/agnt5.js", import.meta.url));
export const WORKER_FIXTURE = fileURLToPath(new URL("./fixtures/cli-worker.mjs", import.meta.url));
export const DATABASE_URL = process.env.AGNT5_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `agnt5 <args>` against `url` and collects what it printed. */
export async function runCli(args: string[], url: string, env: Record<string, string> = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI_BIN, ...args], {
    env: { ...process.env, AGNT5_URL: url, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const [code] = (await once(child, "close")) as [number | null];
  return { code, stdout, stderr };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface CliCluster {
  url: string;
  coordinator: LineProcess;
  worker: LineProcess;
  close(): Promise<void>;
}

/** A coordinator (its public bin) on a fresh PostgreSQL schema plus the fixture worker, both as processes. */
export async function startCluster(
  /** Extra environment (e.g. AGNT5_DEV_MODE: "0" with a bootstrap key, and the worker's token). */
  env: { coordinator?: Record<string, string>; worker?: Record<string, string> } = {},
): Promise<CliCluster> {
  const schema = `cli_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  await withPostgres(async () => {}).catch((error: unknown) => {
    throw new Error(
      `PostgreSQL is required for these tests and is not reachable at ${DATABASE_URL}: ${(error as Error).message}`,
    );
  });
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  const common = { AGNT5_LOG_FORMAT: "json", AGNT5_LOG_LEVEL: "info" };
  const coordinator = LineProcess.start("coordinator", [coordinatorBin()], {
    ...common,
    // Authentication off for the command tests; the `keys` tests start their own with a bootstrap key.
    AGNT5_DEV_MODE: "1",
    AGNT5_HOST: "127.0.0.1",
    AGNT5_HTTP_PORT: String(httpPort),
    AGNT5_GRPC_PORT: String(grpcPort),
    AGNT5_DATABASE_URL: DATABASE_URL,
    AGNT5_DATABASE_SCHEMA: schema,
    ...env.coordinator,
  });
  const close = async () => {
    await Promise.all([worker?.kill("SIGKILL"), coordinator.kill("SIGKILL")]);
    await withPostgres((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
  };
  let worker: LineProcess | undefined;
  try {
    await coordinator.waitForLine("Coordinator listening");
    worker = LineProcess.start("worker", [WORKER_FIXTURE], {
      ...common,
      AGNT5_COORDINATOR_ENDPOINT: `http://127.0.0.1:${grpcPort}`,
      ...env.worker,
    });
    await worker.waitForLine("Worker running, waiting for tasks");
  } catch (error) {
    await close();
    throw error;
  }
  return { url: `http://127.0.0.1:${httpPort}`, coordinator, worker, close };
}

async function withPostgres<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}
