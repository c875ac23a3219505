import { describe, expect, it } from "vitest";
import type { CallOptions, StreamPart } from "../language-model-v1/language-model-v1.js";
import { ScriptedModel, ScriptedModelError } from "./index.js";

const ask = (content: string): CallOptions => ({ messages: [{ role: "user", content }] });

async function collect(parts: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const items: StreamPart[] = [];
  for await (const part of parts) items.push(part);
  return items;
}

describe("ScriptedModel", () => {
  it("answers the scripted calls in order and records them", async () => {
    const model = new ScriptedModel([{ text: "one" }, { toolCalls: [{ toolName: "t", input: { a: 1 } }] }]);
    await expect(model.generate(ask("first"))).resolves.toMatchObject({ text: "one", finishReason: "stop" });
    await expect(model.generate(ask("second"))).resolves.toMatchObject({
      toolCalls: [{ toolCallId: "call_2_1", toolName: "t", input: { a: 1 } }],
      finishReason: "tool-calls",
    });
    expect(model.calls.map((call) => [call.number, call.method])).toEqual([
      [1, "generate"],
      [2, "generate"],
    ]);
    model.assertAllCallsUsed();
  });

  it("streams a scripted answer as deltas, tool-call parts and a finish", async () => {
    const model = new ScriptedModel([{ text: "Hi", toolCalls: [{ toolName: "t", input: {}, toolCallId: "x" }] }]);
    const parts = await collect(await model.stream(ask("go")));
    expect(parts.map((part) => part.type)).toEqual([
      "text-delta",
      "tool-call-start",
      "tool-call-delta",
      "tool-call-end",
      "finish",
    ]);
  });

  it("fails an unexpected call, naming its number and request", async () => {
    const model = new ScriptedModel([{ text: "only" }]);
    await model.generate(ask("first"));
    const error = await model.generate(ask("one more")).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ScriptedModelError);
    expect((error as Error).message).toBe(
      'ScriptedModel scripted/scripted-model: unexpected call #2 (generate): the script has 1 call(s). Last message (user): "one more"',
    );
  });

  it("fails leftover calls in assertAllCallsUsed", async () => {
    const model = new ScriptedModel([{ text: "a" }, { text: "b" }, { text: "c" }]);
    await model.generate(ask("x"));
    expect(() => model.assertAllCallsUsed()).toThrow("2 scripted call(s) were not made (#2, #3); 1 were");
    expect(model.remainingCalls).toBe(2);
  });

  it("fails a call whose request the matcher rejects, and remembers it for assertAllCallsUsed", async () => {
    const model = new ScriptedModel([
      {
        response: { text: "ok" },
        expect: (request) => {
          if (request.temperature !== 0) throw new Error(`expected temperature 0, got ${request.temperature}`);
        },
      },
      { response: { text: "ok" }, expect: () => false },
    ]);
    await expect(model.generate(ask("a"))).rejects.toThrow(
      "call #1 (generate) does not match its script: expected temperature 0, got undefined",
    );
    await expect(model.generate(ask("b"))).rejects.toThrow(
      "call #2 (generate) does not match its script (expect returned false)",
    );
    expect(() => model.assertAllCallsUsed()).toThrow(/call #1 .*; call #2/);
  });

  it("fails a call made with the wrong method", async () => {
    const model = new ScriptedModel([{ method: "stream", response: { text: "x" } }]);
    await expect(model.generate(ask("a"))).rejects.toThrow(
      "call #1 was scripted as stream() but generate() was called",
    );
  });

  it("throws scripted errors and aggregates scripted parts for generate", async () => {
    const boom = new Error("boom");
    const model = new ScriptedModel([
      { error: boom },
      {
        parts: [
          { type: "text-delta", delta: "a" },
          { type: "text-delta", delta: "b" },
        ],
      },
    ]);
    await expect(model.generate(ask("1"))).rejects.toBe(boom);
    await expect(model.generate(ask("2"))).resolves.toMatchObject({
      text: "ab",
      content: [{ type: "text", text: "ab" }],
    });
  });
});
