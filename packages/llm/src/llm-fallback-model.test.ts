import { describe, expect, it } from "vitest";
import type { StreamPart } from "./language-model-v1/language-model-v1.js";
import { LlmApiError } from "./language-model-v1/llm-errors.js";
import { fallback } from "./llm-fallback-model.js";
import { generateText } from "./llm-generate-text.js";
import { createProviderRegistry } from "./llm-provider-registry.js";
import { streamText } from "./llm-stream-text.js";
import { ScriptedModel } from "./test/index.js";

const overloaded = () => new LlmApiError({ message: "overloaded", provider: "a", statusCode: 529 });
const request = { messages: [{ role: "user" as const, content: "Hi" }] };

async function collect(parts: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const items: StreamPart[] = [];
  for await (const part of parts) items.push(part);
  return items;
}

describe("fallback", () => {
  it("tries the models in order, moving on after a retryable error", async () => {
    const first = new ScriptedModel([{ error: overloaded() }], { provider: "a", modelId: "one" });
    const second = new ScriptedModel([{ error: overloaded() }], { provider: "b", modelId: "two" });
    const third = new ScriptedModel([{ text: "from three" }], { provider: "c", modelId: "three" });
    const model = fallback([first, second, third]);
    expect(model.modelId).toBe("a/one,b/two,c/three");
    await expect(model.generate(request)).resolves.toMatchObject({ text: "from three" });
    for (const scripted of [first, second, third]) scripted.assertAllCallsUsed();
  });

  it("does not fall back on a non-retryable error unless shouldFallback says so", async () => {
    const unauthorized = new LlmApiError({ message: "bad key", provider: "a", statusCode: 401 });
    const second = new ScriptedModel([]);
    await expect(fallback([new ScriptedModel([{ error: unauthorized }]), second]).generate(request)).rejects.toBe(
      unauthorized,
    );
    expect(second.calls).toHaveLength(0);

    const anyError = fallback([new ScriptedModel([{ error: unauthorized }]), new ScriptedModel([{ text: "b" }])], {
      shouldFallback: () => true,
    });
    await expect(anyError.generate(request)).resolves.toMatchObject({ text: "b" });
  });

  it("throws the last model's error when every model fails", async () => {
    const last = overloaded();
    const model = fallback([new ScriptedModel([{ error: overloaded() }]), new ScriptedModel([{ error: last }])]);
    await expect(model.generate(request)).rejects.toBe(last);
  });

  it("resolves model strings lazily through the registry", async () => {
    const backup = new ScriptedModel([{ text: "backup" }]);
    const registry = createProviderRegistry({
      useAdapters: false,
      providers: {
        backup: () => ({ name: "backup", languageModel: () => backup }),
      },
    });
    const model = fallback([new ScriptedModel([{ error: overloaded() }]), "backup/any"], { registry });
    await expect(generateText({ model, prompt: "Hi", maxRetries: 0 })).resolves.toMatchObject({ text: "backup" });
  });

  it("falls back in a stream when the model fails before its first part", async () => {
    const first = new ScriptedModel([{ error: overloaded() }]);
    const second = new ScriptedModel([{ parts: [{ type: "error", error: overloaded() }] }]);
    const third = new ScriptedModel([{ text: "streamed" }]);
    const result = streamText({ model: fallback([first, second, third]), prompt: "Hi", maxRetries: 0 });
    expect(await result.text).toBe("streamed");
    for (const scripted of [first, second, third]) scripted.assertAllCallsUsed();
  });

  it("does not fall back in a stream once a part has been passed on", async () => {
    const midway = overloaded();
    const first = new ScriptedModel([{ parts: [{ type: "text-delta", delta: "Hal" }], error: midway }]);
    const second = new ScriptedModel([]);
    const parts = await collect(await fallback([first, second]).stream(request)).catch((error: unknown) => error);
    expect(parts).toBe(midway);
    expect(second.calls).toHaveLength(0);
  });

  it("never falls back after an abort", async () => {
    const controller = new AbortController();
    const aborting = new ScriptedModel([
      {
        response: { error: overloaded() },
        expect: () => {
          controller.abort("cancelled");
          return true;
        },
      },
    ]);
    const second = new ScriptedModel([]);
    await expect(fallback([aborting, second]).generate({ ...request, abortSignal: controller.signal })).rejects.toBe(
      "cancelled",
    );
    expect(second.calls).toHaveLength(0);
  });
});
