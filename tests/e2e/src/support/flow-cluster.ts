import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { getJson, postJson, TestCluster } from "./cluster.js";
import type { ProcessHandle } from "./process-handle.js";
import { createTestStore, type StoreKind, type TestStore } from "./stores.js";

export const flowWorkerScript = fileURLToPath(new URL("../fixtures/flow-worker.mjs", import.meta.url));

/** A coordinator plus flow-worker processes (one per service), an effects file and a marker dir. */
export class FlowCluster {
  private constructor(
    readonly store: TestStore,
    readonly cluster: TestCluster,
    readonly scratch: string,
  ) {}

  static async create(kind: StoreKind): Promise<FlowCluster> {
    const store = await createTestStore(kind);
    const cluster = await TestCluster.create(store);
    return new FlowCluster(store, cluster, mkdtempSync(join(tmpdir(), "agnt5-flows-")));
  }

  get url(): string {
    return this.cluster.url;
  }

  /** A worker of `service`; `hostFlows` makes it host the fixture's flows too. */
  startWorker(
    service: string,
    options: { hostFlows?: boolean; env?: Record<string, string> } = {},
  ): Promise<ProcessHandle> {
    return this.cluster.startWorker(
      {
        AGNT5_SERVICE_NAME: service,
        E2E_EFFECTS_FILE: join(this.scratch, "effects.log"),
        E2E_MARKER_DIR: this.scratch,
        ...(options.hostFlows ? { E2E_HOST_FLOWS: "1" } : {}),
        ...options.env,
      },
      flowWorkerScript,
    );
  }

  async startRun(workflow: string, input: unknown, runId?: string): Promise<string> {
    const started = await postJson(`${this.url}/v1/workflows/${workflow}/runs`, { input, ...(runId ? { runId } : {}) });
    if (started.status !== 202) throw new Error(`start ${workflow}: ${started.status} ${started.text}`);
    return started.json.runId as string;
  }

  async result(runId: string): Promise<any> {
    const response = await getJson(`${this.url}/v1/runs/${runId}/result?timeoutMs=100000`);
    return response.json;
  }

  async run(runId: string): Promise<any> {
    return (await getJson(`${this.url}/v1/runs/${runId}`)).json;
  }

  /** Polls GET /v1/runs/:id until `predicate` holds on it. */
  waitForRun(runId: string, predicate: (run: any) => boolean, what: string): Promise<any> {
    return poll(async () => {
      const run = await this.run(runId);
      return predicate(run) ? run : undefined;
    }, what);
  }

  /** The state of step `name` in GET /v1/runs/:id. */
  static stepState(run: any, name: string): string | undefined {
    return run.steps?.find((step: { name: string }) => step.name === name)?.state;
  }

  /** Effect lines of a run's handlers: `{ event, tag, step, pid, t }`. */
  effects(tag: string): Array<{ event: string; step: string; pid: number; t: number }> {
    const file = join(this.scratch, "effects.log");
    if (!existsSync(file)) return [];
    return readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((line) => line.split(" "))
      .filter((parts) => parts[1] === tag)
      .map(([event, , step, pid, t]) => ({
        event: event!,
        step: step!,
        pid: Number(pid!.slice(4)),
        t: Number(t!.slice(2)),
      }));
  }

  async dispose(): Promise<void> {
    await this.cluster.dispose();
    await this.store.dispose();
    rmSync(this.scratch, { recursive: true, force: true });
  }
}

/** Polls with backoff: the coordinator's state is the event the test waits for. */
export async function poll<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 10; Date.now() < deadline; delay = Math.min(delay * 2, 250)) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  throw new Error(`timed out waiting for ${what}`);
}
