import { LlmApiError, resolveLanguageModel } from "@agnt5/llm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { agnt5Providers, anthropic, createAnthropic } from "./index.js";
import {
  type AnthropicTestServer,
  readJsonFixture,
  startAnthropicTestServer,
} from "./test-support/anthropic-test-server.js";

let server: AnthropicTestServer;
const messages = [{ role: "user" as const, content: "Hello" }];

beforeEach(async () => {
  server = await startAnthropicTestServer();
  vi.stubEnv("ANTHROPIC_API_KEY", "");
  vi.stubEnv("ANTHROPIC_BASE_URL", "");
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await server.close();
});

describe("createAnthropic", () => {
  it("should read ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL at call time", async () => {
    const provider = createAnthropic();
    const model = provider.languageModel("claude-sonnet-5-5");
    vi.stubEnv("ANTHROPIC_API_KEY", "sk-ant-from-env");
    vi.stubEnv("ANTHROPIC_BASE_URL", server.baseURL);
    server.enqueue({ type: "json", body: readJsonFixture("messages-text.json") });

    await model.generate({ messages });

    expect(server.requests[0]?.headers.authorization).toBe("Bearer sk-ant-from-env");
  });

  it("should prefer explicit options over the environment", async () => {
    const other = await startAnthropicTestServer();
    try {
      vi.stubEnv("ANTHROPIC_API_KEY", "sk-ant-from-env");
      vi.stubEnv("ANTHROPIC_BASE_URL", other.baseURL);
      server.enqueue({ type: "json", body: readJsonFixture("messages-text.json") });

      await createAnthropic({ apiKey: "sk-ant-explicit", baseURL: server.baseURL })
        .languageModel("claude-sonnet-5-5")
        .generate({ messages });

      expect(server.requests[0]?.headers.authorization).toBe("Bearer sk-ant-explicit");
      expect(other.requests).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  it("should fail at call time, naming ANTHROPIC_API_KEY, when no key is set", async () => {
    const model = createAnthropic({ baseURL: server.baseURL }).languageModel("claude-sonnet-5-5");

    const error = await model.generate({ messages }).then(
      () => undefined,
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(LlmApiError);
    expect((error as LlmApiError).message).toContain("ANTHROPIC_API_KEY");
    expect((error as LlmApiError).isRetryable).toBe(false);
    await expect(model.stream({ messages })).rejects.toThrow(/ANTHROPIC_API_KEY/);
    expect(server.requests).toHaveLength(0);
  });

  it("should use the key set after a failed call", async () => {
    const model = createAnthropic({ baseURL: server.baseURL }).languageModel("claude-sonnet-5-5");
    await expect(model.generate({ messages })).rejects.toThrow(/ANTHROPIC_API_KEY/);
    vi.stubEnv("ANTHROPIC_API_KEY", "sk-ant-late");
    server.enqueue({ type: "json", body: readJsonFixture("messages-text.json") });

    await model.generate({ messages });

    expect(server.requests[0]?.headers.authorization).toBe("Bearer sk-ant-late");
  });

  it("should name the provider and its models after the name option", async () => {
    server.enqueue({ type: "json", status: 529, body: readJsonFixture("error-529-overloaded.json") });
    const provider = createAnthropic({ apiKey: "sk-ant-test", baseURL: server.baseURL, name: "claude-proxy" });
    const model = provider.languageModel("claude-haiku-5-5");

    await expect(model.generate({ messages })).rejects.toMatchObject({ provider: "claude-proxy" });
    expect(provider.name).toBe("claude-proxy");
    expect(model.provider).toBe("claude-proxy");
    expect(model.modelId).toBe("claude-haiku-5-5");
    expect(model.specificationVersion).toBe("v1");
  });

  it("should read providerOptions under the provider's name too", async () => {
    server.enqueue({ type: "json", body: readJsonFixture("messages-text.json") });
    const model = createAnthropic({
      apiKey: "sk-ant-test",
      baseURL: server.baseURL,
      name: "claude-proxy",
    }).languageModel("claude-sonnet-5-5");

    await model.generate({ messages, providerOptions: { "claude-proxy": { userId: "user-7" } } });

    expect(server.requests[0]?.body.metadata).toEqual({ user_id: "user-7" });
  });

  it("should have no embedding model (Anthropic has no embeddings API)", () => {
    expect(createAnthropic().embeddingModel).toBeUndefined();
    expect("embeddingModel" in createAnthropic()).toBe(false);
  });
});

describe("exports", () => {
  it("should export a default provider that reads nothing until called", () => {
    expect(anthropic.name).toBe("anthropic");
    expect(anthropic.languageModel("claude-sonnet-5-5").provider).toBe("anthropic");
  });

  it("should export the resolver convention", () => {
    expect(agnt5Providers.anthropic).toBe(createAnthropic);
    expect(agnt5Providers.anthropic({ apiKey: "sk-ant-test" }).languageModel("claude-sonnet-5-5").modelId).toBe(
      "claude-sonnet-5-5",
    );
  });

  it("should serve anthropic/... model strings through @agnt5/llm once the package is imported", async () => {
    server.enqueue({ type: "json", body: readJsonFixture("messages-text.json") });
    const model = await resolveLanguageModel("anthropic/claude-sonnet-5-5", {
      apiKey: "sk-ant-test",
      baseURL: server.baseURL,
    });
    const result = await model.generate({ messages });
    expect(result.text.length).toBeGreaterThan(0);
    expect(server.requests[0]?.body.model).toBe("claude-sonnet-5-5");
  });
});
