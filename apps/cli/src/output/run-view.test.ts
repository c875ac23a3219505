import type { RunDetail, RunSummary } from "@agnt5/admin-client";
import { describe, expect, it } from "vitest";
import { renderRunDetail, renderRunList } from "./run-view.js";

const NOW = Date.parse("2026-12-02T10:01:00.000Z");

const summary: RunSummary = {
  id: "run-1",
  service: "support",
  component: "triage_agent",
  kind: "agent",
  status: "suspended",
  attempt: 1,
  createdAt: "2026-12-02T10:00:00.000Z",
  updatedAt: "2026-12-02T10:00:30.000Z",
  completedAt: null,
  parentId: null,
  waitingOn: "signal approval:refund",
  error: null,
};

const detail: RunDetail = {
  ...summary,
  input: { ticket: 42 },
  output: null,
  headers: {},
  timeline: [
    {
      index: 0,
      kind: "step",
      name: "llm:generate",
      status: "completed",
      startedAt: "2026-12-02T10:00:01.000Z",
      completedAt: "2026-12-02T10:00:02.200Z",
      durationMs: 1200,
      attempts: 1,
      request: null,
      result: { text: "refund it" },
      error: null,
      childRunId: null,
    },
    {
      index: 1,
      kind: "call",
      name: "lookup_order",
      status: "failed",
      startedAt: "2026-12-02T10:00:03.000Z",
      completedAt: "2026-12-02T10:00:03.050Z",
      durationMs: 50,
      attempts: 3,
      request: null,
      result: undefined,
      error: { code: "ORDER_API_DOWN", message: "503 from orders" },
      childRunId: "run-2",
    },
  ],
  waits: [{ index: 2, kind: "approval", name: "refund", since: "2026-12-02T10:00:30.000Z", until: null }],
  modelCalls: [
    {
      index: 0,
      name: "llm:generate",
      model: "gpt-4o-mini",
      inputTokens: 1840,
      outputTokens: 312,
      latencyMs: 1200,
      prompt: [{ role: "user", content: "Ticket 42" }],
      answer: "refund it",
    },
  ],
  toolCalls: [
    {
      index: 1,
      tool: "lookup_order",
      arguments: { order: "A-1" },
      result: undefined,
      error: { code: "ORDER_API_DOWN", message: "503 from orders" },
    },
  ],
  pendingApprovals: [
    {
      index: 2,
      name: "refund",
      payload: { amount: 30 },
      requiredRoles: ["support-lead"],
      since: "2026-12-02T10:00:30.000Z",
      timeoutAt: null,
    },
  ],
  children: [
    { ...summary, id: "run-2", component: "lookup_order", kind: "function", status: "failed", parentId: "run-1" },
  ],
  parent: null,
  totals: { modelCalls: 1, inputTokens: 1840, outputTokens: 312 },
};

describe("renderRunDetail", () => {
  const text = renderRunDetail(detail, NOW);

  it("summarises the run, what it waits on and its input", () => {
    expect(text).toContain("Component:   support/triage_agent (agent)");
    expect(text).toContain("Running for: 1m 00s");
    expect(text).toContain("Waiting on:  signal approval:refund");
    expect(text).toContain('Input:\n  {\n    "ticket": 42\n  }');
  });

  it("shows model calls with tokens and totals, and tool calls with arguments and errors", () => {
    expect(text).toContain("Model calls (1; 1,840 tokens in, 312 out)");
    expect(text).toMatch(/\n\s+0\s+llm:generate\s+gpt-4o-mini\s+1,840\s+312\s+1\.2s\s+"refund it"\n/);
    expect(text).toMatch(/Tool calls\n.*\n\s+1\s+lookup_order\s+\{"order":"A-1"\}\s+ORDER_API_DOWN: 503 from orders/);
  });

  it("shows a failed entry's error and attempts, a pending approval's roles, and the children", () => {
    expect(text).toMatch(/\n\s+1\s+call\s+lookup_order\s+failed\s+\S+\s+50ms\s+3\s+ORDER_API_DOWN: 503 from orders\n/);
    expect(text).toMatch(/Pending approvals\n.*\n\s+refund\s+30s ago\s+-\s+support-lead\s+\{"amount":30\}\n/);
    expect(text).toContain("npm run agnt5 -- runs approve run-1 <name> --by <you>");
    expect(text).toMatch(/Children\n.*\n\s+run-2\s+support\/lookup_order\s+function\s+failed/);
  });

  it("leaves out sections with nothing in them", () => {
    const bare = renderRunDetail(
      { ...detail, modelCalls: [], toolCalls: [], pendingApprovals: [], children: [], waits: [], timeline: [] },
      NOW,
    );
    for (const section of ["Timeline", "Model calls", "Tool calls", "Pending approvals", "Children", "Waiting on\n"]) {
      expect(bare).not.toContain(section);
    }
  });
});

describe("renderRunList", () => {
  it("says so when no run matches", () => {
    expect(renderRunList([], NOW)).toBe("No runs match.");
  });
});
