// Agents as durable components, end to end: a coordinator and worker processes on PostgreSQL and
// PGlite; a 10-turn agent (10 model calls, 10 tool runs: 20 journal entries) whose worker is
// SIGKILLed right after journal entry k, for every k. Model calls and tool runs are counted outside
// the processes (a file the worker appends to).
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentWorkerScript, getJson, postJson, TestCluster } from "./support/cluster.js";
import type { ProcessHandle } from "./support/process-handle.js";
import { createTestStore, type StoreKind, type TestStore } from "./support/stores.js";

/** A run's value with its tag (in the user's message) replaced, to compare runs. */
const untagged = (value: unknown, tag: string): unknown => JSON.parse(JSON.stringify(value).replaceAll(tag, "<tag>"));

/** Journal entries of one uninterrupted run of the "shop" agent. */
const ENTRIES = 20;

/** Every cut: after entry 1, 2, ..., 19 (after entry 20 the run has nothing left to do). */
const CUTS = Array.from({ length: ENTRIES - 1 }, (_, i) => i + 1);

describe.each<StoreKind>(["postgres", "pglite"])("an agent run SIGKILLed after each journal entry on %s", (kind) => {
  let store: TestStore;
  let cluster: TestCluster;
  let scratch: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    store = await createTestStore(kind);
    cluster = await TestCluster.create(store);
    scratch = mkdtempSync(join(tmpdir(), "agnt5-agent-"));
    env = { E2E_EFFECTS_FILE: join(scratch, "effects.log"), E2E_MARKER_DIR: scratch };
    await cluster.startCoordinator();
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
  const startRun = async (tag: string) => {
    const started = await postJson(`${cluster.url}/v1/agents/shop/runs`, {
      input: `Buy A1 and two B2, run ${tag}`,
      runId: tag,
    });
    expect(started.status).toBe(202);
    return started.json.runId as string;
  };
  const result = async (runId: string) => {
    const response = await getJson(`${cluster.url}/v1/runs/${runId}/result?timeoutMs=60000`);
    expect(response.status).toBe(200);
    return response.json;
  };
  /** What the model saw, call by call, and which tool calls ran, without pids. */
  const observed = (tag: string) => {
    const lines = effects(tag).map((line) => line.replace(/ pid=\d+$/, "").split(" "));
    return {
      modelCalls: lines.filter((parts) => parts[0] === "model").map((parts) => `${parts[3]}:${parts[4]}`),
      toolRuns: lines.filter((parts) => parts[0] === "tool").map((parts) => `${parts[2]}:${parts[3]}`),
    };
  };

  it("resumes each cut run to the same output, with the model calls of one run and each tool run once", async () => {
    const workers: ProcessHandle[] = [await cluster.startWorker(env, agentWorkerScript)];

    // The uninterrupted run everything is compared with.
    const baselineTag = `whole-${kind}`;
    const baseline = await result(await startRun(baselineTag));
    expect(baseline.output).toMatchObject({ status: "completed", output: "Ordered A1, B2 and D4 for 24.99." });
    const expected = observed(baselineTag);
    expect(expected.modelCalls).toHaveLength(10);
    expect(expected.toolRuns).toHaveLength(10);
    const baselineJournal = (await getJson(`${cluster.url}/v1/runs/${baselineTag}/journal`)).json.entries;
    expect(baselineJournal).toHaveLength(ENTRIES);

    for (const k of CUTS) {
      const tag = `cut${k}-${kind}`;
      // A standby worker is connected before the cut, so the run resumes as soon as its worker dies.
      workers.push(await cluster.startWorker(env, agentWorkerScript));
      const runId = await startRun(tag);
      const died = await Promise.race(workers.map((worker) => worker.waitForLine(`dying ${tag} `).then(() => worker)));
      await died.exited;
      workers.splice(workers.indexOf(died), 1);

      const done = await result(runId);
      expect(done.status, `run cut after entry ${k}`).toBe("completed");
      expect(untagged(done.output, tag), `run cut after entry ${k}`).toEqual(untagged(baseline.output, baselineTag));
      expect(observed(tag), `run cut after entry ${k}`).toEqual(expected);
      const journal = (await getJson(`${cluster.url}/v1/runs/${runId}/journal`)).json.entries;
      expect(untagged(journal, tag), `run cut after entry ${k}`).toEqual(untagged(baselineJournal, baselineTag));
    }
  });
});
