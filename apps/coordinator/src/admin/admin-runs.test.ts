// The admin API's run routes end to end: an in-process coordinator on PostgreSQL and an SDK worker
// over real gRPC, driven through @agnt5/admin-client (so every answer is also checked against the
// contract's schemas). Lists with every filter and cursor pages; the detail of a workflow (steps,
// a sleep, a child call), of an agent run on a scripted model (model calls with tokens, tool calls)
// and of a run waiting for approval, approved through the admin route; signal and cancel; and a
// client's mistake on each route answering 4xx in the gateway's shape.
import { randomUUID } from "node:crypto";
import { AdminApiError, AdminClient, type RunDetail, type RunSummary } from "@agnt5/admin-client";
import { ScriptedModel } from "@agnt5/llm/test";
import { Agent, fn, Registry, registerAgent, TerminalError, tool, workflow } from "@agnt5/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { InvocationManager } from "../invocations/invocation-manager.js";
import { pollUntil, postJson, postText, send } from "../test-support/http.js";
import { startTestCoordinator, type TestCoordinator } from "../test-support/test-coordinator.js";
import { startTestWorker, type TestWorker } from "../test-support/test-worker.js";

const SERVICE = "admin-runs";

function adminRunsService() {
  const registry = new Registry();
  fn({ name: "double", registry }, (n: number) => n * 2);
  workflow({ name: "pipeline", registry }, async (ctx, n: number) => {
    const loaded = await ctx.step("load", () => n + 1);
    await ctx.sleep(0.05);
    const doubled = await ctx.task<number>(SERVICE, "double", loaded);
    return ctx.step("save", () => ({ saved: doubled }));
  });
  workflow({ name: "wait_go", registry }, async (ctx) => ({ got: await ctx.signal("go", { timeoutMs: 120_000 }) }));
  workflow({ name: "fail_fast", registry }, async () => {
    throw new TerminalError("nothing to do", { code: "NOTHING" });
  });
  workflow({ name: "ship", registry }, async (ctx, version: string) => {
    const decision = await ctx.human.approval("deploy", {
      payload: { version },
      requiredRoles: ["ops"],
      timeoutMs: 120_000,
    });
    return { approved: decision.approved, by: decision.by, comment: decision.comment ?? null };
  });
  const lookup = tool(
    { name: "lookup", description: "Stock of a SKU", input: z.object({ sku: z.string() }) },
    async ({ sku }) => ({ sku, stock: 3 }),
  );
  const model = new ScriptedModel([
    {
      text: "Checking.",
      toolCalls: [{ toolCallId: "c1", toolName: "lookup", input: { sku: "A1" } }],
      usage: { inputTokens: 12, outputTokens: 5 },
    },
    { text: "A1: 3 in stock.", usage: { inputTokens: 30, outputTokens: 7 } },
  ]);
  registerAgent(new Agent({ name: "stock", model, instructions: "Answer stock questions.", tools: [lookup] }), {
    registry,
  });
  return registry;
}

describe("admin API: runs (PostgreSQL)", () => {
  let coordinator: TestCoordinator;
  let worker: TestWorker;
  let admin: AdminClient;

  beforeAll(async () => {
    coordinator = await startTestCoordinator("postgres");
    worker = await startTestWorker({
      serviceName: SERVICE,
      endpoint: coordinator.endpoint,
      registry: adminRunsService(),
      suspendAfterMs: 0,
    });
    admin = new AdminClient({ baseUrl: coordinator.url });
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    await coordinator?.close();
  });

  const startWorkflow = async (name: string, input: unknown, runId?: string): Promise<string> => {
    const response = await postJson(`${coordinator.url}/v1/workflows/${name}/runs`, { input, runId });
    expect(response.status).toBe(202);
    return response.body.runId;
  };
  const finished = async (runId: string) =>
    (await send(`${coordinator.url}/v1/runs/${runId}/result?timeoutMs=30000`)).body;
  const detailWhen = (runId: string, done: (run: RunDetail) => boolean, what: string) =>
    pollUntil(() => admin.getRun(runId), done, { timeoutMs: 30_000, what });

  it("lists runs newest first, with every filter, page by page with a cursor", async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const prefix = `list-${randomUUID().slice(0, 8)}-`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(await startWorkflow("pipeline", i, `${prefix}${i}`));
      await finished(ids[i] as string);
    }
    const failed = await startWorkflow("fail_fast", null, `${prefix}failed`);
    await finished(failed);
    const waiting = await startWorkflow("wait_go", null, `${prefix}waiting`);
    await detailWhen(waiting, (run) => run.status === "suspended", "the waiting run to suspend");

    // A child's id starts with its parent's: the prefix also finds the five "double" calls.
    expect((await admin.listRuns({ idPrefix: prefix })).runs).toHaveLength(12);
    const top = { idPrefix: prefix, kind: "workflow" } as const;
    const all = await admin.listRuns(top);
    expect(all.runs.map((run) => run.id)).toEqual([waiting, failed, ...[...ids].reverse()]);
    expect(all.nextCursor).toBeNull();

    // Pages of 2: each page continues where the last ended, the last one says so.
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await admin.listRuns({ ...top, limit: 2, ...(cursor ? { cursor } : {}) });
      pages.push(page.runs.map((run) => run.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(pages).toEqual([[waiting, failed], [ids[4], ids[3]], [ids[2], ids[1]], [ids[0]]]);
    const iterated: string[] = [];
    for await (const run of admin.iterateRuns({ ...top, limit: 3 })) iterated.push(run.id);
    expect(iterated).toEqual(all.runs.map((run) => run.id));

    const ofStatus = async (status: string) => (await admin.listRuns({ ...top, status })).runs.map((run) => run.id);
    expect(await ofStatus("failed")).toEqual([failed]);
    expect(await ofStatus("suspended")).toEqual([waiting]);
    expect(await ofStatus("failed,suspended")).toEqual([waiting, failed]);
    expect((await ofStatus("completed")).sort()).toEqual([...ids].sort());

    const failedRun = (await admin.listRuns({ idPrefix: prefix, status: "failed" })).runs[0] as RunSummary;
    expect(failedRun).toMatchObject({
      service: SERVICE,
      component: "fail_fast",
      kind: "workflow",
      status: "failed",
      error: { code: "NOTHING", message: "nothing to do" },
      completedAt: expect.any(String),
    });
    const waitingRun = (await admin.listRuns({ idPrefix: prefix, status: "suspended" })).runs[0] as RunSummary;
    expect(waitingRun.waitingOn).toMatch(/^signal go \(timeout \d{4}-\d\d-\d\dT/);

    expect((await admin.listRuns({ since, component: "fail_fast" })).runs.map((run) => run.id)).toEqual([failed]);
    expect((await admin.listRuns({ since, service: "no-such-service" })).runs).toEqual([]);
    // The children of the pipeline runs are functions; their parents are workflows.
    const functions = await admin.listRuns({ since, kind: "function" });
    expect(functions.runs.length).toBe(5);
    expect(new Set(functions.runs.map((run) => run.parentId))).toEqual(new Set(ids));
    expect(functions.runs.every((run) => run.component === "double" && run.kind === "function")).toBe(true);
    expect((await admin.listRuns({ idPrefix: prefix, kind: "agent" })).runs).toEqual([]);
    const children = await admin.listRuns({ parentId: ids[2] });
    expect(children.runs.map((run) => run.component)).toEqual(["double"]);

    // A time range: [since, until) on createdAt.
    const third = all.runs.find((run) => run.id === ids[2]) as RunSummary;
    const before = await admin.listRuns({ ...top, until: third.createdAt });
    expect(before.runs.map((run) => run.id)).toEqual([ids[1], ids[0]]);
    const from = await admin.listRuns({ ...top, since: third.createdAt, status: "completed" });
    expect(from.runs.map((run) => run.id)).toEqual([ids[4], ids[3], ids[2]]);

    await admin.signalRun(waiting, "go", { ok: true });
    expect(await finished(waiting)).toMatchObject({ status: "completed", output: { got: { ok: true } } });
  }, 120_000);

  it("shows a workflow's timeline (steps, a sleep, a child call), its child and the child's parent", async () => {
    const runId = await startWorkflow("pipeline", 20);
    expect(await finished(runId)).toMatchObject({ status: "completed", output: { saved: 42 } });
    const run = await admin.getRun(runId);
    expect(run).toMatchObject({
      id: runId,
      kind: "workflow",
      status: "completed",
      input: 20,
      output: { saved: 42 },
      waitingOn: null,
      waits: [],
      pendingApprovals: [],
      modelCalls: [],
      toolCalls: [],
      totals: { modelCalls: 0, inputTokens: 0, outputTokens: 0 },
      parent: null,
    });
    expect(
      run.timeline.map(({ index, kind, name, status, attempts }) => ({ index, kind, name, status, attempts })),
    ).toEqual([
      { index: 0, kind: "step", name: "load", status: "completed", attempts: 1 },
      { index: 1, kind: "timer", name: expect.any(String), status: "completed", attempts: 1 },
      { index: 2, kind: "call", name: expect.stringContaining("double"), status: "completed", attempts: 1 },
      { index: 3, kind: "step", name: "save", status: "completed", attempts: 1 },
    ]);
    for (const entry of run.timeline) {
      expect(entry.durationMs).toBeGreaterThanOrEqual(0);
      expect(Date.parse(entry.completedAt as string)).toBeGreaterThanOrEqual(Date.parse(entry.startedAt));
    }
    expect(run.timeline[0]?.result).toBe(21);
    expect(run.timeline[3]?.result).toEqual({ saved: 42 });
    const call = run.timeline[2];
    expect(run.children).toHaveLength(1);
    expect(call?.childRunId).toBe(run.children[0]?.id);
    expect(call?.result).toBe(42);
    expect(run.children[0]).toMatchObject({
      component: "double",
      kind: "function",
      status: "completed",
      parentId: runId,
    });
    const child = await admin.getRun(call?.childRunId as string);
    expect(child.parent).toMatchObject({ id: runId, component: "pipeline" });
    expect(child).toMatchObject({ input: 21, output: 42 });
  }, 60_000);

  it("shows what a waiting run waits on; a signal through the admin API resumes it", async () => {
    const runId = await startWorkflow("wait_go", null);
    const waiting = await detailWhen(runId, (run) => run.status === "suspended", "the run to suspend");
    expect(waiting.waits).toEqual([
      { index: 0, kind: "signal", name: "go", since: expect.any(String), until: expect.any(String) },
    ]);
    expect(waiting.timeline[0]).toMatchObject({
      kind: "signal_wait",
      name: "go",
      status: "waiting",
      completedAt: null,
    });
    expect(waiting.waitingOn).toContain("signal go");
    expect(await admin.signalRun(runId, "go", { n: 1 })).toEqual({ delivered: true });
    expect(await finished(runId)).toMatchObject({ status: "completed", output: { got: { n: 1 } } });
    const done = await admin.getRun(runId);
    expect(done).toMatchObject({ status: "completed", waits: [], waitingOn: null });
    expect(done.timeline[0]).toMatchObject({ status: "completed", result: { payload: { n: 1 } } });
  }, 60_000);

  it("shows an agent run's model calls with tokens and its tool calls with arguments and results", async () => {
    const started = await postJson(`${coordinator.url}/v1/agents/stock/runs`, { input: "Stock of A1?" });
    expect(started.status).toBe(202);
    const runId = started.body.runId as string;
    expect(await finished(runId)).toMatchObject({ status: "completed" });
    const run = await admin.getRun(runId);
    expect(run.kind).toBe("agent");
    expect(run.modelCalls).toEqual([
      expect.objectContaining({ name: "agent:stock:llm:0", inputTokens: 12, outputTokens: 5 }),
      expect.objectContaining({ name: "agent:stock:llm:1", inputTokens: 30, outputTokens: 7 }),
    ]);
    expect(run.modelCalls[0]?.answer).toEqual({
      text: "Checking.",
      toolCalls: [{ toolCallId: "c1", toolName: "lookup", input: { sku: "A1" } }],
    });
    expect(run.modelCalls[1]?.answer).toBe("A1: 3 in stock.");
    // The agent loop records the model and the prompt it sent beside each answer.
    expect(run.modelCalls.map((call) => call.model)).toEqual(["scripted/scripted-model", "scripted/scripted-model"]);
    expect(run.modelCalls[0]?.prompt).toEqual([
      expect.objectContaining({ role: "system" }),
      { role: "user", content: "Stock of A1?" },
    ]);
    expect((run.modelCalls[1]?.prompt as unknown[] | undefined)?.slice(-2)).toEqual([
      expect.objectContaining({ role: "assistant" }),
      expect.objectContaining({ role: "tool" }),
    ]);
    expect(run.modelCalls.every((call) => typeof call.latencyMs === "number")).toBe(true);
    expect(run.totals).toEqual({ modelCalls: 2, inputTokens: 42, outputTokens: 12 });
    expect(run.toolCalls).toEqual([
      {
        index: expect.any(Number),
        tool: "lookup",
        arguments: { sku: "A1" },
        result: { sku: "A1", stock: 3 },
        error: null,
      },
    ]);
    expect((await admin.listRuns({ kind: "agent" })).runs.map((r) => r.id)).toContain(runId);
  }, 60_000);

  it("shows a pending approval with its payload and roles; approving it through the admin route completes the run", async () => {
    const runId = await startWorkflow("ship", "v2.1");
    const waiting = await detailWhen(runId, (run) => run.pendingApprovals.length === 1, "the approval to be pending");
    expect(waiting.pendingApprovals).toEqual([
      {
        index: 0,
        name: "deploy",
        payload: { version: "v2.1" },
        requiredRoles: ["ops"],
        since: expect.any(String),
        timeoutAt: expect.any(String),
      },
    ]);
    expect(waiting.waits).toEqual([expect.objectContaining({ kind: "approval", name: "deploy" })]);
    expect(waiting.waitingOn).toContain("signal approval:deploy");

    // Without one of the required roles the decision is refused (and not delivered).
    const refused = await admin.approve(runId, "deploy", "eve").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AdminApiError);
    expect(refused).toMatchObject({ status: 403, code: "FORBIDDEN" });
    expect(
      await admin.decideApproval(runId, "deploy", {
        decision: "approved",
        by: "ada",
        comment: "ship it",
        roles: ["ops"],
      }),
    ).toEqual({ delivered: true });
    expect(await finished(runId)).toMatchObject({
      status: "completed",
      output: { approved: true, by: "ada", comment: "ship it" },
    });
    expect((await admin.getRun(runId)).pendingApprovals).toEqual([]);

    // Rejected: the run sees the rejection.
    const rejectedRun = await startWorkflow("ship", "v2.2");
    await detailWhen(rejectedRun, (run) => run.pendingApprovals.length === 1, "the second approval");
    const rejecting = new AdminClient({ baseUrl: coordinator.url, headers: { "x-agnt5-roles": "ops" } });
    expect(await rejecting.reject(rejectedRun, "deploy", "bob", { comment: "not today" })).toEqual({ delivered: true });
    expect(await finished(rejectedRun)).toMatchObject({ output: { approved: false, by: "bob", comment: "not today" } });
    // Deciding again: nothing is pending any more.
    await expect(rejecting.reject(rejectedRun, "deploy", "bob")).rejects.toMatchObject({
      status: 409,
      code: "NO_PENDING_APPROVAL",
    });
  }, 60_000);

  it("shows a paused run as paused, in its detail and under the status filter", async () => {
    const runId = await startWorkflow("wait_go", null, `paused-${randomUUID()}`);
    await detailWhen(runId, (run) => run.status === "suspended", "the run to suspend");
    expect((await admin.pauseRun(runId)).status).toBe("paused");
    expect((await admin.getRun(runId)).status).toBe("paused");
    const ids = async (status: string) => (await admin.listRuns({ idPrefix: runId, status })).runs.map((r) => r.id);
    expect(await ids("paused")).toEqual([runId]);
    expect(await ids("suspended")).toEqual([]);
    expect(await ids("suspended,paused")).toEqual([runId]);
    expect((await admin.resumeRun(runId)).status).toBe("suspended");
    expect(await ids("paused")).toEqual([]);
    await admin.signalRun(runId, "go", 1);
    expect(await finished(runId)).toMatchObject({ status: "completed" });
  }, 60_000);

  it("cancels a waiting run; cancelling it again is a conflict", async () => {
    const runId = await startWorkflow("wait_go", null);
    await detailWhen(runId, (run) => run.status === "suspended", "the run to suspend");
    const summary = await admin.cancelRun(runId);
    expect(summary.id).toBe(runId);
    expect(await finished(runId)).toMatchObject({ status: "cancelled" });
    const cancelled = await admin.getRun(runId);
    expect(cancelled).toMatchObject({ status: "cancelled", waitingOn: null, completedAt: expect.any(String) });
    await expect(admin.cancelRun(runId)).rejects.toMatchObject({ status: 409, code: "RUN_FINISHED" });
    await expect(admin.signalRun(runId, "go")).rejects.toMatchObject({ status: 409, code: "RUN_FINISHED" });
  }, 60_000);

  it("answers a client's mistake on each route with a 4xx in the gateway's shape, naming the field", async () => {
    const base = `${coordinator.url}/admin/v1`;
    const expectError = async (
      response: Promise<{ status: number; body: any }>,
      status: number,
      code: string,
      mentions?: string,
    ) => {
      const { status: actual, body } = await response;
      expect({ status: actual, code: body?.error?.code }).toEqual({ status, code });
      expect(Object.keys(body)).toEqual(["error"]);
      expect(typeof body.error.message).toBe("string");
      if (mentions) expect(body.error.message).toContain(mentions);
    };
    const runId = await startWorkflow("pipeline", 1);
    await finished(runId);

    await expectError(send(`${base}/runs?limit=0`), 400, "INVALID_REQUEST", '"limit"');
    await expectError(send(`${base}/runs?limit=501`), 400, "INVALID_REQUEST", '"limit"');
    await expectError(send(`${base}/runs?limit=ten`), 400, "INVALID_REQUEST", '"limit"');
    await expectError(send(`${base}/runs?status=done`), 400, "INVALID_REQUEST", '"status"');
    await expectError(send(`${base}/runs?kind=robot`), 400, "INVALID_REQUEST", '"kind"');
    await expectError(send(`${base}/runs?since=yesterday`), 400, "INVALID_REQUEST", '"since"');
    await expectError(send(`${base}/runs?cursor=bm90IGEgY3Vyc29y`), 400, "INVALID_REQUEST", '"cursor"');
    await expectError(send(`${base}/runs?statuss=failed`), 400, "INVALID_REQUEST", '"statuss"');
    await expectError(send(`${base}/runs/no-such-run`), 404, "RUN_NOT_FOUND", "no-such-run");
    await expectError(send(`${base}/runs/bad%20id`), 400, "INVALID_ID", '"runId"');
    await expectError(postJson(`${base}/runs/no-such-run/cancel`, {}), 404, "RUN_NOT_FOUND");
    await expectError(
      postJson(`${base}/runs/${runId}/restart`, { fromEntry: -1 }),
      400,
      "INVALID_REQUEST",
      '"fromEntry"',
    );
    await expectError(postJson(`${base}/runs/${runId}/restart`, {}), 400, "INVALID_REQUEST", '"fromEntry"');
    await expectError(postJson(`${base}/runs/no-such-run/signals/go`, 1), 404, "RUN_NOT_FOUND");
    await expectError(postText(`${base}/runs/${runId}/signals/go`, "{oops"), 400, "INVALID_JSON");
    await expectError(postJson(`${base}/runs/${runId}/signals/go`, 1), 409, "RUN_FINISHED");
    await expectError(
      postJson(`${base}/runs/${runId}/approvals/deploy`, { decision: "maybe", by: "x" }),
      400,
      "INVALID_REQUEST",
      '"decision"',
    );
    await expectError(
      postJson(`${base}/runs/${runId}/approvals/deploy`, { decision: "approved" }),
      400,
      "INVALID_REQUEST",
      '"by"',
    );
    await expectError(
      postJson(`${base}/runs/${runId}/approvals/deploy`, { decision: "rejected", by: "x", edits: {} }),
      400,
      "INVALID_REQUEST",
      "edits",
    );
    await expectError(
      postJson(`${base}/runs/${runId}/approvals/deploy`, { decision: "approved", by: "x" }),
      409,
      "NO_PENDING_APPROVAL",
    );
    await expectError(send(`${base}/entities/Nope/keys/k1`), 404, "ENTITY_NOT_FOUND");
    await expectError(send(`${base}/entities/Nope/keys?limit=-1`), 400, "INVALID_REQUEST", '"limit"');
    await expectError(send(`${base}/entities/Nope/keys?cursor=xyz`), 400, "INVALID_REQUEST", '"cursor"');
    await expectError(send(`${base}/entities/stuck?olderThanMs=soon`), 400, "INVALID_REQUEST", '"olderThanMs"');
    await expectError(send(`${base}/nothing-here`), 404, "ROUTE_NOT_FOUND");
  }, 60_000);

  it("answers pause, resume, retry and restart with 501 NOT_IMPLEMENTED while the engine lacks them", async () => {
    const base = `${coordinator.url}/admin/v1/runs/no-such-run`;
    for (const [action, method] of [
      ["pause", "pause"],
      ["resume", "resume"],
      ["retry", "retry"],
      ["restart", "restartFrom"],
    ] as const) {
      const response = await postJson(`${base}/${action}`, action === "restart" ? { fromEntry: 1 } : {});
      // Once the engine's facade has the method, the route reaches it (an unknown run is then a 404).
      const implemented =
        typeof (InvocationManager.prototype as unknown as Record<string, unknown>)[method] === "function";
      expect({ action, status: response.status, code: response.body.error.code }).toEqual(
        implemented ? { action, status: 404, code: "RUN_NOT_FOUND" } : { action, status: 501, code: "NOT_IMPLEMENTED" },
      );
    }
  });

  it("answers no entities (not an error) before any entity state was written", async () => {
    // The entity store creates its table on first use: none exists on this coordinator yet.
    // (The SDK's worker registers the session entities with every service.)
    const { types } = await admin.listEntityTypes();
    expect(types.map((t) => t.type)).toContain("agnt5.session");
    expect(types.every((t) => t.keys === 0 && t.service === SERVICE)).toBe(true);
    expect(await admin.listEntityKeys("Counter", { prefix: "a" })).toEqual({ keys: [], nextCursor: null });
    expect(await admin.listStuckEntityKeys({ olderThanMs: 0 })).toEqual({ keys: [] });
  });

  it("serves its OpenAPI document, generated from the same schemas", async () => {
    const document = await admin.openapi();
    expect(document.openapi).toBe("3.1.0");
    expect(Object.keys(document.paths as object)).toContain("/admin/v1/runs/{runId}/approvals/{name}");
  });
});
