import type { Agnt5ProvidersModule, LanguageModelV1, ProviderFactory, ProviderV1 } from "@agnt5/llm";
import { describe, expectTypeOf, it } from "vitest";
import * as anthropicModule from "./index.js";
import { agnt5Providers, anthropic, createAnthropic } from "./index.js";

describe("types", () => {
  it("should make providers and models that satisfy the v1 contract", () => {
    expectTypeOf(anthropic).toExtend<ProviderV1>();
    expectTypeOf(anthropic.languageModel("claude-sonnet-5-5")).toExtend<LanguageModelV1>();
    expectTypeOf(anthropic.languageModel).toBeCallableWith("a-future-model-id");
  });

  it("should follow the adapter convention of @agnt5/llm's resolver", () => {
    expectTypeOf(anthropicModule).toExtend<Agnt5ProvidersModule>();
    expectTypeOf(createAnthropic).toExtend<ProviderFactory>();
    expectTypeOf(agnt5Providers.anthropic).toBeCallableWith();
  });
});
