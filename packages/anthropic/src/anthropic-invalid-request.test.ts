// A request the adapter cannot send fails before anything goes out, with @agnt5/llm's terminal
// LlmInvalidArgumentError (INVALID_ARGUMENT), as on every other adapter: no retry, step retry or
// fallback repeats it.
import { generateText, LlmInvalidArgumentError, type ToolDefinition } from "@agnt5/llm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createAnthropic } from "./anthropic-provider.js";
import { type AnthropicTestServer, startAnthropicTestServer } from "./test-support/anthropic-test-server.js";

const lookup: ToolDefinition = { name: "lookup", inputSchema: { type: "object", properties: {} } };

let server: AnthropicTestServer;
beforeEach(async () => {
  server = await startAnthropicTestServer();
});
afterEach(async () => {
  await server.close();
});

const model = () =>
  createAnthropic({ apiKey: "sk-ant-test", baseURL: server.baseURL }).languageModel("claude-sonnet-5-5");

async function invalidRequest(promise: Promise<unknown>): Promise<LlmInvalidArgumentError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LlmInvalidArgumentError);
  expect(error).toMatchObject({ code: "INVALID_ARGUMENT", terminal: true, isRetryable: false, provider: "anthropic" });
  expect(server.requests).toHaveLength(0);
  return error as LlmInvalidArgumentError;
}

describe("a request Anthropic cannot be sent", () => {
  it("a toolChoice naming a tool that is not offered", async () => {
    // Through generateText with retries on: tried once, not retried.
    const claude = model();
    const generate = vi.spyOn(claude, "generate");
    const error = await invalidRequest(
      generateText({ model: claude, prompt: "Hi", toolChoice: { type: "tool", toolName: "search" }, maxRetries: 2 }),
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

  it("a tool named like the structured-output tool", async () => {
    const error = await invalidRequest(
      model().generate({
        messages: [{ role: "user", content: "Hi" }],
        tools: [{ ...lookup, name: "json" }],
        responseFormat: { type: "json", schema: { type: "object", properties: {} } },
      }),
    );
    expect(error.message).toContain('responseFormat uses a tool named "json"');
  });
});
