import { describe, expect, it } from "vitest";
import { toDecision } from "./approval-operation.js";
import { createHarness, flush, NOW, ok } from "./test-support/harness.js";

describe("ctx.human.approval", () => {
  it("proposes a signal_wait named approval:<name> carrying the approval request", async () => {
    const h = createHarness();
    void h.execution.run(async (ctx) =>
      ctx.human.approval("deploy_production", {
        payload: { version: "1.2.0" },
        timeout: 30 * 60_000,
        requiredRoles: ["admin", "devops"],
      }),
    );
    await flush();
    expect(h.proposals()).toEqual([
      {
        index: 0,
        kind: "signal_wait",
        name: "approval:deploy_production",
        request: {
          approval: { payload: { version: "1.2.0" }, requiredRoles: ["admin", "devops"] },
          timeoutMs: 1_800_000,
          fireAtMs: NOW + 1_800_000,
        },
      },
    ]);
  });

  it("prefers timeoutMs over timeout and records no timeout when there is none", async () => {
    const h = createHarness();
    void h.execution.run(async (ctx) => {
      void ctx.human.approval("a", { timeoutMs: 5, timeout: 10 });
      void ctx.human.approval("b");
    });
    await flush();
    expect(h.proposals().map((entry) => entry.request)).toEqual([
      { approval: { payload: null, requiredRoles: [] }, timeoutMs: 5, fireAtMs: NOW + 5 },
      { approval: { payload: null, requiredRoles: [] } },
    ]);
  });

  it("resolves to the decision the approving side sent", async () => {
    const h = createHarness();
    h.autoAck(() => ok({ payload: { decision: "approved", by: "alice", comment: "ship it", roles: ["admin"] } }));
    const outcome = await h.execution.run(async (ctx) => ctx.human.approval("deploy"));
    expect(outcome).toEqual({
      type: "completed",
      value: { decision: "approved", approved: true, by: "alice", comment: "ship it", roles: ["admin"] },
    });
  });

  it("replays a recorded rejection", async () => {
    const h = createHarness({
      journal: [
        {
          index: 0,
          kind: "signal_wait",
          name: "approval:deploy",
          request: {},
          result: ok({ payload: { decision: "rejected", by: "bob" } }),
        },
      ],
    });
    const outcome = await h.execution.run(async (ctx) => ctx.human.approval("deploy"));
    expect(outcome).toEqual({ type: "completed", value: { decision: "rejected", approved: false, by: "bob" } });
    expect(h.frames).toEqual([]);
  });

  it("applies the default decision on timeout", async () => {
    const h = createHarness();
    h.autoAck(() => ok({ timedOut: true }));
    const outcome = await h.execution.run(async (ctx) => [
      await ctx.human.approval("a", { timeoutMs: 1, default: "rejected" }),
      await ctx.human.approval("b", { timeoutMs: 1, default: { decision: "approved", approved: true, by: "policy" } }),
    ]);
    expect(outcome).toEqual({
      type: "completed",
      value: [
        { decision: "rejected", approved: false, by: "timeout" },
        { decision: "approved", approved: true, by: "policy" },
      ],
    });
  });

  it("throws SignalTimeoutError naming the approval signal on timeout without a default", async () => {
    const h = createHarness();
    h.autoAck(() => ok({ timedOut: true }));
    const outcome = await h.execution.run(async (ctx) => ctx.human.approval("deploy", { timeoutMs: 1000 }));
    expect(outcome).toMatchObject({
      type: "failed",
      failure: { code: "SIGNAL_TIMEOUT", message: 'Signal "approval:deploy" was not received within 1000 ms' },
    });
  });
});

describe("toDecision", () => {
  it("accepts { approved: boolean } and defaults `by`", () => {
    expect(toDecision("x", { approved: false })).toEqual({ decision: "rejected", approved: false, by: "unknown" });
  });

  it("passes the approver's edits through (an agent tool's edited arguments)", () => {
    expect(toDecision("x", { decision: "approved", by: "ann", edits: { version: "2.0.1" } })).toEqual({
      decision: "approved",
      approved: true,
      by: "ann",
      edits: { version: "2.0.1" },
    });
  });

  it("rejects a payload that is not a decision", () => {
    expect(() => toDecision("deploy", { decision: "maybe" })).toThrow(/Approval "deploy" received/);
    expect(() => toDecision("deploy", "yes")).toThrow(expect.objectContaining({ code: "INVALID_APPROVAL" }));
  });
});
