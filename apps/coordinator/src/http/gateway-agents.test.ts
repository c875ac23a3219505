// Agents as components through the gateway: an in-process coordinator and SDK worker over real
// gRPC and HTTP, once per store. POST /v1/agents/:name/runs (idempotent by run id), the run routes
// on an agent run (result, journal, cancel, approvals with roles and edits), SSE events as they
// happen, and the errors a caller can make.
import { randomUUID } from "node:crypto";
import { ScriptedModel, type ScriptedResponse } from "@agnt5/llm/test";
import { Agent, Registry, registerAgent, type Tool, tool, workflow } from "@agnt5/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { deferred, pollUntil, postJson, send } from "../test-support/http.js";
import { STORE_KINDS, startTestCoordinator, type TestCoordinator } from "../test-support/test-coordinator.js";
import { startTestWorker, type TestWorker } from "../test-support/test-worker.js";

const SERVICE = "agents-service";

/** A model per run: each test's agent answers from its own script. */
function lookupScript(sku: string): ScriptedResponse[] {
  return [
    { text: "Checking.", toolCalls: [{ toolCallId: "c1", toolName: "lookup", input: { sku } }] },
    { text: `${sku}: 3 in stock.` },
  ];
}

function agentsService() {
  const registry = new Registry();
  const lookups: string[] = [];
  const restarts: string[] = [];
  const lookupStarted = deferred<string>();
  const releaseLookup = deferred();
  let blockLookups = false;
  const lookup = tool(
    { name: "lookup", description: "Stock of a SKU", input: z.object({ sku: z.string() }) },
    async ({ sku }) => {
      lookups.push(sku);
      if (blockLookups) {
        lookupStarted.resolve(sku);
        await releaseLookup.promise;
      }
      return { sku, stock: 3 };
    },
  );
  const restart = tool(
    {
      name: "restart",
      description: "Restart a service",
      input: z.object({ service: z.string() }),
      confirmation: true,
      approverRoles: ["sre"],
    },
    ({ service }) => {
      restarts.push(service);
      return { restarted: service };
    },
  );
  const models = new Map<string, ScriptedModel>();
  /** The agent `name` answering from its own script. */
  const agentNamed = (name: string, script: ScriptedResponse[], tools: Tool<any, any>[] = [lookup]) => {
    const model = new ScriptedModel(script);
    models.set(name, model);
    registerAgent(new Agent({ name, model, instructions: "Answer stock questions.", tools }), { registry });
  };
  agentNamed("stock", lookupScript("A1"));
  agentNamed("stock_again", lookupScript("B2"));
  agentNamed("stock_stream", lookupScript("C3"));
  agentNamed(
    "ops",
    [
      { toolCalls: [{ toolCallId: "r1", toolName: "restart", input: { service: "api" } }] },
      { toolCalls: [{ toolCallId: "r2", toolName: "restart", input: { service: "db" } }] },
      { text: "Restarted api-canary; db was refused." },
    ],
    [restart],
  );
  agentNamed(
    "ops_stream",
    [
      { toolCalls: [{ toolCallId: "r4", toolName: "restart", input: { service: "queue" } }] },
      { text: "Restarted the queue." },
    ],
    [restart],
  );
  agentNamed(
    "ops_cancel",
    [{ toolCalls: [{ toolCallId: "r3", toolName: "restart", input: { service: "cache" } }] }],
    [restart],
  );
  workflow({ name: "a_workflow", registry }, async () => "workflow");
  return {
    registry,
    lookups,
    restarts,
    lookupStarted,
    releaseLookup,
    blockLookups: () => {
      blockLookups = true;
    },
    model: (name: string) => models.get(name)!,
  };
}

/** The events of an SSE body: `event:` name and parsed `data:` JSON. */
async function* sseEvents(response: Response): AsyncIterable<{ event: string; data: any }> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const bytes of response.body as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(bytes, { stream: true });
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(frame)?.[1] ?? "message";
      const data = /^data: (.*)$/m.exec(frame)?.[1];
      yield { event, data: data === undefined ? undefined : JSON.parse(data) };
    }
  }
}

describe.each(STORE_KINDS)("agent runs through the gateway on %s", (kind) => {
  let coordinator: TestCoordinator;
  let worker: TestWorker;
  let service: ReturnType<typeof agentsService>;

  beforeAll(async () => {
    coordinator = await startTestCoordinator(kind);
    service = agentsService();
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

  const start = (name: string, body: unknown) => postJson(`${coordinator.url}/v1/agents/${name}/runs`, body);
  const result = async (runId: string) =>
    (await send(`${coordinator.url}/v1/runs/${runId}/result?timeoutMs=20000`)).body;
  const journal = async (runId: string) => (await send(`${coordinator.url}/v1/runs/${runId}/journal`)).body;

  it("starts a durable run (202), answers its AgentResult, and journals each model call and tool run", async () => {
    const model = service.model("stock");
    const started = await start("stock", { input: "Stock of A1?", sessionId: "s-1" });
    expect(started.status).toBe(202);
    expect(started.body).toEqual({ runId: expect.any(String), created: true });
    const { runId } = started.body;
    const answer = await result(runId);
    expect(answer).toMatchObject({
      runId,
      status: "completed",
      output: {
        status: "completed",
        agent: "stock",
        output: "A1: 3 in stock.",
        iterations: 2,
        toolCalls: [{ name: "lookup", arguments: { sku: "A1" }, result: { sku: "A1", stock: 3 } }],
      },
    });
    expect(model.calls).toHaveLength(2);
    // With a sessionId the run reads the session's history first and appends its turns last.
    expect((await journal(runId)).entries.map((entry: { name: string }) => entry.name)).toEqual([
      "agnt5.session.history",
      "agent:stock:llm:0",
      "agent:stock:tool:lookup:0",
      "agent:stock:llm:1",
      "agnt5.session.append",
    ]);
    const run = (await send(`${coordinator.url}/v1/runs/${runId}`)).body;
    expect(run).toMatchObject({ runId, service: SERVICE, status: "completed" });
  });

  it("is idempotent on runId: starting it again returns the same run and runs nothing again", async () => {
    const model = service.model("stock_again");
    const runId = `agent-run-${randomUUID()}`;
    expect((await start("stock_again", { input: "Stock of B2?", runId })).body).toEqual({ runId, created: true });
    await result(runId);
    const again = await start("stock_again", { input: "Stock of B2?", runId });
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ runId, created: false });
    expect(model.calls).toHaveLength(2);
    expect(service.lookups.filter((sku) => sku === "B2")).toHaveLength(1);
    // The same run id for another agent or a workflow is the caller's mistake.
    const conflict = await postJson(`${coordinator.url}/v1/workflows/a_workflow/runs`, { input: null, runId });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe("RUN_ID_CONFLICT");
    expect(conflict.body.error.message).toContain('a run of agent "stock_again"');
  });

  it("streams the run's events as SSE while it runs, then done with the result", async () => {
    service.blockLookups();
    const response = await fetch(`${coordinator.url}/v1/agents/stock_stream/runs`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ input: "Stock of C3?" }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const seen: Array<{ event: string; data: any }> = [];
    for await (const frame of sseEvents(response)) {
      seen.push(frame);
      // The tool is still running (it waits for this): the event reached us as it happened.
      if (frame.event === "tool_call") {
        expect(await service.lookupStarted.promise).toBe("C3");
        service.releaseLookup.resolve();
      }
    }
    expect(seen.map((frame) => frame.event)).toEqual([
      "run",
      "response",
      "thinking",
      "tool_call",
      "tool_result",
      "response",
      "done",
    ]);
    const runId = response.headers.get("agnt5-run-id");
    expect(seen[0]!.data).toEqual({ type: "run", runId, created: true });
    expect(seen[3]!.data).toMatchObject({ type: "tool_call", toolName: "lookup", arguments: { sku: "C3" } });
    expect(seen.at(-1)!.data).toMatchObject({ type: "done", runId, result: { output: "C3: 3 in stock." } });

    // Streaming the same runId again: the finished run's result at once, nothing runs again.
    const again = await fetch(`${coordinator.url}/v1/agents/stock_stream/runs?stream=true`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ input: "Stock of C3?", runId }),
    });
    const replayed: Array<{ event: string; data: any }> = [];
    for await (const frame of sseEvents(again)) replayed.push(frame);
    expect(replayed.map((frame) => frame.event)).toEqual(["run", "done"]);
    expect(replayed[0]!.data).toEqual({ type: "run", runId, created: false });
    expect(replayed[1]!.data).toEqual(seen.at(-1)!.data);
    expect(service.lookups.filter((sku) => sku === "C3")).toHaveLength(1);
  });

  it("refuses to guess between two services registering the same agent (409 AMBIGUOUS_AGENT)", async () => {
    const registry = new Registry();
    registerAgent(new Agent({ name: "stock", model: new ScriptedModel([]) }), { registry });
    const second = await startTestWorker({ serviceName: `${SERVICE}-twin`, endpoint: coordinator.endpoint, registry });
    try {
      const ambiguous = await start("stock", { input: "hi" });
      expect(ambiguous.status).toBe(409);
      expect(ambiguous.body.error.code).toBe("AMBIGUOUS_AGENT");
      expect(ambiguous.body.error.message).toContain(`${SERVICE}, ${SERVICE}-twin`);
    } finally {
      await second.stop();
      // A retired service keeps its components until it is removed.
      await pollUntil(
        () => send(`${coordinator.url}/v1/services/${SERVICE}-twin`, { method: "DELETE" }),
        (removed) => removed.status === 204,
        { what: "the twin service to be removed once its worker left" },
      );
    }
  });

  it("keeps streaming a run that waits for an approval: its events after the decision, once each, then done", async () => {
    const runId = `streamed-${randomUUID()}`;
    const response = await fetch(`${coordinator.url}/v1/agents/ops_stream/runs?stream=true`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ input: "Restart the queue", runId }),
    });
    const seen: string[] = [];
    for await (const frame of sseEvents(response)) {
      seen.push(frame.event === "response" ? `response:${frame.data.content}` : frame.event);
      // The run suspends on its approval (no worker slot); deciding resumes it on the worker.
      if (frame.event === "approval_requested") {
        await pollUntil(
          () => send(`${coordinator.url}/v1/runs/${runId}`).then((r) => r.body),
          (body) => body.status === "waiting",
          { what: "the run waiting for its approval" },
        );
        const approved = await postJson(
          `${coordinator.url}/v1/runs/${runId}/approvals/${encodeURIComponent(frame.data.name)}`,
          { decision: "approved", by: "ann" },
          { "x-agnt5-roles": "sre" },
        );
        expect(approved.status).toBe(202);
      }
    }
    expect(seen).toEqual([
      "run",
      "tool_call",
      "approval_requested",
      "tool_result",
      "response:Restarted the queue.",
      "done",
    ]);
    expect(service.restarts).toContain("queue");
  });

  it("parks a confirmation tool on an approval: roles enforced, edits applied, a rejection reaches the model", async () => {
    const { runId } = (await start("ops", { input: "Restart api and db" })).body;
    const approvalUrl = (name: string) => `${coordinator.url}/v1/runs/${runId}/approvals/${encodeURIComponent(name)}`;
    await pollUntil(
      () => send(`${coordinator.url}/v1/runs/${runId}`).then((r) => r.body),
      (body) => body.status === "waiting" && body.currentStep?.name === "approval:agent:ops:tool:restart:0",
      { what: "the run waiting for the first restart's approval" },
    );
    const forbidden = await postJson(
      approvalUrl("agent:ops:tool:restart:0"),
      { decision: "approved", by: "eve" },
      { "x-agnt5-roles": "dev" },
    );
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe("FORBIDDEN");
    const edited = await postJson(
      approvalUrl("agent:ops:tool:restart:0"),
      { decision: "approved", by: "ann", edits: { service: "api-canary" } },
      { "x-agnt5-roles": "sre" },
    );
    expect(edited.status).toBe(202);
    await pollUntil(
      () => send(`${coordinator.url}/v1/runs/${runId}`).then((r) => r.body),
      (body) => body.status === "waiting" && body.currentStep?.name === "approval:agent:ops:tool:restart:1",
      { what: "the run waiting for the second restart's approval" },
    );
    const rejected = await postJson(
      approvalUrl("agent:ops:tool:restart:1"),
      { decision: "rejected", by: "ann", comment: "not during business hours" },
      { "x-agnt5-roles": "sre" },
    );
    expect(rejected.status).toBe(202);
    const answer = await result(runId);
    expect(answer.output).toMatchObject({
      status: "completed",
      output: "Restarted api-canary; db was refused.",
      toolCalls: [
        {
          name: "restart",
          arguments: { service: "api" },
          editedArguments: { service: "api-canary" },
          result: { restarted: "api-canary" },
          approval: { approved: true, by: "ann" },
        },
        { name: "restart", arguments: { service: "db" }, error: expect.stringContaining("not during business hours") },
      ],
    });
    expect(service.restarts.filter((name) => ["api", "api-canary", "db"].includes(name))).toEqual(["api-canary"]);
    const toolMessages = answer.output.messages.filter((message: { role: string }) => message.role === "tool");
    expect(JSON.stringify(toolMessages.at(-1))).toContain("rejected by ann");
  });

  it("cancels an agent run waiting for an approval through the run routes", async () => {
    // No second model response is scripted: the run is cancelled before it needs one.
    const { runId } = (await start("ops_cancel", { input: "Restart cache" })).body;
    await pollUntil(
      () => send(`${coordinator.url}/v1/runs/${runId}`).then((r) => r.body),
      (body) => body.status === "waiting",
      { what: "the run waiting for its approval" },
    );
    const cancelled = await postJson(`${coordinator.url}/v1/runs/${runId}/cancel`, {});
    expect(cancelled.status).toBe(202);
    expect(await result(runId)).toMatchObject({ runId, status: "cancelled" });
    expect(service.restarts).not.toContain("cache");
  });

  it("answers a caller's mistakes with the code and the field", async () => {
    const missing = await start("nobody", { input: "hi" });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("AGENT_NOT_FOUND");
    expect(missing.body.error.message).toContain('"nobody"');
    expect(missing.body.error.message).toContain("stock");
    // A workflow is not an agent.
    expect((await start("a_workflow", { input: "hi" })).body.error.code).toBe("AGENT_NOT_FOUND");

    const noInput = await start("stock", {});
    expect(noInput.status).toBe(400);
    expect(noInput.body.error.code).toBe("INVALID_INPUT");
    expect(noInput.body.error.message).toContain("input");

    const badSession = await start("stock", { input: "hi", sessionId: 7 });
    expect(badSession.status).toBe(400);
    expect(badSession.body.error.code).toBe("INVALID_INPUT");
    expect(badSession.body.error.message).toContain("sessionId");

    const unknownField = await start("stock", { input: "hi", session: "s" });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.error).toMatchObject({
      code: "INVALID_REQUEST",
      message: expect.stringContaining('"session"'),
    });

    const badRunId = await start("stock", { input: "hi", runId: "no spaces" });
    expect(badRunId.status).toBe(400);
    expect(badRunId.body.error.message).toContain("runId");

    const notObject = await start("stock", ["hi"]);
    expect(notObject.status).toBe(400);
    expect(notObject.body.error.code).toBe("INVALID_REQUEST");

    const badStream = await send(`${coordinator.url}/v1/agents/stock/runs?stream=yes`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ input: "hi" }),
    });
    expect(badStream.status).toBe(400);
    expect(badStream.body.error.message).toContain("stream");
  });
});
