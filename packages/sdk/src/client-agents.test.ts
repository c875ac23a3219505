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
  return { fake, client: new Client(fake.url) };
}

const agentResult = {
  status: "completed",
  agent: "assistant",
  output: "Hi!",
  text: "Hi!",
  toolCalls: [],
  iterations: 1,
};

describe("Client: agent runs", () => {
  it("startAgent() posts {input, sessionId, runId} to /v1/agents/:name/runs, by name or by agent", async () => {
    const { fake, client } = await gateway((request, res) =>
      json(res, 202, { runId: (request.body as { runId?: string }).runId ?? "generated-1", created: true }),
    );
    expect(await client.startAgent("support desk", "Hello", { sessionId: "s-1", runId: "chat-1" })).toEqual({
      runId: "chat-1",
      created: true,
    });
    expect(fake.requests[0]).toMatchObject({
      method: "POST",
      path: "/v1/agents/support%20desk/runs",
      body: { input: "Hello", sessionId: "s-1", runId: "chat-1" },
    });
    const messages = [{ role: "user" as const, content: "Hello" }];
    expect(await client.startAgent({ name: "assistant" }, messages)).toEqual({ runId: "generated-1", created: true });
    expect(fake.requests[1]).toMatchObject({ path: "/v1/agents/assistant/runs", body: { input: messages } });
  });

  it("runAgent() starts the run and answers its AgentResult", async () => {
    const { fake, client } = await gateway((request, res) =>
      request.method === "POST"
        ? json(res, 202, { runId: "r-1", created: true })
        : json(res, 200, { runId: "r-1", status: "completed", output: agentResult }),
    );
    const result = await client.runAgent("assistant", "Hello", { timeoutMs: 5_000 });
    expect(result).toEqual(agentResult);
    expect(fake.requests.map((request) => [request.method, request.path])).toEqual([
      ["POST", "/v1/agents/assistant/runs"],
      ["GET", "/v1/runs/r-1/result"],
    ]);
  });

  it("maps AGENT_NOT_FOUND, a failed run and a start without runId to Agnt5ClientError", async () => {
    const { client } = await gateway((request, res) => {
      if (request.path.includes("/missing/"))
        return json(res, 404, { error: { code: "AGENT_NOT_FOUND", message: 'No agent named "missing"' } });
      if (request.path.includes("/odd/")) return json(res, 202, {});
      if (request.method === "POST") return json(res, 202, { runId: "r-2", created: true });
      return json(res, 200, {
        runId: "r-2",
        status: "failed",
        error: { code: "LLM_AUTHENTICATION_ERROR", message: 'Agent "assistant" failed: invalid api key' },
      });
    });
    const missing = await client.startAgent("missing", "Hi").catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(Agnt5ClientError);
    expect(missing).toMatchObject({ status: 404, code: "AGENT_NOT_FOUND" });
    expect(await client.startAgent("odd", "Hi").catch((e: unknown) => e)).toMatchObject({
      code: "INVALID_RESPONSE",
      message: expect.stringContaining("agent odd"),
    });
    expect(await client.runAgent("assistant", "Hi").catch((e: unknown) => e)).toMatchObject({
      code: "LLM_AUTHENTICATION_ERROR",
      invocationId: "r-2",
    });
  });

  it("approve() sends the approver's edits with an approval", async () => {
    const { fake, client } = await gateway((_request, res) =>
      json(res, 202, { runId: "r-1", approval: "agent:ops:tool:restart:0", decision: "approved" }),
    );
    await client.approve("r-1", "agent:ops:tool:restart:0", {
      decision: "approved",
      by: "ann",
      edits: { service: "api-canary" },
    });
    expect(fake.requests[0]).toMatchObject({
      path: "/v1/runs/r-1/approvals/agent%3Aops%3Atool%3Arestart%3A0",
      body: { decision: "approved", by: "ann", edits: { service: "api-canary" } },
    });
  });
});
