import { afterEach, describe, expect, it } from "vitest";
import { Client } from "./client.js";
import { Agnt5ClientError } from "./client-error.js";
import { type FakeGateway, type GatewayScript, json, startFakeGateway } from "./test-support/fake-gateway.js";

const gateways: FakeGateway[] = [];
afterEach(async () => {
  for (const gateway of gateways.splice(0)) await gateway.close();
});

async function gateway(script: GatewayScript) {
  const fake = await startFakeGateway(script);
  gateways.push(fake);
  return { fake, client: new Client(fake.url, { headers: { authorization: "Bearer t" } }) };
}

const run = {
  runId: "order-1",
  workflow: "checkout",
  service: "shop",
  status: "waiting",
  attempt: 1,
  cancelRequested: false,
  currentStep: { index: 2, kind: "signal_wait", name: "payment", status: "pending" },
  createdAt: "2026-01-01T00:00:00.000Z",
};

describe("Client: workflow runs", () => {
  it("startWorkflow() posts {input, runId} to /v1/workflows/:name/runs and returns {runId, created}", async () => {
    const { fake, client } = await gateway((request, res) =>
      json(res, 202, { runId: (request.body as { runId?: string }).runId ?? "generated-1", created: true }),
    );
    expect(await client.startWorkflow("check out", { orderId: "o-1" }, { runId: "order-1" })).toEqual({
      runId: "order-1",
      created: true,
    });
    expect(fake.requests[0]).toMatchObject({
      method: "POST",
      path: "/v1/workflows/check%20out/runs",
      body: { input: { orderId: "o-1" }, runId: "order-1" },
      headers: { authorization: "Bearer t", "content-type": "application/json" },
    });

    expect(await client.startWorkflow("checkout")).toEqual({ runId: "generated-1", created: true });
    expect(fake.requests[1]?.body).toEqual({ input: null });
  });

  it("startWorkflow() reports an existing run as created: false", async () => {
    const { client } = await gateway((_request, res) => json(res, 202, { runId: "order-1", created: false }));
    expect(await client.startWorkflow("checkout", 1, { runId: "order-1" })).toEqual({
      runId: "order-1",
      created: false,
    });
  });

  it("startWorkflow() maps WORKFLOW_NOT_FOUND and a reply without runId to Agnt5ClientError", async () => {
    const { client } = await gateway((request, res) =>
      request.path.includes("/missing/")
        ? json(res, 404, { error: { code: "WORKFLOW_NOT_FOUND", message: 'No workflow named "missing"' } })
        : json(res, 202, {}),
    );
    const missing = await client.startWorkflow("missing", 1).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(Agnt5ClientError);
    expect(missing).toMatchObject({ status: 404, code: "WORKFLOW_NOT_FOUND" });
    expect(await client.startWorkflow("odd", 1).catch((e: unknown) => e)).toMatchObject({ code: "INVALID_RESPONSE" });
  });

  it("getRun() / getWorkflowStatus() read GET /v1/runs/:runId", async () => {
    const { fake, client } = await gateway((_request, res) => json(res, 200, run));
    expect(await client.getRun("order-1")).toEqual(run);
    expect(await client.getWorkflowStatus("order-1")).toMatchObject({ status: "waiting", currentStep: { index: 2 } });
    expect(fake.requests.map((r) => [r.method, r.path])).toEqual([
      ["GET", "/v1/runs/order-1"],
      ["GET", "/v1/runs/order-1"],
    ]);
  });

  it("getRun() maps RUN_NOT_FOUND", async () => {
    const { client } = await gateway((_request, res) =>
      json(res, 404, { error: { code: "RUN_NOT_FOUND", message: 'No run with id "x"' } }),
    );
    expect(await client.getRun("x").catch((e: unknown) => e)).toMatchObject({ status: 404, code: "RUN_NOT_FOUND" });
  });

  it("workflowResult() waits on /result?timeoutMs= and returns the output of a completed run", async () => {
    const { fake, client } = await gateway((_request, res) =>
      json(res, 200, { runId: "order-1", status: "completed", output: { total: 45 } }),
    );
    expect(await client.workflowResult("order-1", { timeoutMs: 30_000 })).toEqual({ total: 45 });
    expect(fake.requests[0]?.path).toBe("/v1/runs/order-1/result");
    expect(fake.requests[0]?.query.get("timeoutMs")).toBe("30000");

    await client.workflowResult("order-1");
    expect(fake.requests[1]?.query.has("timeoutMs")).toBe(false);
  });

  it("workflowResult() throws the run's error for a failed run, CANCELLED for a cancelled one, TIMEOUT on 504", async () => {
    const { client } = await gateway((request, res) => {
      const runId = request.path.split("/")[3];
      if (runId === "failed") {
        return json(res, 200, {
          runId,
          status: "failed",
          error: { code: "NON_DETERMINISM", message: "entry 0 differs", details: { index: 0 } },
        });
      }
      if (runId === "cancelled") return json(res, 200, { runId, status: "cancelled", output: { cleaned: true } });
      json(res, 504, { error: { code: "TIMEOUT", message: 'Run "slow" has not ended yet', invocationId: "slow" } });
    });

    const failed = await client.workflowResult("failed").catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(Agnt5ClientError);
    expect(failed).toMatchObject({
      code: "NON_DETERMINISM",
      message: "entry 0 differs",
      details: { index: 0 },
      invocationId: "failed",
    });
    expect(await client.workflowResult("cancelled").catch((e: unknown) => e)).toMatchObject({
      code: "CANCELLED",
      invocationId: "cancelled",
    });
    const timeout = await client.workflowResult("slow", { timeoutMs: 10 }).catch((e: unknown) => e);
    expect(timeout).toMatchObject({ status: 504, code: "TIMEOUT", invocationId: "slow" });
  });

  it("runWorkflow() starts a run and waits for its result", async () => {
    const { fake, client } = await gateway((request, res) =>
      request.method === "POST"
        ? json(res, 202, { runId: "r-9", created: true })
        : json(res, 200, { runId: "r-9", status: "completed", output: "done" }),
    );
    expect(await client.runWorkflow("checkout", { a: 1 }, { runId: "r-9", timeoutMs: 500 })).toBe("done");
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /v1/workflows/checkout/runs",
      "GET /v1/runs/r-9/result",
    ]);
    expect(fake.requests[0]?.body).toEqual({ input: { a: 1 }, runId: "r-9" });
    expect(fake.requests[1]?.query.get("timeoutMs")).toBe("500");
  });

  it("signal() posts the payload as the JSON body to /signals/:name", async () => {
    const { fake, client } = await gateway((request, res) =>
      json(res, 202, { runId: "order-1", signal: decodeURIComponent(request.path.split("/")[5]!), delivered: true }),
    );
    expect(await client.signal("order-1", "payment ok", { amount: 42 })).toEqual({
      runId: "order-1",
      signal: "payment ok",
      delivered: true,
    });
    expect(fake.requests[0]).toMatchObject({
      method: "POST",
      path: "/v1/runs/order-1/signals/payment%20ok",
      body: { amount: 42 },
    });
    await client.signal("order-1", "go");
    expect(fake.requests[1]?.body).toBeNull();
  });

  it("signal() maps RUN_FINISHED", async () => {
    const { client } = await gateway((_request, res) =>
      json(res, 409, { error: { code: "RUN_FINISHED", message: 'Run "order-1" has already ended (completed)' } }),
    );
    expect(await client.signal("order-1", "go", 1).catch((e: unknown) => e)).toMatchObject({
      status: 409,
      code: "RUN_FINISHED",
    });
  });

  it("approve() posts {decision, by, comment} with the roles in x-agnt5-roles", async () => {
    const { fake, client } = await gateway((_request, res) =>
      json(res, 202, { runId: "order-1", approval: "refund", decision: "approved" }),
    );
    const result = await client.approve("order-1", "refund", {
      decision: "approved",
      by: "alice",
      comment: "ok",
      roles: ["finance", "admin"],
    });
    expect(result).toEqual({ runId: "order-1", approval: "refund", decision: "approved" });
    expect(fake.requests[0]).toMatchObject({
      method: "POST",
      path: "/v1/runs/order-1/approvals/refund",
      body: { decision: "approved", by: "alice", comment: "ok" },
      headers: { "x-agnt5-roles": "finance,admin" },
    });

    await client.approve("order-1", "refund", { decision: "rejected", by: "bob" });
    expect(fake.requests[1]?.body).toEqual({ decision: "rejected", by: "bob" });
    expect(fake.requests[1]?.headers["x-agnt5-roles"]).toBeUndefined();
  });

  it("approve() maps FORBIDDEN and NO_PENDING_APPROVAL", async () => {
    const { client } = await gateway((request, res) =>
      request.path.endsWith("/refund")
        ? json(res, 403, { error: { code: "FORBIDDEN", message: "requires finance" } })
        : json(res, 409, { error: { code: "NO_PENDING_APPROVAL", message: "not waiting" } }),
    );
    const forbidden = await client.approve("r", "refund", { decision: "approved", by: "eve" }).catch((e) => e);
    expect(forbidden).toMatchObject({ status: 403, code: "FORBIDDEN", message: "requires finance" });
    const none = await client.approve("r", "other", { decision: "approved", by: "eve" }).catch((e) => e);
    expect(none).toMatchObject({ code: "NO_PENDING_APPROVAL" });
  });

  it("cancel() posts to /v1/runs/:runId/cancel", async () => {
    const { fake, client } = await gateway((_request, res) =>
      json(res, 202, { runId: "order-1", status: "running", cancelRequested: true }),
    );
    expect(await client.cancel("order-1")).toEqual({ runId: "order-1", status: "running", cancelRequested: true });
    expect(fake.requests[0]).toMatchObject({ method: "POST", path: "/v1/runs/order-1/cancel" });
  });

  it("getJournal() reads GET /v1/runs/:runId/journal", async () => {
    const journal = {
      runId: "order-1",
      entries: [
        { index: 0, kind: "step", name: "charge", request: null, status: "completed", result: { id: "ch_1" } },
        { index: 1, kind: "timer", name: "sleep", request: { fireAtMs: 1 }, status: "pending" },
        {
          index: 2,
          kind: "call",
          name: "billing/refund",
          request: { service: "billing", handler: "refund", input: 1 },
          status: "failed",
          failure: { code: "HANDLER_ERROR", message: "no" },
        },
      ],
    };
    const { fake, client } = await gateway((_request, res) => json(res, 200, journal));
    expect(await client.getJournal("order-1")).toEqual(journal);
    expect(fake.requests[0]).toMatchObject({ method: "GET", path: "/v1/runs/order-1/journal" });
  });

  it("getJournal() and cancel() map RUN_NOT_FOUND", async () => {
    const { client } = await gateway((_request, res) =>
      json(res, 404, { error: { code: "RUN_NOT_FOUND", message: "No run" } }),
    );
    expect(await client.getJournal("nope").catch((e: unknown) => e)).toMatchObject({ code: "RUN_NOT_FOUND" });
    expect(await client.cancel("nope").catch((e: unknown) => e)).toMatchObject({ code: "RUN_NOT_FOUND" });
  });
});
