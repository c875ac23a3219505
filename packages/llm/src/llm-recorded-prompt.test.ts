import { describe, expect, it } from "vitest";
import type { Message } from "./language-model-v1/language-model-v1.js";
import { MAX_RECORDED_PROMPT_CHARS, withoutRecordedPrompt, withRecordedPrompt } from "./llm-recorded-prompt.js";

const answer = { text: "hi", toolCalls: [] };

describe("the prompt recorded beside a model answer", () => {
  it("keeps the messages and the model, and strips back to the answer", () => {
    const messages: Message[] = [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hello" },
    ];
    const recorded = withRecordedPrompt(answer, messages, "openai/gpt-4o-mini");
    expect(recorded.prompt).toEqual({ model: "openai/gpt-4o-mini", messages, omittedMessages: 0 });
    expect(withoutRecordedPrompt(recorded)).toEqual(answer);
    // An entry journaled before prompts were recorded reads the same.
    expect(withoutRecordedPrompt(answer)).toBe(answer);
  });

  it("keeps only the newest messages that fit, and counts the others", () => {
    const big = "x".repeat(MAX_RECORDED_PROMPT_CHARS / 3);
    const messages: Message[] = [1, 2, 3, 4].map((n) => ({ role: "user", content: `${n}${big}` }));
    const { prompt } = withRecordedPrompt(answer, messages);
    expect(prompt.omittedMessages).toBe(2);
    expect(prompt.messages).toEqual(messages.slice(2));
    expect(JSON.stringify(prompt.messages).length).toBeLessThanOrEqual(MAX_RECORDED_PROMPT_CHARS + 10);
  });
});
