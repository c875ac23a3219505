// Run retention end to end (coordinator on PostgreSQL, SDK worker over gRPC): a sweep deletes a
// finished run of a component whose override has expired it, with its journal, and keeps a run
// that has not finished, a finished child of an unfinished parent, and finished runs younger than
// the default retention.
import { AdminClient } from "@agnt5/admin-client";
import { fn, Registry, workflow } from "@agnt5/sdk";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pollUntil, postJson, send } from "../test-support/http.js";
import { startTestCoordinator, TEST_DATABASE_URL, type TestCoordinator } from "../test-support/test-coordinator.js";
import { startTestWorker, type TestWorker } from "../test-support/test-worker.js";

const SERVICE = "admin-retention";
const HOUR = 3_600_000;

describe("admin API: run retention (PostgreSQL)", () => {
  let coordinator: TestCoordinator;
  let worker: TestWorker;
  let admin: AdminClient;

  beforeAll(async () => {
    const registry = new Registry();
    // "quick" runs are kept 1 ms after they finish; everything else an hour.
    workflow({ name: "quick", registry }, async (ctx, wait: boolean) => {
      await ctx.step("work", () => 1);
      if (wait) await ctx.signal("go", { timeoutMs: 120_000 });
      return "done";
    });
    fn({ name: "quick_fn", registry }, () => "child done");
    workflow({ name: "slow", registry }, async (ctx) => {
      const child = await ctx.task<string>(SERVICE, "quick_fn", null);
      await ctx.signal("go", { timeoutMs: 120_000 });
      return child;
    });
    coordinator = await startTestCoordinator("postgres", {
      runRetention: {
        maxAgeMs: HOUR,
        overrides: [
          { service: SERVICE, component: "quick", maxAgeMs: 1 },
          { service: SERVICE, component: "quick_fn", maxAgeMs: 1 },
        ],
        // Sweeps in this test are the explicit ones.
        sweepIntervalMs: HOUR,
      },
    });
    worker = await startTestWorker({
      serviceName: SERVICE,
      endpoint: coordinator.endpoint,
      registry,
      suspendAfterMs: 0,
    });
    admin = new AdminClient({ baseUrl: coordinator.url });
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    await coordinator?.close();
  });

  const start = async (name: string, input: unknown) => {
    const response = await postJson(`${coordinator.url}/v1/workflows/${name}/runs`, { input });
    expect(response.status).toBe(202);
    return response.body.runId as string;
  };
  const result = async (runId: string) =>
    (await send(`${coordinator.url}/v1/runs/${runId}/result?timeoutMs=30000`)).body;
  const rowsOf = async (runId: string) => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      const schema = coordinator.config.databaseSchema as string;
      const count = async (sql: string) => Number((await client.query(sql, [runId])).rows[0].n);
      return {
        runs: await count(`SELECT count(*) AS n FROM ${schema}.invocations WHERE id = $1`),
        entries: await count(`SELECT count(*) AS n FROM ${schema}.journal_entries WHERE invocation_id = $1`),
      };
    } finally {
      await client.end();
    }
  };

  const finishedAgoMs = async (runId: string) => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      const schema = coordinator.config.databaseSchema as string;
      const sql = `SELECT extract(epoch FROM clock_timestamp() - completed_at) * 1000 AS ms FROM ${schema}.invocations WHERE id = $1`;
      return Number((await client.query(sql, [runId])).rows[0].ms);
    } finally {
      await client.end();
    }
  };

  it("deletes expired finished runs with their journals; keeps unfinished runs, children of unfinished parents and young runs", async () => {
    expect(await admin.getRetention()).toEqual({
      maxAgeMs: HOUR,
      overrides: [
        { service: SERVICE, component: "quick", maxAgeMs: 1 },
        { service: SERVICE, component: "quick_fn", maxAgeMs: 1 },
      ],
      sweepIntervalMs: HOUR,
      lastSweep: null,
    });
    const expired = await start("quick", false);
    expect(await result(expired)).toMatchObject({ status: "completed" });
    const unfinished = await start("quick", true);
    const parent = await start("slow", null);
    const waitingParent = await pollUntil(
      () => admin.getRun(parent),
      (run) => run.status === "suspended" && run.children[0]?.status === "completed",
      { what: "the parent to wait with its child finished", timeoutMs: 30_000 },
    );
    const child = waitingParent.children[0]?.id as string;
    await pollUntil(
      () => admin.getRun(unfinished),
      (run) => run.status === "suspended",
      { what: "the unfinished quick run to wait", timeoutMs: 30_000 },
    );
    expect((await rowsOf(expired)).entries).toBe(1);

    const sweep = await admin.sweepRetention();
    expect(sweep.deletedRuns).toBe(1);
    expect((await admin.getRetention()).lastSweep).toEqual(sweep);

    await expect(admin.getRun(expired)).rejects.toMatchObject({ status: 404, code: "RUN_NOT_FOUND" });
    expect(await rowsOf(expired)).toEqual({ runs: 0, entries: 0 });
    expect((await admin.getRun(unfinished)).status).toBe("suspended");
    expect((await admin.getRun(child)).status).toBe("completed");
    expect((await admin.getRun(parent)).status).toBe("suspended");

    // Once the parent finishes (it is kept an hour), its expired child goes at the next sweep.
    await admin.signalRun(parent, "go");
    expect(await result(parent)).toMatchObject({ status: "completed", output: "child done" });
    expect((await admin.sweepRetention()).deletedRuns).toBe(1);
    await expect(admin.getRun(child)).rejects.toMatchObject({ code: "RUN_NOT_FOUND" });
    expect((await admin.getRun(parent)).status).toBe("completed");

    await admin.signalRun(unfinished, "go");
    expect(await result(unfinished)).toMatchObject({ status: "completed" });
    // Its 1 ms retention is measured against the sweep's millisecond clock: wait until the
    // database's clock is past it, or a sweep within the same millisecond finds nothing to delete.
    await pollUntil(
      () => finishedAgoMs(unfinished),
      (ms) => ms > 5,
      { what: "the run to have finished more than 5 ms ago", timeoutMs: 10_000 },
    );
    expect((await admin.sweepRetention()).deletedRuns).toBe(1);
    expect(await rowsOf(unfinished)).toEqual({ runs: 0, entries: 0 });
  }, 90_000);
});
