// GET /metrics after a known load: the counts match what was done. In-process coordinator on
// PostgreSQL and an SDK Worker over real gRPC and HTTP.
import { ScriptedModel } from "@agnt5/llm/test";
import { fn, Registry, TerminalError, workflow } from "@agnt5/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pollUntil, postJson, send } from "../test-support/http.js";
import { startTestCoordinator, type TestCoordinator } from "../test-support/test-coordinator.js";
import { startTestWorker, type TestWorker } from "../test-support/test-worker.js";
import { parsePrometheusText, type Sample, sampleValue } from "./prometheus-text.js";

const SERVICE = "metrics-service";

function service() {
  const registry = new Registry();
  fn({ name: "ok", registry }, (n: number) => n + 1);
  fn({ name: "refuse", registry }, () => {
    throw new TerminalError("no", { code: "REFUSED" });
  });
  workflow({ name: "two_steps", registry }, async (ctx) => {
    await ctx.step("a", () => 1);
    await ctx.step("b", () => 2);
    return "done";
  });
  workflow({ name: "asks_model", registry }, async (ctx) => {
    const model = new ScriptedModel([{ text: "hi", usage: { inputTokens: 12, outputTokens: 3 } }], {
      provider: "acme",
      modelId: "tiny-1",
    });
    const { text } = await ctx.llm.generate({ model, prompt: "hello" });
    return text;
  });
  workflow({ name: "sleeper", registry }, async (ctx) => {
    await ctx.sleep(3600);
    return "woke";
  });
  return registry;
}

describe("GET /metrics", () => {
  let coordinator: TestCoordinator;
  let worker: TestWorker;

  beforeAll(async () => {
    coordinator = await startTestCoordinator("postgres");
    worker = await startTestWorker({
      serviceName: SERVICE,
      endpoint: coordinator.endpoint,
      registry: service(),
      suspendAfterMs: 0,
    });
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    await coordinator?.close();
  }, 60_000);

  const scrape = async (): Promise<Sample[]> => {
    const response = await send(`${coordinator.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    return parsePrometheusText(response.text);
  };

  it("counts started, finished and suspended invocations, journal commits and the gauges", async () => {
    for (let i = 0; i < 3; i++)
      expect((await postJson(`${coordinator.url}/v1/services/${SERVICE}/ok`, i)).status).toBe(200);
    for (let i = 0; i < 2; i++) {
      expect((await postJson(`${coordinator.url}/v1/services/${SERVICE}/refuse`, null)).status).toBeGreaterThanOrEqual(
        400,
      );
    }
    expect((await postJson(`${coordinator.url}/v1/services/${SERVICE}/two_steps`, null)).body).toBe("done");
    for (let i = 0; i < 2; i++)
      expect((await postJson(`${coordinator.url}/v1/services/${SERVICE}/asks_model`, null)).body).toBe("hi");
    const sleeping = await postJson(`${coordinator.url}/v1/workflows/sleeper/runs`, { input: null });
    expect(sleeping.status).toBe(202);

    // The suspension and the timer entry can land in one group commit, and their observers run in
    // either order: wait until both are counted.
    const samples = await pollUntil(
      scrape,
      (s) =>
        sampleValue(s, "agnt5_suspended_runs") === 1 &&
        sampleValue(s, "agnt5_journal_commit_duration_seconds_count", { kind: "timer" }) === 1,
      {
        timeoutMs: 30_000,
        what: "the sleeper to be recorded suspended",
      },
    );
    const started = (component: string) =>
      sampleValue(samples, "agnt5_invocations_started_total", { service: SERVICE, component });
    const finished = (component: string, status: string) =>
      sampleValue(samples, "agnt5_invocations_finished_total", { service: SERVICE, component, status });
    expect([started("ok"), started("refuse"), started("two_steps"), started("sleeper")]).toEqual([3, 2, 1, 1]);
    expect(finished("ok", "completed")).toBe(3);
    expect(finished("refuse", "failed")).toBe(2);
    expect(finished("two_steps", "completed")).toBe(1);
    expect(finished("sleeper", "completed")).toBe(0);
    expect(
      sampleValue(samples, "agnt5_invocation_duration_seconds_count", {
        service: SERVICE,
        component: "ok",
        status: "completed",
      }),
    ).toBe(3);
    expect(sampleValue(samples, "agnt5_journal_commit_duration_seconds_count", { kind: "step" })).toBe(4);
    expect(sampleValue(samples, "agnt5_journal_commit_duration_seconds_count", { kind: "timer" })).toBe(1);
    expect(sampleValue(samples, "agnt5_invocations_suspended_total", { service: SERVICE, component: "sleeper" })).toBe(
      1,
    );
    expect(sampleValue(samples, "agnt5_timers_pending")).toBe(1);
    const tokens = (direction: string) =>
      sampleValue(samples, "agnt5_model_tokens_total", { provider: "acme", model: "tiny-1", direction });
    expect([tokens("input"), tokens("output")]).toEqual([24, 6]);
    expect(sampleValue(samples, "agnt5_connected_workers")).toBe(1);
    expect(sampleValue(samples, "agnt5_queue_depth", { service: SERVICE })).toBe(0);
  }, 90_000);
});
