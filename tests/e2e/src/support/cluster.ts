import { fileURLToPath } from "node:url";
import { freePort } from "./ports.js";
import { ProcessHandle } from "./process-handle.js";
import type { TestStore } from "./stores.js";

const coordinatorScript = fileURLToPath(new URL("../../../../apps/coordinator/dist/main.js", import.meta.url));
const crashWorkerScript = fileURLToPath(new URL("../fixtures/crash-worker.mjs", import.meta.url));
export const workflowWorkerScript = fileURLToPath(new URL("../fixtures/workflow-worker.mjs", import.meta.url));
export const agentWorkerScript = fileURLToPath(new URL("../fixtures/agent-worker.mjs", import.meta.url));

/** A coordinator process on fixed ports (so it can be killed and restarted in place) plus workers. */
export class TestCluster {
  coordinator: ProcessHandle | undefined;
  readonly workers: ProcessHandle[] = [];

  private constructor(
    readonly store: TestStore,
    readonly grpcPort: number,
    readonly httpPort: number,
    readonly extraEnv: Record<string, string>,
  ) {}

  static async create(store: TestStore, extraEnv: Record<string, string> = {}): Promise<TestCluster> {
    return new TestCluster(store, await freePort(), await freePort(), extraEnv);
  }

  get url(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  async startCoordinator(): Promise<ProcessHandle> {
    const coordinator = ProcessHandle.start("coordinator", coordinatorScript, {
      // Authentication off: these suites test durability, not keys (extraEnv may turn it back on).
      AGNT5_DEV_MODE: "1",
      ...this.store.env,
      ...this.extraEnv,
      AGNT5_HOST: "127.0.0.1",
      AGNT5_GRPC_PORT: String(this.grpcPort),
      AGNT5_HTTP_PORT: String(this.httpPort),
      AGNT5_HEARTBEAT_INTERVAL_MS: "1000",
    });
    this.coordinator = coordinator;
    await coordinator.waitForLine("Coordinator listening");
    return coordinator;
  }

  /** Starts a worker of the crash fixture and resolves once the coordinator acknowledged it. */
  async startWorker(env: Record<string, string> = {}, script = crashWorkerScript): Promise<ProcessHandle> {
    const worker = ProcessHandle.start(`worker-${this.workers.length + 1}`, script, {
      ...this.extraEnv,
      AGNT5_COORDINATOR_ENDPOINT: `http://127.0.0.1:${this.grpcPort}`,
      ...env,
    });
    this.workers.push(worker);
    await worker.waitForLine("Worker running, waiting for tasks");
    return worker;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.workers, ...(this.coordinator ? [this.coordinator] : [])].map((p) => p.kill("SIGKILL")));
  }
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; text: string; json: any }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: text ? (JSON.parse(text) as any) : undefined,
  };
}

export async function getJson(url: string) {
  const response = await fetch(url);
  return { status: response.status, json: (await response.json()) as any };
}

/** Polls an invocation until `predicate` holds: the coordinator's state is the event we wait for. */
export async function waitForInvocation(
  baseUrl: string,
  id: string,
  predicate: (body: any) => boolean,
  timeoutMs = 60_000,
): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let delay = 10; Date.now() < deadline; delay = Math.min(delay * 2, 250)) {
    const { json } = await getJson(`${baseUrl}/v1/invocations/${id}`);
    last = json;
    if (predicate(json)) return json;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  throw new Error(`Invocation ${id} never reached the expected state; last seen: ${JSON.stringify(last)}`);
}
