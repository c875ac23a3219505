import { describe, expect, it } from "vitest";
import { toConverseMessages } from "./bedrock-converse-messages.js";

describe("toConverseMessages", () => {
  it("should collect every system message into system blocks", () => {
    expect(
      toConverseMessages([
        { role: "system", content: "Be brief." },
        { role: "user", content: "hi" },
        { role: "system", content: "Answer in French." },
      ]),
    ).toEqual({
      system: [{ text: "Be brief." }, { text: "Answer in French." }],
      messages: [{ role: "user", content: [{ text: "hi" }] }],
    });
  });

  it("should send tool results as json for objects and as text otherwise", () => {
    const { messages } = toConverseMessages([
      {
        role: "tool",
        content: [
          { type: "tool-result", toolCallId: "a", toolName: "t", output: { ok: true } },
          { type: "tool-result", toolCallId: "b", toolName: "t", output: "plain text" },
          { type: "tool-result", toolCallId: "c", toolName: "t", output: [1, 2, 3] },
          { type: "tool-result", toolCallId: "d", toolName: "t", output: 42 },
          { type: "tool-result", toolCallId: "e", toolName: "t", output: undefined, isError: true },
        ],
      },
    ]);
    expect(messages).toEqual([
      {
        role: "user",
        content: [
          { toolResult: { toolUseId: "a", content: [{ json: { ok: true } }] } },
          { toolResult: { toolUseId: "b", content: [{ text: "plain text" }] } },
          { toolResult: { toolUseId: "c", content: [{ text: "[1,2,3]" }] } },
          { toolResult: { toolUseId: "d", content: [{ text: "42" }] } },
          { toolResult: { toolUseId: "e", content: [{ text: "null" }], status: "error" } },
        ],
      },
    ]);
  });

  it("should merge adjacent turns of the same role and drop empty text", () => {
    const { messages } = toConverseMessages([
      { role: "user", content: "first" },
      {
        role: "user",
        content: [
          { type: "text", text: "second" },
          { type: "text", text: "" },
        ],
      },
      {
        role: "assistant",
        content: [
          { type: "text", text: "" },
          { type: "tool-call", toolCallId: "a", toolName: "t", input: undefined },
        ],
      },
      { role: "assistant", content: "and more" },
    ]);
    expect(messages).toEqual([
      { role: "user", content: [{ text: "first" }, { text: "second" }] },
      { role: "assistant", content: [{ toolUse: { toolUseId: "a", name: "t", input: {} } }, { text: "and more" }] },
    ]);
  });
});
