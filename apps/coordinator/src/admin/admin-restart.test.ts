// A run's admin detail across a coordinator restart (PostgreSQL): the detail is read from the
// store, so after the restart the same timeline, waits and pending approval are shown, and the
// approval given through the admin API on the new coordinator completes the run.
import { AdminClient, type RunDetail } from "@agnt5/admin-client";
import { Registry, workflow } from "@agnt5/sdk";
import { afterAll, describe, expect, it } from "vitest";
import type { RunningCoordinator } from "../coordinator.js";
import { pollUntil, postJson, send } from "../test-support/http.js";
import { dropTestSchema, startOnTestSchema, testSchemaName } from "../test-support/test-coordinator.js";
import { startTestWorker, type TestWorker } from "../test-support/test-worker.js";

const SERVICE = "admin-restart";
const schema = testSchemaName("agnt5_admin_restart");

function registry(): Registry {
  const r = new Registry();
  workflow({ name: "release", registry: r }, async (ctx, version: string) => {
    const built = await ctx.step("build", () => `artifact-${version}`);
    const decision = await ctx.human.approval("publish", { payload: { built }, requiredRoles: ["ops"] });
    return { built, approved: decision.approved };
  });
  return r;
}

const start = () => startOnTestSchema(schema);

describe("admin API across a coordinator restart (PostgreSQL)", () => {
  const stops: Array<() => Promise<void>> = [];

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await dropTestSchema(schema);
  });

  const withWorker = async (coordinator: RunningCoordinator): Promise<TestWorker> => {
    const worker = await startTestWorker({
      serviceName: SERVICE,
      endpoint: `127.0.0.1:${coordinator.grpcPort}`,
      registry: registry(),
      suspendAfterMs: 0,
    });
    stops.push(() => worker.stop());
    return worker;
  };

  it("shows the same detail after a restart, and an approval given there completes the run", async () => {
    const first = await start();
    stops.push(() => first.close());
    const firstWorker = await withWorker(first);
    const started = await postJson(`${first.url}/v1/workflows/release/runs`, { input: "1.0" });
    expect(started.status).toBe(202);
    const runId = started.body.runId as string;
    const before = await pollUntil(
      () => new AdminClient({ baseUrl: first.url }).getRun(runId),
      (run) => run.status === "suspended" && run.pendingApprovals.length === 1,
      { what: "the run to wait for its approval", timeoutMs: 30_000 },
    );
    await firstWorker.stop();
    await first.close();

    const second = await start();
    stops.push(() => second.close());
    const admin = new AdminClient({ baseUrl: second.url });
    const after = await admin.getRun(runId);
    const stable = (run: RunDetail) => ({ ...run, updatedAt: undefined });
    expect(stable(after)).toEqual(stable(before));
    expect(after.timeline.map((entry) => [entry.kind, entry.name, entry.status])).toEqual([
      ["step", "build", "completed"],
      ["signal_wait", "approval:publish", "waiting"],
    ]);
    expect(after.pendingApprovals[0]).toMatchObject({ name: "publish", payload: { built: "artifact-1.0" } });

    await withWorker(second);
    expect(await admin.approve(runId, "publish", "ada", {}).catch((error: unknown) => error)).toMatchObject({
      code: "FORBIDDEN",
    });
    const approving = new AdminClient({ baseUrl: second.url, headers: { "x-agnt5-roles": "ops" } });
    expect(await approving.approve(runId, "publish", "ada")).toEqual({ delivered: true });
    const result = (await send(`${second.url}/v1/runs/${runId}/result?timeoutMs=30000`)).body;
    expect(result).toMatchObject({ status: "completed", output: { built: "artifact-1.0", approved: true } });
    expect((await admin.getRun(runId)).timeline.map((entry) => entry.status)).toEqual(["completed", "completed"]);
  }, 120_000);
});
