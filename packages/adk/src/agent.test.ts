import type { ToolMessage } from "@agnt5/llm";
import { ScriptedModel } from "@agnt5/llm/test";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Agent, type AgentEvent, AgentTool, tool } from "./index.js";

const weather = (calls: string[] = []) =>
  tool(
    { name: "weather", description: "Current weather of a city", input: z.object({ city: z.string() }) },
    ({ city }) => {
      calls.push(city);
      return { city, sky: "sunny", celsius: 21 };
    },
  );

/** The tool results the model was sent in call `number` (1-based). */
function toolResultsSent(model: ScriptedModel, number: number) {
  const last = model.calls[number - 1]?.request.messages.at(-1) as ToolMessage | undefined;
  expect(last?.role).toBe("tool");
  return last?.content ?? [];
}

describe("Agent.run", () => {
  it("answers directly when the model calls no tool", async () => {
    const model = new ScriptedModel([
      { text: "Recursion is a function calling itself.", usage: { inputTokens: 9, outputTokens: 7 } },
    ]);
    const agent = new Agent({ name: "assistant", model, instructions: "You are a helpful coding assistant." });
    const result = await agent.run("Explain recursion");
    expect(result).toMatchObject({
      status: "completed",
      output: "Recursion is a function calling itself.",
      agent: "assistant",
      iterations: 1,
      toolCalls: [],
      usage: { inputTokens: 9, outputTokens: 7, totalTokens: 16 },
    });
    expect(model.calls[0]?.request.messages).toEqual([
      { role: "system", content: "You are a helpful coding assistant." },
      { role: "user", content: "Explain recursion" },
    ]);
    model.assertAllCallsUsed();
  });

  it("runs the tools the model calls and sends their results back until it answers", async () => {
    const cities: string[] = [];
    const model = new ScriptedModel([
      {
        toolCalls: [
          { toolName: "weather", input: { city: "Paris" } },
          { toolName: "weather", input: { city: "Oslo" } },
        ],
      },
      { text: "Sunny in both." },
    ]);
    const agent = new Agent({ name: "forecaster", model, tools: [weather(cities)] });
    const result = await agent.run("Weather in Paris and Oslo?");
    expect(result.status).toBe("completed");
    expect(result.output).toBe("Sunny in both.");
    expect(cities).toEqual(["Paris", "Oslo"]);
    expect(result.toolCalls).toEqual([
      {
        id: "call_1_1",
        name: "weather",
        arguments: { city: "Paris" },
        result: { city: "Paris", sky: "sunny", celsius: 21 },
        agent: "forecaster",
      },
      {
        id: "call_1_2",
        name: "weather",
        arguments: { city: "Oslo" },
        result: { city: "Oslo", sky: "sunny", celsius: 21 },
        agent: "forecaster",
      },
    ]);
    expect(model.calls[0]?.request.tools).toEqual([
      expect.objectContaining({ name: "weather", description: "Current weather of a city" }),
    ]);
    expect(toolResultsSent(model, 2)).toEqual([
      {
        type: "tool-result",
        toolCallId: "call_1_1",
        toolName: "weather",
        output: { city: "Paris", sky: "sunny", celsius: 21 },
      },
      {
        type: "tool-result",
        toolCallId: "call_1_2",
        toolName: "weather",
        output: { city: "Oslo", sky: "sunny", celsius: 21 },
      },
    ]);
    expect(result.messages.map((message) => message.role)).toEqual(["user", "assistant", "tool", "assistant"]);
    expect(result.iterations).toBe(2);
  });

  it("gives the model a throwing tool's error as a result it can react to; the run goes on", async () => {
    const stock = tool(
      { name: "fetch_stock_price", description: "Current stock price", input: z.object({ symbol: z.string() }) },
      ({ symbol }) => {
        throw new Error(`Invalid stock symbol: ${symbol}`);
      },
    );
    const model = new ScriptedModel([
      { toolCalls: [{ toolName: "fetch_stock_price", input: { symbol: "XXXX" } }] },
      { text: "That symbol does not exist." },
    ]);
    const result = await new Agent({ name: "stock_advisor", model, tools: [stock] }).run("Price of XXXX?");
    expect(result.status).toBe("completed");
    expect(toolResultsSent(model, 2)).toEqual([
      {
        type: "tool-result",
        toolCallId: "call_1_1",
        toolName: "fetch_stock_price",
        output: 'Tool "fetch_stock_price" failed: Invalid stock symbol: XXXX',
        isError: true,
      },
    ]);
    expect(result.toolCalls[0]).toMatchObject({ error: 'Tool "fetch_stock_price" failed: Invalid stock symbol: XXXX' });
  });

  it("retries a throwing tool per its retry policy before telling the model", async () => {
    let attempts = 0;
    const flaky = tool(
      {
        name: "flaky",
        description: "Fails twice",
        input: z.object({}),
        retry: { maxAttempts: 3, initialIntervalMs: 1 },
      },
      (_input, ctx) => {
        attempts++;
        if (ctx.attempt < 3) throw new Error("try again");
        return "ok";
      },
    );
    const model = new ScriptedModel([{ toolCalls: [{ toolName: "flaky", input: {} }] }, { text: "done" }]);
    await new Agent({ name: "a", model, tools: [flaky] }).run("go");
    expect(attempts).toBe(3);
    expect(toolResultsSent(model, 2)).toEqual([
      { type: "tool-result", toolCallId: "call_1_1", toolName: "flaky", output: "ok" },
    ]);
  });

  it("answers invalid arguments with an error naming the field, then runs the corrected call", async () => {
    const cities: string[] = [];
    const model = new ScriptedModel([
      { toolCalls: [{ toolName: "weather", input: { town: "Paris" } }] },
      { toolCalls: [{ toolName: "weather", input: { city: "Paris" } }] },
      { text: "Sunny." },
    ]);
    const result = await new Agent({ name: "a", model, tools: [weather(cities)] }).run("Weather in Paris?");
    const [first] = toolResultsSent(model, 2);
    expect(first).toMatchObject({
      isError: true,
      output: expect.stringMatching(/^Invalid arguments for tool "weather": city: /),
    });
    expect(cities).toEqual(["Paris"]);
    expect(result).toMatchObject({ status: "completed", output: "Sunny.", iterations: 3 });
  });

  it("tells the model about a tool it does not have", async () => {
    const model = new ScriptedModel([{ toolCalls: [{ toolName: "teleport", input: {} }] }, { text: "I cannot." }]);
    await new Agent({ name: "a", model, tools: [weather()] }).run("Go to Mars");
    expect(toolResultsSent(model, 2)[0]).toMatchObject({
      isError: true,
      output: 'Unknown tool "teleport". Available tools: weather.',
    });
  });

  it("stops after maxIterations model calls with status max_iterations", async () => {
    const model = new ScriptedModel(
      Array.from({ length: 3 }, () => ({ toolCalls: [{ toolName: "weather", input: { city: "Paris" } }] })),
    );
    const result = await new Agent({ name: "looper", model, tools: [weather()], maxIterations: 3 }).run("Loop");
    expect(result.status).toBe("max_iterations");
    expect(result.output).toBeUndefined();
    expect(result.iterations).toBe(3);
    expect(result.toolCalls).toHaveLength(3);
    model.assertAllCallsUsed();
  });

  it("parses the answer with outputSchema (typed), asking again when it does not fit", async () => {
    const model = new ScriptedModel([{ text: '{"area": "fifteen"}' }, { object: { area: 15, unit: "m2" } }]);
    const agent = new Agent({
      name: "geometry",
      model,
      outputSchema: z.object({ area: z.number(), unit: z.string() }),
    });
    const result = await agent.run("Area of a 5m by 3m room?");
    expect(result.status).toBe("completed");
    if (result.status !== "completed") return;
    const area: number = result.output.area;
    expect(area).toBe(15);
    expect(model.calls[0]?.request.responseFormat).toMatchObject({
      type: "json",
      schema: expect.objectContaining({ type: "object" }),
    });
    expect(model.calls[1]?.request.messages.at(-1)).toMatchObject({
      role: "user",
      content: expect.stringContaining("does not match the required output schema"),
    });
  });

  it("ends with status failed, carrying the code, when the model call fails for good", async () => {
    const { LlmApiError } = await import("@agnt5/llm");
    const model = new ScriptedModel([
      { error: new LlmApiError({ message: "invalid api key", provider: "openai", statusCode: 401 }) },
    ]);
    const result = await new Agent({ name: "a", model }).run("Hi");
    expect(result).toMatchObject({
      status: "failed",
      error: { code: "LLM_AUTHENTICATION_ERROR", message: "invalid api key" },
    });
  });

  it("hands the conversation over to a specialist whose answer is the run's answer", async () => {
    const refunds: string[] = [];
    const refund = tool(
      { name: "refund", description: "Refund a charge", input: z.object({ chargeId: z.string() }) },
      ({ chargeId }) => {
        refunds.push(chargeId);
        return { refunded: chargeId };
      },
    );
    const specialistModel = new ScriptedModel([
      { toolCalls: [{ toolName: "refund", input: { chargeId: "ch_2" } }] },
      { text: "I refunded the duplicate charge ch_2." },
    ]);
    const billing = new Agent({
      name: "billing_specialist",
      model: specialistModel,
      tools: [refund],
      instructions: "Handle billing, payments, and refunds.",
    });
    const coordinatorModel = new ScriptedModel([
      {
        text: "This is a billing question.",
        toolCalls: [{ toolName: "billing_specialist", input: { reason: "double charge" } }],
      },
    ]);
    const coordinator = new Agent({
      name: "coordinator",
      model: coordinatorModel,
      tools: [new AgentTool({ targetAgent: billing })],
      instructions: "Classify requests and hand off to the appropriate specialist.",
    });
    const result = await coordinator.run("I was charged twice for my subscription");
    expect(result).toMatchObject({
      status: "completed",
      agent: "billing_specialist",
      output: "I refunded the duplicate charge ch_2.",
      iterations: 3,
    });
    expect(refunds).toEqual(["ch_2"]);
    expect(coordinatorModel.calls[0]?.request.tools?.[0]).toMatchObject({
      name: "billing_specialist",
      description: "Hand the conversation over to billing_specialist: Handle billing, payments, and refunds.",
    });
    // The specialist sees the conversation's text, not the coordinator's tool traffic.
    expect(specialistModel.calls[0]?.request.messages).toEqual([
      { role: "system", content: "Handle billing, payments, and refunds." },
      { role: "user", content: "I was charged twice for my subscription" },
      { role: "assistant", content: "This is a billing question." },
    ]);
    expect(result.toolCalls.map((call) => [call.agent, call.name])).toEqual([
      ["coordinator", "billing_specialist"],
      ["billing_specialist", "refund"],
    ]);
  });

  it("uses an agent as a plain tool that returns its answer to the caller", async () => {
    const researcher = new Agent({
      name: "researcher",
      model: new ScriptedModel([{ text: "Transformers use attention." }]),
    });
    const writerModel = new ScriptedModel([
      { toolCalls: [{ toolName: "researcher", input: { input: "What do transformers use?" } }] },
      { text: "Summary: attention." },
    ]);
    const writer = new Agent({ name: "writer", model: writerModel, tools: [researcher.asTool()] });
    const result = await writer.run("Write a summary about transformers");
    expect(result).toMatchObject({ status: "completed", agent: "writer", output: "Summary: attention." });
    expect(toolResultsSent(writerModel, 2)).toEqual([
      { type: "tool-result", toolCallId: "call_1_1", toolName: "researcher", output: "Transformers use attention." },
    ]);
  });

  it("stops with awaiting_approval outside a durable context, before running a confirmation tool", async () => {
    let deployed = 0;
    const deploy = tool(
      {
        name: "deploy_to_production",
        description: "Deploy to production",
        input: z.object({ version: z.string() }),
        confirmation: true,
      },
      () => {
        deployed++;
        return { status: "deployed" };
      },
    );
    const model = new ScriptedModel([{ toolCalls: [{ toolName: "deploy_to_production", input: { version: "2.0" } }] }]);
    const result = await new Agent({ name: "deployer", model, tools: [deploy] }).run("Deploy version 2.0");
    expect(result.status).toBe("awaiting_approval");
    if (result.status !== "awaiting_approval") return;
    expect(result.pendingApprovals).toEqual([
      {
        name: "agent:deployer:tool:deploy_to_production:0",
        toolCallId: "call_1_1",
        toolName: "deploy_to_production",
        arguments: { version: "2.0" },
        agent: "deployer",
      },
    ]);
    expect(deployed).toBe(0);
  });

  it("refuses definitions that cannot work, naming the agent", () => {
    const model = new ScriptedModel([]);
    expect(() => new Agent({ name: "a", model, maxIterations: 0 })).toThrow(
      /Agent "a": maxIterations must be a positive integer/,
    );
    expect(() => new Agent({ name: "a", model, tools: [weather(), weather()] })).toThrow(/two tools named "weather"/);
    expect(() => new Agent({ name: "", model })).toThrow(/needs a name/);
  });
});

describe("Agent.stream", () => {
  it("yields thinking, tool_call, tool_result, response deltas and done, in order", async () => {
    const model = new ScriptedModel([
      { text: "Let me check.", toolCalls: [{ toolName: "weather", input: { city: "Paris" } }] },
      {
        parts: [
          { type: "text-delta", delta: "Sunny " },
          { type: "text-delta", delta: "in Paris." },
          {
            type: "finish",
            finishReason: "stop",
            usage: { inputTokens: 1, outputTokens: 2, cachedInputTokens: 0, totalTokens: 3 },
          },
        ],
      },
    ]);
    const agent = new Agent({ name: "forecaster", model, tools: [weather()] });
    const events: AgentEvent[] = [];
    for await (const event of agent.stream("Weather in Paris?")) events.push(event);
    expect(events.map((event) => (event.type === "response" ? `response:${event.content}` : event.type))).toEqual([
      "response:Let me check.",
      "thinking",
      "tool_call",
      "tool_result",
      "response:Sunny ",
      "response:in Paris.",
      "done",
    ]);
    expect(events[2]).toEqual({
      type: "tool_call",
      agent: "forecaster",
      toolCallId: "call_1_1",
      toolName: "weather",
      arguments: { city: "Paris" },
    });
    const done = events.at(-1);
    expect(done?.type === "done" && done.result).toMatchObject({ status: "completed", output: "Sunny in Paris." });
    expect(model.calls.map((call) => call.method)).toEqual(["stream", "stream"]);
  });

  it("yields handoff and approval_requested events", async () => {
    const deploy = tool(
      { name: "deploy", description: "Deploy", input: z.object({ version: z.string() }), confirmation: true },
      () => "deployed",
    );
    const deployer = new Agent({
      name: "deployer",
      model: new ScriptedModel([{ toolCalls: [{ toolName: "deploy", input: { version: "2.0" } }] }]),
      tools: [deploy],
    });
    const front = new Agent({
      name: "front",
      model: new ScriptedModel([{ toolCalls: [{ toolName: "deployer", input: {} }] }]),
      handoffs: [deployer],
    });
    const types: string[] = [];
    for await (const event of front.stream("Ship 2.0")) types.push(event.type);
    expect(types).toEqual(["tool_call", "handoff", "tool_result", "tool_call", "approval_requested", "done"]);
  });

  it("ends the iteration with the error when the run is aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stopped by the user"));
    const agent = new Agent({ name: "a", model: new ScriptedModel([{ text: "never" }]) });
    const iterate = async () => {
      for await (const _event of agent.stream("Hi", { abortSignal: controller.signal })) {
        // nothing arrives
      }
    };
    await expect(iterate()).rejects.toThrow("stopped by the user");
  });
});

describe("Agent.plan", () => {
  it("returns the model's steps with the agent's tools, without running any tool", async () => {
    const cities: string[] = [];
    const model = new ScriptedModel([
      {
        object: {
          steps: [
            { type: "tool", description: "Look up the weather", tool: "weather" },
            { type: "response", description: "Summarize" },
          ],
        },
      },
    ]);
    const agent = new Agent({ name: "forecaster", model, tools: [weather(cities)] });
    const plan = await agent.plan("Weather in Paris?");
    expect(plan).toEqual({
      agent: "forecaster",
      steps: [
        {
          type: "tool",
          description: "Look up the weather",
          tool: { name: "weather", description: "Current weather of a city" },
        },
        { type: "response", description: "Summarize" },
      ],
    });
    expect(cities).toEqual([]);
    expect(model.calls[0]?.request.tools).toBeUndefined();
    expect(model.calls[0]?.request.messages.at(-1)?.content).toContain("- weather: Current weather of a city");
  });
});
