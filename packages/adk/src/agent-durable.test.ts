import { createLocalDurableContext, type DurableContext } from "@agnt5/core";
import type { JournalEntry } from "@agnt5/durable";
import type { CallOptions } from "@agnt5/llm";
import { type ScriptedCall, ScriptedModel, type ScriptedResponse } from "@agnt5/llm/test";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Agent, type AgentResult, tool } from "./index.js";
import { runDurable } from "./test-support/durable-run.js";

/** Side effects counted outside the agent: how often each tool ran, by idempotency key. */
class Effects {
  readonly runs: Array<{ tool: string; key: string; input: unknown }> = [];
  count(tool: string): number {
    return this.runs.filter((run) => run.tool === tool).length;
  }
}

function shopAgent(model: ScriptedModel, effects: Effects) {
  const record =
    (name: string) =>
    (input: unknown, ctx: { idempotencyKey: string }): unknown => {
      effects.runs.push({ tool: name, key: ctx.idempotencyKey, input });
      return { tool: name, input, ok: true };
    };
  const lookup = tool(
    { name: "lookup", description: "Stock of a SKU", input: z.object({ sku: z.string() }) },
    record("lookup"),
  );
  const reserve = tool(
    { name: "reserve", description: "Reserve a SKU", input: z.object({ sku: z.string(), qty: z.number() }) },
    record("reserve"),
  );
  const charge = tool(
    { name: "charge", description: "Charge the customer", input: z.object({ cents: z.number() }) },
    record("charge"),
  );
  return new Agent({ name: "shop", model, tools: [lookup, reserve, charge], instructions: "Sell things." });
}

/** Ten model calls: nine with tool calls (ten calls, two of them in one turn), then the answer. */
const SCRIPT: ScriptedResponse[] = [
  {
    toolCalls: [{ toolCallId: "t1", toolName: "lookup", input: { sku: "A1" } }],
    usage: { inputTokens: 10, outputTokens: 2 },
  },
  {
    toolCalls: [
      { toolCallId: "t2", toolName: "lookup", input: { sku: "B2" } },
      { toolCallId: "t3", toolName: "reserve", input: { sku: "A1", qty: 1 } },
    ],
  },
  { toolCalls: [{ toolCallId: "t4", toolName: "reserve", input: { sku: "B2", qty: 2 } }] },
  { text: "Checking the total.", toolCalls: [{ toolCallId: "t5", toolName: "lookup", input: { sku: "C3" } }] },
  { toolCalls: [{ toolCallId: "t6", toolName: "charge", input: { cents: 1999 } }] },
  { toolCalls: [{ toolCallId: "t7", toolName: "lookup", input: { sku: "D4" } }] },
  { toolCalls: [{ toolCallId: "t8", toolName: "reserve", input: { sku: "D4", qty: 1 } }] },
  { toolCalls: [{ toolCallId: "t9", toolName: "charge", input: { cents: 500 } }] },
  { toolCalls: [{ toolCallId: "t10", toolName: "lookup", input: { sku: "E5" } }] },
  { text: "Ordered A1, B2 and D4.", usage: { inputTokens: 30, outputTokens: 8 } },
];

const handler = (agent: Agent) => async (ctx: DurableContext) => {
  const result = await agent.run("Buy A1 and two B2", { ctx });
  return {
    status: result.status,
    output: result.output,
    iterations: result.iterations,
    tokens: result.usage.totalTokens,
  };
};

/** What a model call carries that the agent decides (the abort signal aside). */
const sent = (request: CallOptions) => ({ messages: request.messages, tools: request.tools });

describe("durable agent runs", () => {
  it("journals every model call and every tool run as its own entry, named stably", async () => {
    const model = new ScriptedModel(SCRIPT);
    const effects = new Effects();
    const run = runDurable([], handler(shopAgent(model, effects)));
    await expect(run.outcome).resolves.toEqual({
      type: "completed",
      value: { status: "completed", output: "Ordered A1, B2 and D4.", iterations: 10, tokens: 50 },
    });
    const names = run.proposals().map((entry) => entry.name);
    expect(names.slice(0, 6)).toEqual([
      "agent:shop:llm:0",
      "agent:shop:tool:lookup:0",
      "agent:shop:llm:1",
      "agent:shop:tool:lookup:1",
      "agent:shop:tool:reserve:2",
      "agent:shop:llm:2",
    ]);
    expect(names).toHaveLength(20);
    expect(run.proposals().every((entry) => entry.kind === "step")).toBe(true);
    // The idempotency key: the invocation and the entry's name, one per call.
    expect(effects.runs.map((effect) => effect.key).slice(0, 2)).toEqual([
      "inv-1:agent:shop:tool:lookup:0",
      "inv-1:agent:shop:tool:lookup:1",
    ]);
    expect(new Set(effects.runs.map((effect) => effect.key)).size).toBe(10);
    model.assertAllCallsUsed();
  });

  it("resumes from a journal cut after every entry k: no recorded model call sent again, no recorded tool run again", async () => {
    const baselineModel = new ScriptedModel(SCRIPT);
    const baselineEffects = new Effects();
    const baseline = runDurable([], handler(shopAgent(baselineModel, baselineEffects)));
    const expected = await baseline.outcome;
    const journal = baseline.proposals();
    const modelCallOf = (entry: JournalEntry) => /:llm:(\d+)$/.exec(entry.name)?.[1];

    for (let k = 0; k <= journal.length; k++) {
      const recorded = journal.slice(0, k);
      const modelCallsRecorded = recorded.filter(modelCallOf).length;
      const model = new ScriptedModel(SCRIPT.slice(modelCallsRecorded));
      const effects = new Effects();
      const resumed = runDurable(recorded, handler(shopAgent(model, effects)));
      await expect(resumed.outcome, `cut after entry ${k}`).resolves.toEqual(expected);
      // Together, the crashed run's recorded calls and the resumed run's are exactly one uninterrupted run's.
      expect(
        model.calls.map((call) => sent(call.request)),
        `model calls after a cut at ${k}`,
      ).toEqual(baselineModel.calls.slice(modelCallsRecorded).map((call) => sent(call.request)));
      model.assertAllCallsUsed();
      const toolEntriesLeft = journal.slice(k).filter((entry) => entry.name.includes(":tool:"));
      expect(
        effects.runs.map((effect) => effect.key),
        `tool runs after a cut at ${k}`,
      ).toEqual(toolEntriesLeft.map((entry) => `inv-1:${entry.name}`));
      expect(resumed.journal()).toEqual(journal);
    }
  });

  it("runs the seed's Quick example: agent.run inside ctx.step records the whole answer once", async () => {
    const effects = new Effects();
    const saved: string[] = [];
    const workflow = (agent: Agent) => async (ctx: DurableContext) => {
      const answer = (await ctx.step("get_answer", () => agent.run("Buy A1"))) as AgentResult;
      await ctx.step("store", () => {
        saved.push(answer.text);
        return null;
      });
      return { question: "Buy A1", answer: answer.output };
    };
    const model = new ScriptedModel(SCRIPT.slice(-2));
    const first = runDurable([], workflow(shopAgent(model, effects)));
    await expect(first.outcome).resolves.toEqual({
      type: "completed",
      value: { question: "Buy A1", answer: "Ordered A1, B2 and D4." },
    });
    expect(first.proposals().map((entry) => entry.name)).toEqual(["get_answer", "store"]);

    // A crash after step 1 resumes at step 2: the agent does not run again.
    const replayModel = new ScriptedModel([]);
    const resumed = runDurable(first.proposals().slice(0, 1), workflow(shopAgent(replayModel, effects)));
    await expect(resumed.outcome).resolves.toMatchObject({ type: "completed" });
    expect(replayModel.calls).toHaveLength(0);
    expect(effects.count("lookup")).toBe(1);
    expect(saved).toEqual(["Ordered A1, B2 and D4.", "Ordered A1, B2 and D4."]);
  });

  it("runs un-journaled when given the ctx inside a ctx.step function (durable operations cannot nest)", async () => {
    const model = new ScriptedModel(SCRIPT.slice(-2));
    const run = runDurable([], async (ctx) => {
      const result = await ctx.step(
        "ask",
        async () => (await shopAgent(model, new Effects()).run("Buy", { ctx })).output,
      );
      return result;
    });
    await expect(run.outcome).resolves.toEqual({ type: "completed", value: "Ordered A1, B2 and D4." });
    expect(run.proposals().map((entry) => entry.name)).toEqual(["ask"]);
  });

  it("journals two runs of one agent in one handler under distinct names", async () => {
    const model = new ScriptedModel([{ text: "one" }, { text: "two" }]);
    const agent = new Agent({ name: "echo", model });
    const run = runDurable([], async (ctx) => [
      (await agent.run("1", { ctx })).output,
      (await agent.run("2", { ctx })).output,
    ]);
    await expect(run.outcome).resolves.toEqual({ type: "completed", value: ["one", "two"] });
    expect(run.proposals().map((entry) => entry.name)).toEqual(["agent:echo:llm:0", "agent:echo#1:llm:0"]);
  });

  it("gives a tool the same idempotency key on every attempt", async () => {
    const keys: string[] = [];
    const pay = tool(
      { name: "pay", description: "Pay", input: z.object({}), retry: { maxAttempts: 3, initialIntervalMs: 1 } },
      (_input, ctx) => {
        keys.push(ctx.idempotencyKey);
        if (ctx.attempt < 3) throw new Error("gateway timeout");
        return "paid";
      },
    );
    const model = new ScriptedModel([
      { toolCalls: [{ toolCallId: "p", toolName: "pay", input: {} }] },
      { text: "Paid." },
    ]);
    const run = runDurable(
      [],
      async (ctx) => (await new Agent({ name: "payer", model, tools: [pay] }).run("Pay", { ctx })).output,
    );
    await expect(run.outcome).resolves.toEqual({ type: "completed", value: "Paid." });
    expect(keys).toEqual([
      "inv-1:agent:payer:tool:pay:0",
      "inv-1:agent:payer:tool:pay:0",
      "inv-1:agent:payer:tool:pay:0",
    ]);
  });

  it("journals a tool's final failure, and replays it as the same error result", async () => {
    let runs = 0;
    const broken = tool({ name: "broken", description: "Always fails", input: z.object({}) }, () => {
      runs++;
      throw new Error("disk full");
    });
    const script: ScriptedResponse[] = [
      { toolCalls: [{ toolCallId: "b", toolName: "broken", input: {} }] },
      { text: "Sorry." },
    ];
    const flow = (model: ScriptedModel) => async (ctx: DurableContext) =>
      (await new Agent({ name: "a", model, tools: [broken] }).run("Go", { ctx })).toolCalls;
    const first = runDurable([], flow(new ScriptedModel(script)));
    const outcome = await first.outcome;
    expect(outcome).toEqual({
      type: "completed",
      value: [{ id: "b", name: "broken", arguments: {}, error: 'Tool "broken" failed: disk full', agent: "a" }],
    });
    expect(first.proposals()[1]).toMatchObject({
      name: "agent:a:tool:broken:0",
      result: { ok: false, failure: { message: "disk full" } },
    });
    const replay = runDurable(first.proposals().slice(0, 2), flow(new ScriptedModel(script.slice(1))));
    await expect(replay.outcome).resolves.toEqual(outcome);
    expect(runs).toBe(1);
  });

  it("runs with a local durable context (a handler called directly): entries run at once", async () => {
    const model = new ScriptedModel(SCRIPT.slice(-2));
    const effects = new Effects();
    const result = await shopAgent(model, effects).run("Buy", { ctx: createLocalDurableContext() });
    expect(result).toMatchObject({ status: "completed", output: "Ordered A1, B2 and D4." });
    expect(effects.count("lookup")).toBe(1);
  });
});

describe("confirmation tools inside a durable context", () => {
  const deployScript: ScriptedCall[] = [
    { response: { toolCalls: [{ toolCallId: "tests", toolName: "run_tests", input: {} }] } },
    {
      response: { toolCalls: [{ toolCallId: "deploy", toolName: "deploy_to_production", input: { version: "2.0" } }] },
    },
  ];

  function deployer(model: ScriptedModel, deployed: string[]) {
    const runTests = tool({ name: "run_tests", description: "Run all tests", input: z.object({}) }, () => ({
      passed: 42,
    }));
    const deploy = tool(
      {
        name: "deploy_to_production",
        description: "Deploy application to production",
        input: z.object({ version: z.string() }),
        confirmation: true,
        approverRoles: ["devops"],
      },
      ({ version }) => {
        deployed.push(version);
        return { status: "deployed", version };
      },
    );
    return new Agent({
      name: "deployer",
      model,
      tools: [runTests, deploy],
      instructions: "Run all tests before deploying. Always request human approval for production deployments.",
    });
  }

  const flow = (agent: Agent) => async (ctx: DurableContext) => {
    const result = await agent.run("Deploy version 2.0 to production", { ctx });
    return { status: result.status, output: result.output, toolCalls: result.toolCalls };
  };

  /** Runs until the approval suspends the run; returns the journal the coordinator holds. */
  async function suspendOnApproval() {
    const deployed: string[] = [];
    const model = new ScriptedModel(deployScript);
    const first = runDurable([], flow(deployer(model, deployed)));
    await expect(first.outcome).resolves.toMatchObject({ type: "suspended" });
    const journal = first.journal();
    expect(journal.map((entry) => [entry.kind, entry.name])).toEqual([
      ["step", "agent:deployer:llm:0"],
      ["step", "agent:deployer:tool:run_tests:0"],
      ["step", "agent:deployer:llm:1"],
      ["signal_wait", "approval:agent:deployer:tool:deploy_to_production:1"],
    ]);
    expect(journal[3]?.request).toEqual({
      approval: {
        payload: {
          agent: "deployer",
          tool: "deploy_to_production",
          toolCallId: "deploy",
          arguments: { version: "2.0" },
        },
        requiredRoles: ["devops"],
      },
    });
    expect(deployed).toEqual([]);
    return journal;
  }

  /** The coordinator delivers `decision` and re-dispatches the run with its journal. */
  async function resume(journal: JournalEntry[], decision: object, next: ScriptedCall) {
    const deployed: string[] = [];
    const model = new ScriptedModel([next]);
    const decided = journal.map((entry) =>
      entry.kind === "signal_wait" ? { ...entry, result: { ok: true as const, value: { payload: decision } } } : entry,
    );
    const run = runDurable(decided, flow(deployer(model, deployed)));
    const outcome = await run.outcome;
    model.assertAllCallsUsed();
    return { outcome, deployed, journal: run.journal(), model };
  }

  it("suspends on the approval, then an approval runs the tool once", async () => {
    const journal = await suspendOnApproval();
    const decision = { decision: "approved", approved: true, by: "ann", roles: ["devops"] };
    const {
      outcome,
      deployed,
      journal: full,
    } = await resume(journal, decision, {
      response: { text: "Deployed 2.0." },
      expect: (request) => {
        expect(request.messages.at(-1)).toEqual({
          role: "tool",
          content: [
            {
              type: "tool-result",
              toolCallId: "deploy",
              toolName: "deploy_to_production",
              output: { status: "deployed", version: "2.0" },
            },
          ],
        });
      },
    });
    expect(deployed).toEqual(["2.0"]);
    expect(outcome).toMatchObject({ type: "completed", value: { status: "completed", output: "Deployed 2.0." } });
    expect((outcome as { value: { toolCalls: unknown[] } }).value.toolCalls[1]).toMatchObject({
      name: "deploy_to_production",
      approval: { decision: "approved", by: "ann", roles: ["devops"] },
      result: { status: "deployed", version: "2.0" },
    });

    // Replaying the finished journal neither deploys again nor calls the model.
    const again: string[] = [];
    const unscripted = new ScriptedModel([]);
    const replay = runDurable(full, flow(deployer(unscripted, again)));
    await expect(replay.outcome).resolves.toEqual(outcome);
    expect(again).toEqual([]);
    expect(unscripted.calls).toHaveLength(0);
  });

  it("a rejection reaches the model, which goes on; the tool never runs", async () => {
    const journal = await suspendOnApproval();
    const decision = {
      decision: "rejected",
      approved: false,
      by: "bob",
      comment: "not on a Friday",
      roles: ["devops"],
    };
    const { outcome, deployed } = await resume(journal, decision, {
      response: { text: "Deployment was rejected: not on a Friday." },
      expect: (request) => {
        expect(request.messages.at(-1)).toEqual({
          role: "tool",
          content: [
            {
              type: "tool-result",
              toolCallId: "deploy",
              toolName: "deploy_to_production",
              output:
                "The call was rejected by bob: not on a Friday. Do not retry it; tell the user or find another way.",
              isError: true,
            },
          ],
        });
      },
    });
    expect(deployed).toEqual([]);
    expect(outcome).toMatchObject({ type: "completed", value: { status: "completed" } });
  });

  it("an approval with edited arguments runs the tool with them; the journal keeps both", async () => {
    const journal = await suspendOnApproval();
    const decision = {
      decision: "approved",
      approved: true,
      by: "ann",
      roles: ["devops"],
      edits: { version: "2.0.1" },
    };
    const {
      outcome,
      deployed,
      journal: full,
    } = await resume(journal, decision, { response: { text: "Deployed 2.0.1." } });
    expect(deployed).toEqual(["2.0.1"]);
    expect((outcome as { value: { toolCalls: unknown[] } }).value.toolCalls[1]).toMatchObject({
      arguments: { version: "2.0" },
      editedArguments: { version: "2.0.1" },
      result: { status: "deployed", version: "2.0.1" },
    });
    // The model's request (in the model call entry) and the approver's edits (in the approval entry).
    expect(full[2]?.result).toMatchObject({ ok: true, value: { toolCalls: [{ input: { version: "2.0" } }] } });
    expect(full[3]?.result).toMatchObject({ ok: true, value: { payload: { edits: { version: "2.0.1" }, by: "ann" } } });
  });

  it("edited arguments that do not fit the schema are an error result, and the tool does not run", async () => {
    const journal = await suspendOnApproval();
    const decision = { decision: "approved", by: "ann", edits: { version: 2 } };
    const { deployed, outcome } = await resume(journal, decision, {
      response: { text: "The edit was invalid." },
      expect: (request) => {
        expect(JSON.stringify(request.messages.at(-1))).toContain("The approver's edited arguments are invalid");
      },
    });
    expect(deployed).toEqual([]);
    expect(outcome).toMatchObject({ type: "completed" });
  });

  it("with a local durable context (no coordinator), stops with awaiting_approval", async () => {
    const deployed: string[] = [];
    const result = await deployer(new ScriptedModel(deployScript), deployed).run("Deploy 2.0", {
      ctx: createLocalDurableContext(),
    });
    expect(result.status).toBe("awaiting_approval");
    expect(deployed).toEqual([]);
  });
});

describe("durable handoffs, streams and sessions", () => {
  it("journals a specialist's calls under its own name, and resumes at every cut without repeating any", async () => {
    const script: ScriptedResponse[] = [
      { toolCalls: [{ toolCallId: "h", toolName: "billing", input: { reason: "double charge" } }] },
      { toolCalls: [{ toolCallId: "r", toolName: "refund", input: { chargeId: "ch_2" } }] },
      { text: "Refunded ch_2." },
    ];
    const build = (model: ScriptedModel, refunds: string[]) => {
      const refund = tool(
        { name: "refund", description: "Refund a charge", input: z.object({ chargeId: z.string() }) },
        ({ chargeId }) => {
          refunds.push(chargeId);
          return { refunded: chargeId };
        },
      );
      const billing = new Agent({ name: "billing", model, tools: [refund], instructions: "Handle billing." });
      const coordinator = new Agent({ name: "coordinator", model, handoffs: [billing] });
      return async (ctx: DurableContext) => {
        const result = await coordinator.run("I was charged twice", { ctx });
        return { agent: result.agent, output: result.output };
      };
    };
    const first = runDurable([], build(new ScriptedModel(script), []));
    const expected = await first.outcome;
    expect(expected).toEqual({ type: "completed", value: { agent: "billing", output: "Refunded ch_2." } });
    const journal = first.proposals();
    expect(journal.map((entry) => entry.name)).toEqual([
      "agent:coordinator:llm:0",
      "agent:billing:llm:0",
      "agent:billing:tool:refund:0",
      "agent:billing:llm:1",
    ]);
    for (let k = 0; k <= journal.length; k++) {
      const recorded = journal.slice(0, k);
      const model = new ScriptedModel(script.slice(recorded.filter((entry) => entry.name.includes(":llm:")).length));
      const refunds: string[] = [];
      const resumed = runDurable(recorded, build(model, refunds));
      await expect(resumed.outcome, `cut after entry ${k}`).resolves.toEqual(expected);
      model.assertAllCallsUsed();
      expect(refunds, `refunds after a cut at ${k}`).toEqual(k <= 2 ? ["ch_2"] : []);
    }
  });

  it("streams live on the first run, and replays recorded model calls as whole texts and recorded tool results", async () => {
    const script: ScriptedResponse[] = [
      {
        parts: [
          { type: "text-delta", delta: "Let me " },
          { type: "text-delta", delta: "look." },
          { type: "tool-call-end", toolCallId: "w", toolName: "weather", input: { city: "Oslo" } },
          {
            type: "finish",
            finishReason: "tool-calls",
            usage: { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0, totalTokens: 2 },
          },
        ],
      },
      { text: "Cold." },
    ];
    const runs: string[] = [];
    const weather = tool(
      { name: "weather", description: "Weather", input: z.object({ city: z.string() }) },
      ({ city }) => {
        runs.push(city);
        return { city, celsius: -3 };
      },
    );
    const streamed = (model: ScriptedModel, events: string[]) => async (ctx: DurableContext) => {
      const agent = new Agent({ name: "forecaster", model, tools: [weather] });
      for await (const event of agent.stream("Weather in Oslo?", { ctx })) {
        events.push(event.type === "response" ? `response:${event.content}` : event.type);
      }
      return events.length;
    };
    const live: string[] = [];
    const first = runDurable([], streamed(new ScriptedModel(script), live));
    await expect(first.outcome).resolves.toMatchObject({ type: "completed" });
    expect(live).toEqual([
      "response:Let me ",
      "response:look.",
      "thinking",
      "tool_call",
      "tool_result",
      "response:Cold.",
      "done",
    ]);

    const replayed: string[] = [];
    const replay = runDurable(first.proposals(), streamed(new ScriptedModel([]), replayed));
    await expect(replay.outcome).resolves.toMatchObject({ type: "completed" });
    expect(replayed).toEqual([
      "response:Let me look.",
      "thinking",
      "tool_call",
      "tool_result",
      "response:Cold.",
      "done",
    ]);
    expect(runs).toEqual(["Oslo"]);
  });

  it("journals a session's history and the save of the new turns", async () => {
    const loads: number[] = [];
    const saved: unknown[] = [];
    const session = {
      messages: () => {
        loads.push(1);
        return [
          { role: "user" as const, content: "My name is Ada." },
          { role: "assistant" as const, content: "Hello Ada." },
        ];
      },
      append: (messages: unknown[]) => {
        saved.push(...messages);
      },
    };
    const flow = (model: ScriptedModel) => async (ctx: DurableContext) =>
      (await new Agent({ name: "tutor", model, session }).run("What is my name?", { ctx })).output;
    const model = new ScriptedModel([
      {
        response: { text: "Ada." },
        expect: (request) => request.messages.length === 3 && request.messages[0]?.content === "My name is Ada.",
      },
    ]);
    const first = runDurable([], flow(model));
    await expect(first.outcome).resolves.toEqual({ type: "completed", value: "Ada." });
    expect(first.proposals().map((entry) => entry.name)).toEqual([
      "agent:tutor:session",
      "agent:tutor:llm:0",
      "agent:tutor:session:append",
    ]);
    expect(saved).toEqual([
      { role: "user", content: "What is my name?" },
      { role: "assistant", content: [{ type: "text", text: "Ada." }] },
    ]);
    const replay = runDurable(first.proposals(), flow(new ScriptedModel([])));
    await expect(replay.outcome).resolves.toEqual({ type: "completed", value: "Ada." });
    expect(loads).toHaveLength(1);
    expect(saved).toHaveLength(2);
  });
});
