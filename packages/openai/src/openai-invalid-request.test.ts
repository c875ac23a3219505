// A request the adapter cannot send fails before anything goes out, with @agnt5/llm's terminal
// LlmInvalidArgumentError (INVALID_ARGUMENT), as on every other adapter: no retry, step retry or
// fallback repeats it.
import { generateText, LlmInvalidArgumentError, type ToolDefinition } from "@agnt5/llm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createOpenAI } from "./openai-provider.js";
import { type OpenAITestServer, startOpenAITestServer } from "./test-support/openai-test-server.js";

const lookup: ToolDefinition = { name: "lookup", inputSchema: { type: "object", properties: {} } };

let server: OpenAITestServer;
beforeEach(async () => {
  server = await startOpenAITestServer();
});
afterEach(async () => {
  await server.close();
});

const model = () => createOpenAI({ apiKey: "sk-test", baseURL: `${server.url}/v1` }).languageModel("gpt-4.1-mini");

async function invalidRequest(promise: Promise<unknown>): Promise<LlmInvalidArgumentError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LlmInvalidArgumentError);
  expect(error).toMatchObject({ code: "INVALID_ARGUMENT", terminal: true, isRetryable: false, provider: "openai" });
  expect(server.requests).toHaveLength(0);
  return error as LlmInvalidArgumentError;
}

describe("a request OpenAI cannot be sent", () => {
  it("a toolChoice naming a tool that is not offered", async () => {
    // Through generateText with retries on: tried once, not retried.
    const gpt = model();
    const generate = vi.spyOn(gpt, "generate");
    const error = await invalidRequest(
      generateText({ model: gpt, prompt: "Hi", toolChoice: { type: "tool", toolName: "search" }, maxRetries: 2 }),
    );
    expect(generate).toHaveBeenCalledTimes(1);
    expect(error.message).toBe('toolChoice names "search", which is not among the tools');
    await invalidRequest(
      model().generate({
        messages: [{ role: "user", content: "Hi" }],
        tools: [lookup],
        toolChoice: { type: "tool", toolName: "search" },
      }),
    );
  });
});
