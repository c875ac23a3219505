// examples/agents as its README runs it: a coordinator and the example's worker as real processes
// (offline model), and the README's calls with the answers it shows.
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getJson, postJson, TestCluster } from "./support/cluster.js";
import { createTestStore, type TestStore } from "./support/stores.js";

const exampleWorker = fileURLToPath(new URL("../../../examples/agents/dist/worker.js", import.meta.url));
const APPROVAL = "agent:deployer:tool:deploy_to_production:0";

describe("examples/agents through the gateway", () => {
  let store: TestStore;
  let cluster: TestCluster;

  beforeAll(async () => {
    store = await createTestStore("pglite");
    cluster = await TestCluster.create(store);
    await cluster.startCoordinator();
    // No key: the offline model, whatever the environment running the tests holds.
    await cluster.startWorker({ OPENAI_API_KEY: "", ANTHROPIC_API_KEY: "", AGNT5_EXAMPLE_MODEL: "" }, exampleWorker);
  });

  afterAll(async () => {
    await cluster?.dispose();
    await store?.dispose();
  });

  const result = async (runId: string) =>
    (await getJson(`${cluster.url}/v1/runs/${runId}/result?timeoutMs=30000`)).json;
  const approve = (runId: string, body: unknown, roles: string) =>
    postJson(`${cluster.url}/v1/runs/${runId}/approvals/${APPROVAL}`, body, { "x-agnt5-roles": roles });

  it("answers the Quick example's agent and workflow as the README shows", async () => {
    const started = await postJson(`${cluster.url}/v1/agents/assistant/runs`, {
      input: "How do I retry a step?",
      runId: "ask-1",
    });
    expect(started.json).toEqual({ runId: "ask-1", created: true });
    const answer = await result("ask-1");
    expect(answer).toMatchObject({
      status: "completed",
      output: {
        output:
          "Found documentation about: How do I retry a step? Steps are journaled, so a crash resumes after the last finished one.",
      },
    });
    const journal = (await getJson(`${cluster.url}/v1/runs/ask-1/journal`)).json;
    expect(journal.entries.map((entry: { name: string }) => entry.name)).toEqual([
      "agent:assistant:llm:0",
      "agent:assistant:tool:search_docs:0",
      "agent:assistant:llm:1",
    ]);
    const again = await postJson(`${cluster.url}/v1/agents/assistant/runs`, {
      input: "How do I retry a step?",
      runId: "ask-1",
    });
    expect(again.json).toEqual({ runId: "ask-1", created: false });

    await postJson(`${cluster.url}/v1/workflows/process_question/runs`, {
      input: "What is a durable step?",
      runId: "question-1",
    });
    expect(await result("question-1")).toEqual({
      runId: "question-1",
      status: "completed",
      output: {
        question: "What is a durable step?",
        answer:
          "Found documentation about: What is a durable step? Steps are journaled, so a crash resumes after the last finished one.",
      },
    });
  });

  it("streams the support coordinator's handoff as the README shows", async () => {
    const response = await fetch(`${cluster.url}/v1/agents/support/runs?stream=true`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ input: "I was charged twice for my subscription, please refund", runId: "support-1" }),
    });
    const text = await response.text();
    const events = [...text.matchAll(/^event: (.+)$/gm)].map((match) => match[1]);
    expect(events).toEqual([
      "run",
      "tool_call",
      "handoff",
      "tool_result",
      "tool_call",
      "tool_result",
      "response",
      "done",
    ]);
    expect(text).toContain(
      '"content":"Invoice INV-1042 shows the same 49.00 charge twice; I have refunded the duplicate."',
    );
    expect((await result("support-1")).output).toMatchObject({ agent: "billing_specialist", status: "completed" });
  });

  it("runs the deploy agent's confirmation tool as the README shows", async () => {
    await postJson(`${cluster.url}/v1/agents/deployer/runs`, { input: "Please deploy api 2.0.0", runId: "deploy-1" });
    await poll(async () => {
      const run = (await getJson(`${cluster.url}/v1/runs/deploy-1`)).json;
      return run.status === "waiting" && run.currentStep?.name === `approval:${APPROVAL}` ? run : undefined;
    }, "deploy-1 waiting for its approval");
    const forbidden = await approve("deploy-1", { decision: "approved", by: "bob" }, "intern");
    expect(forbidden.json).toEqual({
      error: {
        code: "FORBIDDEN",
        message: `Approval "${APPROVAL}" requires one of the roles devops; the approver has intern`,
      },
    });
    await approve(
      "deploy-1",
      { decision: "approved", by: "alice", edits: { service: "api", version: "2.0.1" } },
      "devops",
    );
    expect((await result("deploy-1")).output.toolCalls[0]).toMatchObject({
      arguments: { service: "api", version: "2.0.0" },
      editedArguments: { service: "api", version: "2.0.1" },
      result: { status: "deployed", service: "api", version: "2.0.1", key: `deploy-1:${APPROVAL}` },
    });

    await postJson(`${cluster.url}/v1/agents/deployer/runs`, { input: "Please deploy web 3.1.0", runId: "deploy-2" });
    await poll(async () => {
      const run = (await getJson(`${cluster.url}/v1/runs/deploy-2`)).json;
      return run.status === "waiting" ? run : undefined;
    }, "deploy-2 waiting for its approval");
    await approve("deploy-2", { decision: "rejected", by: "alice", comment: "code freeze" }, "devops");
    expect((await result("deploy-2")).output.output).toBe(
      "Deployment result: The call was rejected by alice: code freeze. Do not retry it; tell the user or find another way.",
    );

    const missing = await postJson(`${cluster.url}/v1/agents/nobody/runs`, { input: "hi" });
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({
      error: {
        code: "AGENT_NOT_FOUND",
        message: 'No agent named "nobody" is registered (agents: assistant, support, deployer)',
      },
    });
  });
});

/** Polls the coordinator's state with backoff: the state change is the event the test waits for. */
async function poll<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 10; Date.now() < deadline; delay = Math.min(delay * 2, 250)) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  throw new Error(`timed out waiting for ${what}`);
}
