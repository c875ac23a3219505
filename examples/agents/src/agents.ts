import { Agent, registerAgent, tool, workflow } from "@agnt5/sdk";
import { z } from "zod";
import { exampleModel } from "./model.js";
import { lastToolResult, userText } from "./offline-model.js";

// --- The seed's Quick example ------------------------------------------------------------------

/** The seed's `@tool(auto_schema=True) search_docs`: the schema sent to the model comes from zod. */
export const searchDocs = tool(
  {
    name: "search_docs",
    description: "Search documentation for answers.",
    input: z.object({ query: z.string().describe("What to look for") }),
  },
  async ({ query }) => `Found documentation about: ${query}`,
);

export const assistant = new Agent({
  name: "assistant",
  model: await exampleModel("assistant", (messages) => {
    const found = lastToolResult(messages);
    if (found === undefined) {
      return { toolCalls: [{ toolCallId: "search-1", toolName: "search_docs", input: { query: userText(messages) } }] };
    }
    return { text: `${found} Steps are journaled, so a crash resumes after the last finished one.` };
  }),
  instructions: "You are a helpful assistant. Search docs when needed.",
  tools: [searchDocs],
});

/** Hosted on the worker: POST /v1/agents/assistant/runs runs it durably (each model call and tool run journaled). */
registerAgent(assistant);

/** The seed's process_question workflow: the agent's answer is one checkpointed step. */
export const processQuestion = workflow("process_question", async (ctx, question: string) => {
  const answer = await ctx.step("get_answer", async () => (await assistant.run(question)).output ?? "");
  await ctx.step("store", async () => ({ stored: true, question }));
  return { question, answer };
});

// --- A support coordinator with handoffs --------------------------------------------------------

const lookupInvoice = tool(
  {
    name: "lookup_invoice",
    description: "Find the customer's latest invoice and its charges",
    input: z.object({ customer: z.string() }),
  },
  async ({ customer }) => ({ customer, invoice: "INV-1042", charges: [49, 49], duplicate: true }),
);

const billing = new Agent({
  name: "billing_specialist",
  model: await exampleModel("billing_specialist", (messages) => {
    const invoice = lastToolResult(messages);
    if (invoice === undefined) {
      return { toolCalls: [{ toolCallId: "inv-1", toolName: "lookup_invoice", input: { customer: "acme" } }] };
    }
    return { text: `Invoice INV-1042 shows the same 49.00 charge twice; I have refunded the duplicate.` };
  }),
  instructions: "Handle billing, payments, and refunds.",
  tools: [lookupInvoice],
});

const technical = new Agent({
  name: "technical_specialist",
  model: await exampleModel("technical_specialist", () => ({
    text: "Restart the worker: runs resume from their journal. If the error persists, send us the run id.",
  })),
  instructions: "Solve technical problems with the product.",
});

/** Routes each request to a specialist, who takes the conversation over (the seed's "Agent Handoff"). */
export const support = new Agent({
  name: "support",
  model: await exampleModel("support", (messages) => {
    const billingWords = /refund|charge|invoice|bill|payment/i.test(userText(messages));
    const target = billingWords ? "billing_specialist" : "technical_specialist";
    return { toolCalls: [{ toolCallId: "handoff-1", toolName: target, input: { reason: userText(messages) } }] };
  }),
  instructions: "Route each customer request to the right specialist.",
  handoffs: [billing, technical],
});
registerAgent(support);

// --- A deploy agent with a confirmation tool (the seed's "Human-in-the-Loop Agent") -------------

const deployToProduction = tool(
  {
    name: "deploy_to_production",
    description: "Deploy a version of a service to production",
    input: z.object({ service: z.string(), version: z.string() }),
    confirmation: true,
    approverRoles: ["devops"],
  },
  // The idempotency key is stable across retries and restarts: a deploy API can deduplicate on it.
  async ({ service, version }, ctx) => ({ status: "deployed", service, version, key: ctx.idempotencyKey }),
);

export const deployer = new Agent({
  name: "deployer",
  model: await exampleModel("deployer", (messages) => {
    const outcome = lastToolResult(messages);
    if (outcome === undefined) {
      const [, service = "api", version = "1.0.0"] = /deploy (\S+) (\S+)/i.exec(userText(messages)) ?? [];
      return { toolCalls: [{ toolCallId: "deploy-1", toolName: "deploy_to_production", input: { service, version } }] };
    }
    return { text: `Deployment result: ${outcome}` };
  }),
  instructions: "Deploy what you are asked to. Deployments need a human's approval.",
  tools: [deployToProduction],
});
registerAgent(deployer);
