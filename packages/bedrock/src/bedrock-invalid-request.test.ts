// A request the adapter cannot send fails before anything goes out, with @agnt5/llm's terminal
// LlmInvalidArgumentError (INVALID_ARGUMENT), as on every other adapter: no retry, step retry or
// fallback repeats it.
import { generateText, LlmInvalidArgumentError, type ToolDefinition } from "@agnt5/llm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type BedrockTestServer, startBedrockTestServer } from "./test-support/bedrock-test-server.js";
import { createTestBedrock } from "./test-support/test-provider.js";

const lookup: ToolDefinition = { name: "lookup", inputSchema: { type: "object", properties: {} } };

let server: BedrockTestServer;
beforeEach(async () => {
  server = await startBedrockTestServer();
});
afterEach(async () => {
  await server.close();
});

const model = () => createTestBedrock(server).languageModel("us.amazon.nova-lite-v1:0");

async function invalidRequest(promise: Promise<unknown>): Promise<LlmInvalidArgumentError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LlmInvalidArgumentError);
  expect(error).toMatchObject({ code: "INVALID_ARGUMENT", terminal: true, isRetryable: false, provider: "bedrock" });
  expect(server.requests).toHaveLength(0);
  return error as LlmInvalidArgumentError;
}

describe("a request Bedrock cannot be sent", () => {
  it("a toolChoice naming a tool that is not offered", async () => {
    // Through generateText with retries on: tried once, not retried.
    const nova = model();
    const generate = vi.spyOn(nova, "generate");
    const error = await invalidRequest(
      generateText({ model: nova, prompt: "Hi", toolChoice: { type: "tool", toolName: "search" }, maxRetries: 2 }),
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
        tools: [{ ...lookup, name: "json_response" }],
        responseFormat: { type: "json", schema: { type: "object", properties: {} } },
      }),
    );
    expect(error.message).toBe('the tool name "json_response" is reserved for structured output on Bedrock');
  });

  it("a provider option of the wrong type", async () => {
    await invalidRequest(
      model().generate({
        messages: [{ role: "user", content: "Hi" }],
        providerOptions: { bedrock: { structuredOutputMode: "xml" } },
      }),
    );
  });
});
