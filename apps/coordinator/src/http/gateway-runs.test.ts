// Workflow runs through the gateway: an in-process coordinator and SDK worker over real gRPC and
// HTTP, once per store. Start (idempotent by run id), status and the step it is at, result,
// journal, signals (before and after the wait, with timeouts), approvals with roles, child
// invocations, cancellation, non-determinism, suspension.
import { randomUUID } from "node:crypto";
import { CancelledError, fn, Registry, RetryableError, TerminalError, workflow } from "@agnt5/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pollUntil, postJson, send } from "../test-support/http.js";
import { STORE_KINDS, startTestCoordinator, type TestCoordinator } from "../test-support/test-coordinator.js";
import { startTestWorker, type TestWorker } from "../test-support/test-worker.js";

const SERVICE = "runs-service";

function runsService() {
  const registry = new Registry();
  const executions = new Map<string, number>();
  const count = (key: string) => executions.set(key, (executions.get(key) ?? 0) + 1);

  workflow({ name: "two_steps", registry }, async (ctx, input: { tag: string }) => {
    const a = await ctx.step("first", () => {
      count(`${input.tag}:first`);
      return 1;
    });
    const b = await ctx.step("second", () => {
      count(`${input.tag}:second`);
      return 2;
    });
    return { sum: a + b, runId: ctx.runId };
  });

  workflow({ name: "wait_go", registry }, async (ctx) => ({ got: await ctx.signal("go", { timeoutMs: 60_000 }) }));

  workflow({ name: "wait_with_default", registry }, async (ctx) => ({
    got: await ctx.signal("never", { timeoutMs: 150, default: "fallback" }),
  }));

  workflow({ name: "ship", registry }, async (ctx, input: { version: string }) => {
    const decision = await ctx.human.approval("deploy", {
      payload: { version: input.version },
      requiredRoles: ["admin", "devops"],
      timeoutMs: 60_000,
    });
    return { approved: decision.approved, by: decision.by, comment: decision.comment ?? null };
  });

  workflow({ name: "nap", registry }, async (ctx) => {
    await ctx.sleep(0.2);
    return "rested";
  });

  fn({ name: "double", registry }, (n: number) => n * 2);

  workflow({ name: "parent", registry }, async (ctx, n: number) => {
    const doubled = await ctx.task<number>(SERVICE, "double", n);
    const child = ctx.spawn<{ sum: number }>(
      { service: SERVICE, handler: "two_steps" },
      { tag: `child-of-${ctx.runId}` },
    );
    const both = await ctx.gather({ again: ctx.task<number>(SERVICE, "double", doubled), child: child.result() });
    return { doubled, again: both.again, childSum: both.child.sum };
  });

  workflow({ name: "emit_to", registry }, async (ctx, target: string) => {
    await ctx.signal.emit("go", "from another run", { runId: target });
    return "sent";
  });

  workflow({ name: "cancellable", registry }, async (ctx) => {
    try {
      await ctx.signal("never", { timeoutMs: 60_000 });
      return "not cancelled";
    } catch (error) {
      if (!CancelledError.isInstance(error)) throw error;
      return "cleaned up";
    }
  });

  workflow({ name: "changes_its_mind", registry, retry: { maxAttempts: 3, initialIntervalMs: 10 } }, async (ctx) => {
    await ctx.step(ctx.attempt === 1 ? "charge" : "refund", () => "done");
    if (ctx.attempt === 1) throw new RetryableError("transient");
    return "unreachable";
  });

  workflow({ name: "refuses", registry }, async () => {
    throw new TerminalError("no way", { code: "REFUSED" });
  });

  return { registry, executions };
}

describe.each(STORE_KINDS)("workflow runs through the gateway on %s", (kind) => {
  let coordinator: TestCoordinator;
  let worker: TestWorker;
  let service: ReturnType<typeof runsService>;

  beforeAll(async () => {
    coordinator = await startTestCoordinator(kind);
    service = runsService();
    worker = await startTestWorker({
      serviceName: SERVICE,
      endpoint: coordinator.endpoint,
      registry: service.registry,
      suspendAfterMs: 0,
    });
  });

  afterAll(async () => {
    await worker?.stop();
    await coordinator?.close();
  });

  const start = async (name: string, input: unknown, runId?: string) => {
    const response = await postJson(`${coordinator.url}/v1/workflows/${name}/runs`, {
      input,
      ...(runId ? { runId } : {}),
    });
    expect(response.status).toBe(202);
    return response.body.runId as string;
  };
  const result = async (runId: string) =>
    (await send(`${coordinator.url}/v1/runs/${runId}/result?timeoutMs=20000`)).body;
  const run = async (runId: string) => (await send(`${coordinator.url}/v1/runs/${runId}`)).body;
  const waitingOn = (runId: string, entryKind: string) =>
    pollUntil(
      () => run(runId),
      (body) => body.status === "waiting" && body.currentStep?.kind === entryKind,
      { what: `run ${runId} waiting on ${entryKind}` },
    );

  it("runs a workflow to completion and reports its result, journal and last step", async () => {
    const tag = randomUUID();
    const runId = await start("two_steps", { tag });
    expect(await result(runId)).toEqual({ runId, status: "completed", output: { sum: 3, runId } });
    const body = await run(runId);
    expect(body).toMatchObject({ runId, workflow: "two_steps", service: SERVICE, status: "completed" });
    expect(body.currentStep).toMatchObject({ index: 1, kind: "step", name: "second" });
    const journal = (await send(`${coordinator.url}/v1/runs/${runId}/journal`)).body;
    expect(journal.entries).toEqual([
      { index: 0, kind: "step", name: "first", request: null, status: "completed", result: 1 },
      { index: 1, kind: "step", name: "second", request: null, status: "completed", result: 2 },
    ]);
  });

  it("starts a run id once: starting it again returns the same run without running it again", async () => {
    const tag = randomUUID();
    const runId = `order-${tag}`;
    expect(await start("two_steps", { tag }, runId)).toBe(runId);
    await result(runId);
    const again = await postJson(`${coordinator.url}/v1/workflows/two_steps/runs`, { input: { tag }, runId });
    expect(again.body).toEqual({ runId, created: false });
    expect(service.executions.get(`${tag}:first`)).toBe(1);
  });

  it("refuses a run id that belongs to a run of another workflow with 409 RUN_ID_CONFLICT naming both", async () => {
    const runId = `taken-${randomUUID()}`;
    await start("two_steps", { tag: randomUUID() }, runId);
    const other = await postJson(`${coordinator.url}/v1/workflows/nap/runs`, { input: null, runId });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe("RUN_ID_CONFLICT");
    expect(other.body.error.message).toContain(runId);
    expect(other.body.error.message).toContain('"two_steps"');
    expect(other.body.error.message).toContain('"nap"');
    expect((await run(runId)).workflow).toBe("two_steps");
  });

  it("delivers a signal to a run that waits for it, and keeps one sent before the wait", async () => {
    const waiting = await start("wait_go", null);
    await waitingOn(waiting, "signal_wait");
    const sent = await postJson(`${coordinator.url}/v1/runs/${waiting}/signals/go`, { value: 7 });
    expect(sent.status).toBe(202);
    expect(sent.body.delivered).toBe(true);
    expect(await result(waiting)).toMatchObject({ status: "completed", output: { got: { value: 7 } } });

    // A run that has not reached its wait yet still gets the signal (kept in its mailbox).
    const early = `early-${randomUUID()}`;
    await start("wait_go", null, early);
    await postJson(`${coordinator.url}/v1/runs/${early}/signals/go`, "early bird");
    expect(await result(early)).toMatchObject({ status: "completed", output: { got: "early bird" } });
  });

  it("gives the default when a signal does not arrive before its timeout", async () => {
    const runId = await start("wait_with_default", null);
    expect(await result(runId)).toMatchObject({ status: "completed", output: { got: "fallback" } });
  });

  it("lets one run signal another", async () => {
    const target = await start("wait_go", null);
    await waitingOn(target, "signal_wait");
    await result(await start("emit_to", target));
    expect(await result(target)).toMatchObject({ output: { got: "from another run" } });
  });

  it("checks the approver's roles, then resumes the run with the decision", async () => {
    const runId = await start("ship", { version: "2.0.0" });
    await waitingOn(runId, "signal_wait");
    const url = `${coordinator.url}/v1/runs/${runId}/approvals/deploy`;
    const forbidden = await postJson(url, { decision: "approved", by: "eve" }, { "x-agnt5-roles": "intern" });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe("FORBIDDEN");
    expect(forbidden.body.error.message).toContain("admin, devops");
    const invalid = await postJson(url, { decision: "maybe", by: "eve" }, { "x-agnt5-roles": "admin" });
    expect(invalid.status).toBe(400);

    const approved = await postJson(
      url,
      { decision: "approved", by: "alice", comment: "ship it" },
      { "x-agnt5-roles": "devops" },
    );
    expect(approved.status).toBe(202);
    expect(await result(runId)).toMatchObject({
      status: "completed",
      output: { approved: true, by: "alice", comment: "ship it" },
    });
    const late = await postJson(url, { decision: "rejected", by: "bob" }, { "x-agnt5-roles": "admin" });
    expect(late.status).toBe(409);
  });

  it("wakes a sleeping run when its timer fires", async () => {
    const runId = await start("nap", null);
    expect(await result(runId)).toMatchObject({ status: "completed", output: "rested" });
    const journal = (await send(`${coordinator.url}/v1/runs/${runId}/journal`)).body;
    expect(journal.entries[0]).toMatchObject({ kind: "timer", status: "completed" });
  });

  it("runs child invocations (task, spawn, gather) and journals their results", async () => {
    const runId = await start("parent", 21);
    expect(await result(runId)).toMatchObject({ status: "completed", output: { doubled: 42, again: 84, childSum: 3 } });
    const journal = (await send(`${coordinator.url}/v1/runs/${runId}/journal`)).body;
    expect(journal.entries.map((e: { kind: string; name: string }) => `${e.kind}:${e.name}`)).toEqual([
      `call:${SERVICE}/double`,
      `call:${SERVICE}/two_steps`,
      `call:${SERVICE}/double`,
    ]);
  });

  it("cancels a waiting run: it sees the cancellation, cleans up, and ends cancelled", async () => {
    const runId = await start("cancellable", null);
    await waitingOn(runId, "signal_wait");
    const cancelled = await postJson(`${coordinator.url}/v1/runs/${runId}/cancel`, null);
    expect(cancelled.status).toBe(202);
    expect(await result(runId)).toEqual({ runId, status: "cancelled", output: "cleaned up" });
    expect((await run(runId)).status).toBe("cancelled");
  });

  it("answers a cancel to a finished run with 409 RUN_FINISHED, naming the run and its status", async () => {
    const runId = await start("two_steps", { tag: randomUUID() });
    await result(runId);
    const late = await postJson(`${coordinator.url}/v1/runs/${runId}/cancel`, null);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe("RUN_FINISHED");
    expect(late.body.error.message).toContain(runId);
    expect(late.body.error.message).toContain("completed");
    expect((await run(runId)).status).toBe("completed");
  });

  it("fails a run whose code no longer matches its journal, naming the index and both operations", async () => {
    const runId = await start("changes_its_mind", null);
    const body = await result(runId);
    expect(body.status).toBe("failed");
    expect(body.error.code).toBe("NON_DETERMINISM");
    expect(body.error.message).toContain("index 0");
    expect(body.error.message).toContain('"charge"');
    expect(body.error.message).toContain('"refund"');
  });

  it("keeps a terminal error and answers signals to the finished run with 409", async () => {
    const runId = await start("refuses", null);
    expect(await result(runId)).toMatchObject({ status: "failed", error: { code: "REFUSED", message: "no way" } });
    const late = await postJson(`${coordinator.url}/v1/runs/${runId}/signals/go`, 1);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe("RUN_FINISHED");
  });

  it("answers unknown workflows and runs with 404s that name them", async () => {
    const unknown = await postJson(`${coordinator.url}/v1/workflows/nope/runs`, { input: null });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toContain('"nope"');
    expect(unknown.body.error.message).toContain("two_steps");
    const missing = await send(`${coordinator.url}/v1/runs/missing-run`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("RUN_NOT_FOUND");
  });
});
