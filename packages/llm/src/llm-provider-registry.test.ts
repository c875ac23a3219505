import { describe, expect, it, vi } from "vitest";
import type { ProviderV1 } from "./language-model-v1/language-model-v1.js";
import { NoSuchModelError } from "./language-model-v1/llm-errors.js";
import type { ProviderOptions } from "./language-model-v1/provider-factory.js";
import { generateText } from "./llm-generate-text.js";
import { resolveEmbeddingModel, resolveLanguageModel } from "./llm-model-resolver.js";
import { createProviderRegistry } from "./llm-provider-registry.js";
import { MockEmbeddingModel, ScriptedModel } from "./test/index.js";

/** A provider whose models are ScriptedModels answering "<provider>/<model>: <apiKey>". */
function fakeProvider(name: string, options: ProviderOptions = {}): ProviderV1 {
  return {
    name,
    languageModel: (modelId) =>
      new ScriptedModel([{ text: `${name}/${modelId}: ${options.apiKey ?? "env key"}` }], { provider: name, modelId }),
    embeddingModel: (modelId) => new MockEmbeddingModel({ provider: name, modelId }),
  };
}

const notFound = (specifier: string) =>
  Object.assign(new Error(`Cannot find package '${specifier}' imported from /app/node_modules/@agnt5/llm/dist/x.js`), {
    code: "ERR_MODULE_NOT_FOUND",
  });

describe("model strings", () => {
  it("resolve through a registered provider, with explicit options passed to its factory", async () => {
    const factory = vi.fn((options?: ProviderOptions) => fakeProvider("acme", options));
    const registry = createProviderRegistry({ loadAdapters: false });
    registry.registerProvider("acme", factory);

    const model = await resolveLanguageModel("acme/large-1", { registry });
    expect([model.provider, model.modelId]).toEqual(["acme", "large-1"]);
    const keyed = await resolveLanguageModel("acme/large-1", { registry, apiKey: "sk-explicit" });
    await expect(keyed.generate({ messages: [] })).resolves.toMatchObject({ text: "acme/large-1: sk-explicit" });
    expect(factory).toHaveBeenCalledWith({ apiKey: "sk-explicit" });

    // Without options, one provider instance is created and reused.
    await resolveLanguageModel("acme/small", { registry });
    expect(factory).toHaveBeenCalledTimes(2);
    const embedding = await resolveEmbeddingModel("acme/embed-1", { registry });
    expect(embedding.modelId).toBe("embed-1");
  });

  it("keep everything after the first slash as the model id (OpenRouter, Bedrock)", async () => {
    const registry = createProviderRegistry({
      providers: { openrouter: (options) => fakeProvider("openrouter", options) },
    });
    const model = await resolveLanguageModel("openrouter/anthropic/claude-3.5-sonnet", { registry });
    expect(model.modelId).toBe("anthropic/claude-3.5-sonnet");
  });

  it("load unregistered known providers from their adapter package's agnt5Providers", async () => {
    const importModule = vi.fn(async (specifier: string) => {
      if (specifier !== "@agnt5/openai") throw notFound(specifier);
      return {
        agnt5Providers: {
          openai: (options?: ProviderOptions) => fakeProvider("openai", options),
          groq: (options?: ProviderOptions) => fakeProvider("groq", options),
        },
      };
    });
    const registry = createProviderRegistry({ importModule });
    const model = await registry.languageModel("groq/llama-3.3-70b-versatile");
    expect(model.provider).toBe("groq");
    const result = await generateText({ model: "openai/gpt-4o-mini", prompt: "Hi", registry });
    expect(result.text).toBe("openai/gpt-4o-mini: env key");
    expect(importModule).toHaveBeenCalledWith("@agnt5/openai");
  });

  it("name the package to install when an adapter is missing", async () => {
    const registry = createProviderRegistry({ importModule: async (specifier) => Promise.reject(notFound(specifier)) });
    const error = await registry.languageModel("openai/gpt-4o-mini").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NoSuchModelError);
    expect((error as Error).message).toContain('install @agnt5/openai to use "openai/gpt-4o-mini"');
    await expect(registry.languageModel("anthropic/claude-sonnet-4-5")).rejects.toThrow(
      'install @agnt5/anthropic to use "anthropic/claude-sonnet-4-5"',
    );
    await expect(registry.languageModel("bedrock/amazon.nova-lite-v1:0")).rejects.toThrow("install @agnt5/bedrock");
  });

  it("report an adapter that crashes on import as it is, not as missing", async () => {
    const crash = Object.assign(
      new Error("Cannot find package 'openai' imported from /app/node_modules/@agnt5/openai/dist/index.js"),
      {
        code: "ERR_MODULE_NOT_FOUND",
      },
    );
    const registry = createProviderRegistry({ importModule: async () => Promise.reject(crash) });
    await expect(registry.languageModel("openai/gpt-4o")).rejects.toBe(crash);
  });

  it("reject unknown providers and strings without a provider", async () => {
    const registry = createProviderRegistry({
      loadAdapters: false,
      providers: { acme: (options) => fakeProvider("acme", options) },
    });
    await expect(registry.languageModel("mistral/small")).rejects.toThrow(
      'No provider "mistral" for "mistral/small": register one with registerProvider("mistral", factory) (available: acme)',
    );
    await expect(registry.languageModel("gpt-4o")).rejects.toThrow('needs the form "<provider>/<model>"');
  });

  it("reject an embedding model from a provider without embeddings", async () => {
    const registry = createProviderRegistry({
      providers: { chat: () => ({ name: "chat", languageModel: () => new ScriptedModel([]) }) },
    });
    await expect(registry.embeddingModel("chat/e")).rejects.toThrow('Provider "chat" has no embedding models');
  });
});
