import type { DurableContext } from "@agnt5/core";
import type { EntryResult, JournalEntry } from "@agnt5/durable";
import { ScriptedModel, type ScriptedResponse } from "@agnt5/llm/test";
import { describe, expect, it } from "vitest";
import { Agent, HostedTool } from "../index.js";
import { runDurable } from "../test-support/durable-run.js";

const analyze = () =>
  new HostedTool({
    name: "analyze_data",
    description: "Perform complex data analysis",
    endpoint: "agnt5://data-analysis-service/analyze_data",
    inputSchema: {
      type: "object",
      properties: { values: { type: "array", items: { type: "number" } } },
      required: ["values"],
    },
  });

const SCRIPT: ScriptedResponse[] = [
  { toolCalls: [{ toolCallId: "a1", toolName: "analyze_data", input: { values: [1, 2, 3] } }] },
  { toolCalls: [{ toolCallId: "a2", toolName: "analyze_data", input: { values: [] } }] },
  { text: "Mean 2; the empty series failed." },
];

/** The "coordinator": answers each child call (the first with a mean, the second with the child's failure), counted. */
function childAnswers(calls: JournalEntry[]) {
  return (entry: JournalEntry): EntryResult | undefined => {
    if (entry.kind !== "call") return undefined;
    calls.push(entry);
    const { input } = entry.request as { input: { values: number[] } };
    if (input.values.length === 0) {
      return { ok: false, failure: { code: "INVALID_ARGUMENT", message: "values is empty", type: "TerminalError" } };
    }
    return { ok: true, value: { mean: input.values.reduce((a, b) => a + b, 0) / input.values.length } };
  };
}

const handler = (model: ScriptedModel) => async (ctx: DurableContext) => {
  const result = await new Agent({ name: "analyst", model, tools: [analyze()] }).run("Analyze", { ctx });
  return { status: result.status, toolCalls: result.toolCalls.map(({ result, error }) => ({ result, error })) };
};

describe("HostedTool", () => {
  it("a call is a child invocation (ctx.task) recorded in the journal; its failure reaches the model; a replay does not call again", async () => {
    const calls: JournalEntry[] = [];
    const model = new ScriptedModel(SCRIPT);
    const run = runDurable([], handler(model), childAnswers(calls));
    const outcome = await run.outcome;
    expect(outcome).toEqual({
      type: "completed",
      value: {
        status: "completed",
        toolCalls: [{ result: { mean: 2 } }, { error: 'Tool "analyze_data" failed: values is empty' }],
      },
    });
    expect(calls.map((entry) => entry.request)).toMatchObject([
      { service: "data-analysis-service", handler: "analyze_data", input: { values: [1, 2, 3] } },
      { service: "data-analysis-service", handler: "analyze_data", input: { values: [] } },
    ]);
    expect(JSON.stringify(model.calls[2]?.request.messages.at(-1))).toContain('"isError":true');

    const journal = run.journal();
    const replayCalls: JournalEntry[] = [];
    const replay = runDurable(journal, handler(new ScriptedModel([])), childAnswers(replayCalls));
    await expect(replay.outcome).resolves.toEqual(outcome);
    expect(replayCalls).toEqual([]);
    // Cut after the first child's result: only the second is called again.
    const firstCall = journal.findIndex((entry) => entry.kind === "call") + 1;
    const resumed = runDurable(
      journal.slice(0, firstCall),
      handler(new ScriptedModel(SCRIPT.slice(1))),
      childAnswers(replayCalls),
    );
    await expect(resumed.outcome).resolves.toEqual(outcome);
    expect(replayCalls.map((entry) => (entry.request as { input: unknown }).input)).toEqual([{ values: [] }]);
  });

  it("checks its endpoint and needs a schema or a gateway to read it from", () => {
    expect(
      () => new HostedTool({ name: "x", description: "X", endpoint: "http://svc/handler", inputSchema: {} }),
    ).toThrow('HostedTool "x": endpoint must be "agnt5://<service>/<handler>", got "http://svc/handler"');
    const saved = process.env.AGNT5_GATEWAY_URL;
    delete process.env.AGNT5_GATEWAY_URL;
    try {
      expect(() => new HostedTool({ name: "x", description: "X", endpoint: "agnt5://svc/handler" })).toThrow(
        'HostedTool "x" needs inputSchema, or gatewayUrl (or AGNT5_GATEWAY_URL) to read the schema svc registered',
      );
    } finally {
      if (saved !== undefined) process.env.AGNT5_GATEWAY_URL = saved;
    }
  });

  it("outside a durable context a call is a tool error saying it needs one", async () => {
    const model = new ScriptedModel([SCRIPT[0] as ScriptedResponse, { text: "Could not." }]);
    const result = await new Agent({ name: "analyst", model, tools: [analyze()] }).run("Analyze");
    expect(result.toolCalls[0]?.error).toMatch(
      /calls agnt5:\/\/data-analysis-service\/analyze_data: it runs only in an agent run with a durable context/,
    );
  });
});
