import { describe, expect, it } from "vitest";
import { convertToAnthropicMessages } from "./convert-to-anthropic-messages.js";

describe("convertToAnthropicMessages", () => {
  it("should convert string and part contents, dropping empty text and empty turns", () => {
    const prompt = convertToAnthropicMessages([
      {
        role: "user",
        content: [
          { type: "text", text: "a" },
          { type: "text", text: "" },
        ],
      },
      { role: "assistant", content: "" },
      { role: "user", content: "b" },
    ]);

    expect(prompt.system).toBeUndefined();
    expect(prompt.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "a" },
          { type: "text", text: "b" },
        ],
      },
    ]);
  });

  it("should put a user message that follows tool results in the same user turn", () => {
    const prompt = convertToAnthropicMessages([
      { role: "user", content: "weather?" },
      {
        role: "assistant",
        content: [{ type: "tool-call", toolCallId: "toolu_1", toolName: "get_weather", input: { location: "Oslo" } }],
      },
      { role: "tool", content: [{ type: "tool-result", toolCallId: "toolu_1", toolName: "get_weather", output: 3 }] },
      { role: "user", content: "and tomorrow?" },
    ]);

    expect(prompt.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "weather?" }] },
      {
        role: "assistant",
        content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: { location: "Oslo" } }],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_1", content: "3" },
          { type: "text", text: "and tomorrow?" },
        ],
      },
    ]);
  });

  it("should merge consecutive assistant messages into one turn", () => {
    const prompt = convertToAnthropicMessages([
      { role: "user", content: "hi" },
      { role: "assistant", content: "Hello." },
      { role: "assistant", content: [{ type: "text", text: "How can I help?" }] },
    ]);

    expect(prompt.messages).toHaveLength(2);
    expect(prompt.messages[1]).toEqual({
      role: "assistant",
      content: [
        { type: "text", text: "Hello." },
        { type: "text", text: "How can I help?" },
      ],
    });
  });

  it("should send a tool call without arguments as an empty input object", () => {
    const prompt = convertToAnthropicMessages([
      { role: "assistant", content: [{ type: "tool-call", toolCallId: "toolu_2", toolName: "now", input: undefined }] },
    ]);

    expect(prompt.messages[0]?.content).toEqual([{ type: "tool_use", id: "toolu_2", name: "now", input: {} }]);
  });

  it("should hoist a late system message into system, with one warning", () => {
    const prompt = convertToAnthropicMessages([
      { role: "system", content: "Be brief." },
      { role: "user", content: "hi" },
      { role: "system", content: "Now answer in French." },
      { role: "system", content: "Use metric units." },
    ]);

    expect(prompt.system).toBe("Be brief.\n\nNow answer in French.\n\nUse metric units.");
    expect(prompt.messages).toHaveLength(1);
    expect(prompt.warnings).toHaveLength(1);
  });
});
