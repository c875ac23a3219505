import type { EmbeddingModelV1, LanguageModelV1, ProviderV1 } from "@agnt5/llm";
import { describe, expectTypeOf, it } from "vitest";
import { agnt5Providers } from "./agnt5-providers.js";
import { createGroq, createOpenAI } from "./index.js";

describe("agnt5Providers", () => {
  it("holds factories callable without options that return a ProviderV1", () => {
    expectTypeOf(agnt5Providers.openai()).toExtend<ProviderV1>();
    expectTypeOf(agnt5Providers.groq()).toExtend<ProviderV1>();
    expectTypeOf(agnt5Providers.openrouter()).toExtend<ProviderV1>();
    expectTypeOf(agnt5Providers.azure()).toExtend<ProviderV1>();
    expectTypeOf(agnt5Providers["openai-compatible"]()).toExtend<ProviderV1>();
    expectTypeOf(agnt5Providers.openai).toBeCallableWith({ apiKey: "k", baseURL: "u", headers: { a: "b" } });
  });

  it("types embeddings only where the provider has them", () => {
    expectTypeOf(createOpenAI().embeddingModel).returns.toEqualTypeOf<EmbeddingModelV1>();
    expectTypeOf(createGroq().languageModel).returns.toEqualTypeOf<LanguageModelV1>();
  });
});
