import { Registry, workflow } from "@agnt5/core";
import { ScriptedModel } from "@agnt5/llm/test";
import { ComponentKind } from "@agnt5/proto";
import { afterEach, describe, expect, it } from "vitest";
import { createCaptureLogger } from "./test-support/capture-logger.js";
import { FakeCoordinator } from "./test-support/fake-coordinator.js";
import { Worker } from "./worker.js";

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(model: ScriptedModel) {
  const coordinator = await FakeCoordinator.start({ autoAck: true });
  cleanups.push(() => coordinator.stop());
  const registry = new Registry();
  workflow({ name: "ask", registry }, async (ctx, question: string) => {
    const { text } = await ctx.llm.generate({ model, prompt: question });
    return { text };
  });
  const worker = new Worker("llm-service", {
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
  return coordinator.stream(0);
}

describe("Worker: ctx.llm", () => {
  it("gives handlers ctx.llm, journaling each model call as a step that a replay does not send again", async () => {
    const model = new ScriptedModel([{ text: "Paris" }], { provider: "openai", modelId: "gpt-4o-mini" });
    const stream = await setup(model);
    const id = stream.start({
      componentName: "ask",
      componentKind: ComponentKind.WORKFLOW,
      input: "Capital of France?",
    });
    expect((await stream.completed(id)).output).toEqual({ text: "Paris" });
    const [proposal] = stream.proposals(id);
    expect(proposal?.entry).toMatchObject({ index: 0, kind: "step", name: "llm:openai/gpt-4o-mini" });
    model.assertAllCallsUsed();

    const replayed = stream.start({
      componentName: "ask",
      componentKind: ComponentKind.WORKFLOW,
      input: "Capital of France?",
      journal: [proposal!.entry],
    });
    expect((await stream.completed(replayed)).output).toEqual({ text: "Paris" });
    expect(model.calls).toHaveLength(1);
  });
});
