import { describe, expect, it, vi } from "vitest";
import type { ProviderV1 } from "./language-model-v1/language-model-v1.js";
import { NoSuchModelError } from "./language-model-v1/llm-errors.js";
import type { ProviderOptions } from "./language-model-v1/provider-factory.js";
import { registerAdapterProviders } from "./llm-adapter-providers.js";
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

describe("model strings", () => {
  it("resolve through a registered provider, with explicit options passed to its factory", async () => {
    const factory = vi.fn((options?: ProviderOptions) => fakeProvider("acme", options));
    const registry = createProviderRegistry({ useAdapters: false });
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

  it("resolve providers an imported adapter registered, with the registry's own taking precedence", async () => {
    // What `import "@agnt5/openai"` does: this package names no adapter, the adapter registers itself.
    registerAdapterProviders({
      "test-adapter-a": (options?: ProviderOptions) => fakeProvider("test-adapter-a", options),
      "test-adapter-b": (options?: ProviderOptions) => fakeProvider("test-adapter-b", options),
    });
    const registry = createProviderRegistry();
    const model = await registry.languageModel("test-adapter-b/llama-3.3-70b-versatile");
    expect(model.provider).toBe("test-adapter-b");
    const result = await generateText({ model: "test-adapter-a/gpt-4o-mini", prompt: "Hi", registry });
    expect(result.text).toBe("test-adapter-a/gpt-4o-mini: env key");

    // An application's registerProvider() wins, whether it comes before or after the adapter's registration.
    registry.registerProvider("test-adapter-a", () => fakeProvider("own", { apiKey: "own key" }));
    registerAdapterProviders({ "test-adapter-a": () => fakeProvider("late-adapter") });
    await expect(generateText({ model: "test-adapter-a/m", prompt: "Hi", registry })).resolves.toMatchObject({
      text: "own/m: own key",
    });
    // A registry created with useAdapters: false sees none of them.
    await expect(createProviderRegistry({ useAdapters: false }).languageModel("test-adapter-b/m")).rejects.toThrow(
      'No provider "test-adapter-b"',
    );
  });

  it("say how to enable a provider no imported adapter serves", async () => {
    const registry = createProviderRegistry();
    const error = await registry.languageModel("openai/gpt-4o-mini").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NoSuchModelError);
    expect((error as Error).message).toContain('No provider "openai" for "openai/gpt-4o-mini": import its adapter');
    expect((error as Error).message).toContain('import "@agnt5/openai"');
    expect((error as Error).message).toContain('registerProvider("openai", factory)');
  });

  it("reject unknown providers and strings without a provider", async () => {
    const registry = createProviderRegistry({
      useAdapters: false,
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
