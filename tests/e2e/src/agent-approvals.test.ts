// A confirmation tool end to end: agent runs parked on their approval (suspended: no worker slot),
// the coordinator and the worker SIGKILLed and restarted, then decisions through HTTP with roles
// enforced: approve, reject (the model is told) and approve with edited arguments. Tool runs and
// model calls are counted outside the processes.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentWorkerScript, getJson, postJson, TestCluster } from "./support/cluster.js";
import { createTestStore, type StoreKind, type TestStore } from "./support/stores.js";

const APPROVAL = "agent:deployer:tool:deploy:0";
const RUNS_PER_DECISION = 4;

describe.each<StoreKind>(["postgres", "pglite"])("agent confirmation tools across restarts on %s", (kind) => {
  let store: TestStore;
  let cluster: TestCluster;
  let scratch: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    store = await createTestStore(kind);
    cluster = await TestCluster.create(store);
    scratch = mkdtempSync(join(tmpdir(), "agnt5-approvals-"));
    env = { E2E_EFFECTS_FILE: join(scratch, "effects.log"), E2E_MARKER_DIR: scratch, AGNT5_SUSPEND_AFTER_MS: "0" };
  });

  afterAll(async () => {
    await cluster?.dispose();
    await store?.dispose();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const effects = (tag: string) =>
    existsSync(env.E2E_EFFECTS_FILE!)
      ? readFileSync(env.E2E_EFFECTS_FILE!, "utf8")
          .split("\n")
          .filter((line) => line.split(" ")[1] === tag)
      : [];
  const approve = (runId: string, body: Record<string, unknown>, roles: string) =>
    postJson(`${cluster.url}/v1/runs/${runId}/approvals/${encodeURIComponent(APPROVAL)}`, body, {
      "x-agnt5-roles": roles,
    });

  it("keeps parked runs through coordinator and worker restarts, then applies each decision once", async () => {
    await cluster.startCoordinator();
    const worker = await cluster.startWorker(env, agentWorkerScript);
    const decisions = ["approve", "reject", "edit"] as const;
    const runs = decisions.flatMap((decision) =>
      Array.from({ length: RUNS_PER_DECISION }, (_, n) => ({ decision, tag: `${decision}${n}-${kind}` })),
    );
    for (const { tag } of runs) {
      const started = await postJson(`${cluster.url}/v1/agents/deployer/runs`, {
        input: `Deploy api 1.2.0, run ${tag}`,
        runId: tag,
      });
      expect(started.status).toBe(202);
    }
    for (const { tag } of runs)
      await waitForRun(cluster.url, tag, (run) => run.currentStep?.name === `approval:${APPROVAL}`);
    // Parked runs are suspended: they hold no worker slot while they wait.
    await poll(async () => {
      const services = (await getJson(`${cluster.url}/v1/services`)).json;
      return services.services[0].workers[0].inFlight === 0 ? true : undefined;
    }, "the parked runs to leave the worker");

    await worker.kill("SIGKILL");
    await cluster.coordinator!.kill("SIGKILL");
    await cluster.startCoordinator();
    await cluster.startWorker(env, agentWorkerScript);
    for (const { tag } of runs) {
      expect((await getJson(`${cluster.url}/v1/runs/${tag}`)).json).toMatchObject({
        status: "waiting",
        currentStep: { name: `approval:${APPROVAL}` },
      });
      expect(effects(tag).filter((line) => line.startsWith("tool "))).toEqual([]);
    }

    // Roles are enforced: a developer cannot approve a deployment.
    const forbidden = await approve(runs[0]!.tag, { decision: "approved", by: "dev" }, "developer");
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.error.code).toBe("FORBIDDEN");
    expect(forbidden.json.error.message).toContain("release-manager");

    for (const { decision, tag } of runs) {
      const body =
        decision === "approve"
          ? { decision: "approved", by: "rita" }
          : decision === "reject"
            ? { decision: "rejected", by: "rita", comment: "freeze until Monday" }
            : { decision: "approved", by: "rita", edits: { service: "api", version: "1.2.1" } };
      const answered = await approve(tag, body, "release-manager");
      expect(answered.status).toBe(202);
    }

    for (const { decision, tag } of runs) {
      const done = await getJson(`${cluster.url}/v1/runs/${tag}/result?timeoutMs=60000`);
      expect(done.json.status).toBe("completed");
      const result = done.json.output;
      const toolRuns = effects(tag).filter((line) => line.startsWith("tool "));
      const modelCalls = effects(tag).filter((line) => line.startsWith("model "));
      expect(modelCalls.map((line) => line.split(" ")[3])).toEqual(["0", "1"]);
      if (decision === "reject") {
        expect(toolRuns).toEqual([]);
        expect(result.toolCalls[0]).toMatchObject({
          name: "deploy",
          approval: { approved: false, by: "rita", comment: "freeze until Monday", roles: ["release-manager"] },
          error: expect.stringContaining("rejected by rita: freeze until Monday"),
        });
        // The model's answer repeats the tool message it was sent: the rejection reached it.
        expect(result.output).toContain("rejected by rita: freeze until Monday");
      } else {
        const version = decision === "edit" ? "1.2.1" : "1.2.0";
        expect(toolRuns).toHaveLength(1);
        expect(toolRuns[0]).toContain(` api@${version} `);
        expect(result.toolCalls[0]).toMatchObject({
          arguments: { service: "api", version: "1.2.0" },
          result: { deployed: `api@${version}` },
          approval: { approved: true, by: "rita", roles: ["release-manager"] },
          ...(decision === "edit" ? { editedArguments: { service: "api", version: "1.2.1" } } : {}),
        });
        expect(result.output).toContain(`api@${version}`);
      }
    }
    // Who decided, with which roles, is in the journal.
    const journal = (await getJson(`${cluster.url}/v1/runs/${runs[0]!.tag}/journal`)).json.entries;
    expect(journal.find((entry: { name: string }) => entry.name === `approval:${APPROVAL}`)).toMatchObject({
      status: "completed",
      result: { payload: { decision: "approved", approved: true, by: "rita", roles: ["release-manager"] } },
    });
  });
});

async function waitForRun(baseUrl: string, runId: string, predicate: (run: any) => boolean) {
  return poll(async () => {
    const { json } = await getJson(`${baseUrl}/v1/runs/${runId}`);
    return predicate(json) ? json : undefined;
  }, `run ${runId}`);
}

/** Polls the coordinator's state with backoff: the state change is the event the test waits for. */
async function poll<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 10; Date.now() < deadline; delay = Math.min(delay * 2, 250)) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  throw new Error(`timed out waiting for ${what}`);
}
