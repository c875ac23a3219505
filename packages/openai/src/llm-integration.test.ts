// @agnt5/llm's retry loop and fallback chain driving the real OpenAI SDK against local servers:
// retry-after honoured on a 429, a 500 on the primary falling back to the secondary, and a 401
// neither retried nor falling back.
import { fallback, generateText, LlmApiError, streamText } from "@agnt5/llm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createGroq } from "./groq-provider.js";
import { createOpenAI } from "./openai-provider.js";
import {
  jsonFixture,
  type OpenAITestServer,
  sseFixture,
  startOpenAITestServer,
} from "./test-support/openai-test-server.js";

describe("@agnt5/llm over the OpenAI SDK", () => {
  let primary: OpenAITestServer;
  let secondary: OpenAITestServer;

  beforeAll(async () => {
    primary = await startOpenAITestServer();
    secondary = await startOpenAITestServer();
  });
  afterAll(async () => {
    await primary.close();
    await secondary.close();
  });
  beforeEach(() => {
    primary.reset();
    secondary.reset();
  });

  const openai = () => createOpenAI({ apiKey: "sk-test", baseURL: `${primary.url}/v1` }).languageModel("gpt-4.1-mini");
  const groq = () =>
    createGroq({ apiKey: "gsk-test", baseURL: `${secondary.url}/openai/v1` }).languageModel("llama-3.3-70b");

  it("retries a 429 after its retry-after and returns the answer", async () => {
    primary.enqueue(
      { type: "json", status: 429, headers: { "retry-after-ms": "30" }, body: jsonFixture("error-429.json") },
      { type: "json", body: jsonFixture("chat-completion-text.json") },
    );
    const result = await generateText({ model: openai(), prompt: "Hello", maxRetries: 2 });
    expect(result.text.length).toBeGreaterThan(0);
    expect(primary.requests).toHaveLength(2);
  });

  it("falls back to the next model when the first answers 500, without retrying it first", async () => {
    primary.enqueue({ type: "json", status: 500, body: jsonFixture("error-500.json") });
    secondary.enqueue({ type: "json", body: jsonFixture("chat-completion-text.json") });
    const result = await generateText({ model: fallback([openai(), groq()]), prompt: "Hello", maxRetries: 0 });
    expect(result.text.length).toBeGreaterThan(0);
    expect(primary.requests).toHaveLength(1);
    expect(secondary.requests).toHaveLength(1);
    expect(secondary.requests[0]?.path).toBe("/openai/v1/chat/completions");
  });

  it("falls back for a stream that fails before its first part", async () => {
    primary.enqueue({ type: "json", status: 503, body: jsonFixture("error-500.json") });
    secondary.enqueue({ type: "sse", events: sseFixture("chat-completion-text.chunks.txt") });
    const result = streamText({ model: fallback([openai(), groq()]), prompt: "Hello", maxRetries: 0 });
    expect((await result.text).length).toBeGreaterThan(0);
    expect(secondary.requests).toHaveLength(1);
  });

  it("neither retries nor falls back on a 401", async () => {
    primary.enqueue({ type: "json", status: 401, body: jsonFixture("error-401.json") });
    const failure = await generateText({ model: fallback([openai(), groq()]), prompt: "Hello", maxRetries: 3 }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(LlmApiError);
    expect(failure).toMatchObject({ statusCode: 401, isRetryable: false });
    expect(primary.requests).toHaveLength(1);
    expect(secondary.requests).toHaveLength(0);
  });
});
