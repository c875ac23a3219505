// The worker under benchmark: the smallest useful components, so the figures measure the platform.
import { ScriptedModel } from "@agnt5/llm/test";
import { Agent, entity, fn, registerAgent, Tool, Worker, workflow } from "@agnt5/sdk";

fn("echo", (input) => input);

/** Ten journaled steps: each is proposed, committed by the coordinator and acknowledged. */
workflow("ten_steps", async (ctx, input) => {
  let total = 0;
  for (let i = 0; i < 10; i++) total += await ctx.step(`step-${i}`, () => i);
  return { total, input };
});

/** Keyed state: writes are exclusive per key, reads shared. */
entity("Counter", {
  increment: entity.write(async (ctx) => {
    const value = (await ctx.get("value", 0)) + 1;
    ctx.set("value", value);
    return value;
  }),
  read: entity.shared(async (ctx) => ctx.get("value", 0)),
});

/**
 * Agents with a zero-latency model answering from the conversation (the number of assistant
 * messages so far picks the scripted answer), so the figures are the platform's: each model call
 * and each tool run is a journal entry proposed, committed and acknowledged.
 */
const echoTool = new Tool({
  name: "echo_tool",
  description: "Returns its input",
  inputSchema: { type: "object", properties: { n: { type: "number" } }, required: ["n"] },
  handler: ({ n }) => ({ n }),
});
const call = (n) => ({ toolCallId: `c${n}`, toolName: "echo_tool", input: { n } });
function scriptedAgent(name, script) {
  const answer = (options) => {
    const turn = options.messages.filter((message) => message.role === "assistant").length;
    return new ScriptedModel([script[turn] ?? { text: "done" }]);
  };
  const model = {
    specificationVersion: "v1",
    provider: "bench",
    modelId: name,
    generate: (options) => answer(options).generate(options),
    stream: (options) => answer(options).stream(options),
  };
  registerAgent(new Agent({ name, model, tools: [echoTool] }));
}
// 5 model calls, 4 tool calls (one per turn): 9 entries.
scriptedAgent("agent_5m_4t", [
  { toolCalls: [call(1)] },
  { toolCalls: [call(2)] },
  { toolCalls: [call(3)] },
  { toolCalls: [call(4)] },
  { text: "done" },
]);
// 2 model calls, 4 tool calls in one turn: 6 entries (with the next, separates model and tool costs).
scriptedAgent("agent_2m_4t", [{ toolCalls: [call(1), call(2), call(3), call(4)] }, { text: "done" }]);
// 1 model call: the run's fixed cost.
scriptedAgent("agent_1m_0t", [{ text: "done" }]);

const worker = new Worker({ serviceName: "bench", maxConcurrency: 256 });
await worker.run();
