import { Registry, workflow } from "@agnt5/core";
import { ScriptedModel } from "@agnt5/llm/test";
import { ComponentKind } from "@agnt5/proto";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { Agent, tool } from "./index.js";
import { createCaptureLogger } from "./test-support/capture-logger.js";
import { FakeCoordinator } from "./test-support/fake-coordinator.js";
import { Worker } from "./worker.js";

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("Worker: agents and ctx.tools", () => {
  it("journals an agent's model calls and tool runs on the worker, and a replay runs none again", async () => {
    const searches: string[] = [];
    const searchDocs = tool(
      { name: "search_docs", description: "Search documentation for answers.", input: z.object({ query: z.string() }) },
      ({ query }) => {
        searches.push(query);
        return `Found documentation about: ${query}`;
      },
    );
    const model = new ScriptedModel([
      { toolCalls: [{ toolCallId: "c1", toolName: "search_docs", input: { query: "retries" } }] },
      { text: "Steps retry per their policy." },
    ]);
    const agent = new Agent({
      name: "assistant",
      model,
      instructions: "Search docs when needed.",
      tools: [searchDocs],
    });
    const registry = new Registry();
    workflow({ name: "process_question", registry }, async (ctx, question: string) => {
      const result = await agent.run(question, { ctx });
      return { question, answer: result.output, tools: ctx.tools.list().length };
    });
    const coordinator = await FakeCoordinator.start({ autoAck: true });
    cleanups.push(() => coordinator.stop());
    const worker = new Worker("agents", {
      coordinatorEndpoint: coordinator.endpoint,
      registry,
      logger: createCaptureLogger(),
      handleSignals: false,
    });
    const running = worker.run();
    cleanups.push(async () => {
      await worker.stop();
      await running;
    });
    await worker.ready;
    const stream = await coordinator.stream(0);

    const expected = { question: "How do retries work?", answer: "Steps retry per their policy.", tools: 0 };
    const first = stream.start({
      componentName: "process_question",
      componentKind: ComponentKind.WORKFLOW,
      input: "How do retries work?",
    });
    expect((await stream.completed(first)).output).toEqual(expected);
    const journal = stream.proposals(first).map((proposal) => proposal.entry);
    expect(journal.map((entry) => entry?.name)).toEqual([
      "agent:assistant:llm:0",
      "agent:assistant:tool:search_docs:0",
      "agent:assistant:llm:1",
    ]);

    const replayed = stream.start({
      componentName: "process_question",
      componentKind: ComponentKind.WORKFLOW,
      input: "How do retries work?",
      journal: journal.flatMap((entry) => (entry ? [entry] : [])),
    });
    expect((await stream.completed(replayed)).output).toEqual(expected);
    expect(model.calls).toHaveLength(2);
    expect(searches).toEqual(["retries"]);
  });
});
