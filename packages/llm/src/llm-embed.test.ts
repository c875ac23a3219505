import { describe, expect, it } from "vitest";
import { LlmApiError } from "./language-model-v1/llm-errors.js";
import { embed, embedMany } from "./llm-embed.js";
import { MockEmbeddingModel } from "./test/index.js";

describe("embed", () => {
  it("embeds many values in chunks of the model's maxValuesPerCall, in order", async () => {
    const model = new MockEmbeddingModel({ maxValuesPerCall: 2, embedValue: (value) => [value.length] });
    const result = await embedMany({ model, values: ["a", "bb", "ccc", "dddd", "eeeee"] });
    expect(result.embeddings).toEqual([[1], [2], [3], [4], [5]]);
    expect(model.calls.map((call) => call.values)).toEqual([["a", "bb"], ["ccc", "dddd"], ["eeeee"]]);
    expect(result.usage.inputTokens).toBe(5);
  });

  it("embeds one value, or many when given values", async () => {
    const model = new MockEmbeddingModel({ dimensions: 4 });
    const one = await embed({ model, value: "sunny day" });
    expect(one.embedding).toHaveLength(4);
    const many = await embed({ model, values: ["sunny day", "rain"] });
    expect(many.embeddings[0]).toEqual(one.embedding);
  });

  it("retries a retryable error per request", async () => {
    const busy = new LlmApiError({ message: "busy", provider: "mock", statusCode: 503, retryAfterMs: 0 });
    const model = new MockEmbeddingModel({ errors: [busy] });
    const result = await embedMany({ model, values: ["x"] });
    expect(result.embeddings).toHaveLength(1);
    expect(model.calls).toHaveLength(2);
  });
});
