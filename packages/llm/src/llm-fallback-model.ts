import type {
  CallOptions,
  GenerateResult,
  LanguageModelV1,
  StreamPart,
} from "./language-model-v1/language-model-v1.js";
import { throwIfAborted } from "./llm-abort.js";
import { type LanguageModel, modelLabel, resolveLanguageModel } from "./llm-model-resolver.js";
import type { ProviderRegistry } from "./llm-provider-registry.js";
import { isRetryableLlmError } from "./llm-retry.js";

export interface FallbackOptions {
  /**
   * Whether to try the next model after `error` from `model` (default: when the error is retryable,
   * i.e. LlmApiError.isRetryable). `() => true` falls back on any error. Never consulted after an abort.
   */
  shouldFallback?: (error: unknown, model: LanguageModelV1) => boolean;
  /** Where model strings are resolved (default: the default registry). */
  registry?: ProviderRegistry;
}

/**
 * A model that tries each of `models` in order, moving on when one fails with an error
 * `shouldFallback` accepts; the last model's error is thrown. A stream falls back only before its
 * first part: once a part has been passed on, an error is the stream's.
 *
 * @example
 * const model = fallback(["openai/gpt-4o-mini", "anthropic/claude-haiku-4-5"]);
 * await generateText({ model, prompt: "Hello" });
 */
export function fallback(models: LanguageModel[], options: FallbackOptions = {}): LanguageModelV1 {
  if (models.length === 0) throw new TypeError("fallback() needs at least one model");
  const shouldFallback = options.shouldFallback ?? ((error: unknown) => isRetryableLlmError(error));
  const resolveOptions = options.registry === undefined ? {} : { registry: options.registry };

  const attempt = async <T>(callOptions: CallOptions, run: (model: LanguageModelV1) => Promise<T>): Promise<T> => {
    for (let index = 0; ; index++) {
      throwIfAborted(callOptions.abortSignal);
      const model = await resolveLanguageModel(models[index]!, resolveOptions);
      try {
        return await run(model);
      } catch (error) {
        throwIfAborted(callOptions.abortSignal);
        if (index === models.length - 1 || !shouldFallback(error, model)) throw error;
      }
    }
  };

  return {
    specificationVersion: "v1",
    provider: "fallback",
    modelId: models.map(modelLabel).join(","),
    generate: (callOptions): Promise<GenerateResult> => attempt(callOptions, (model) => model.generate(callOptions)),
    stream: (callOptions): Promise<AsyncIterable<StreamPart>> =>
      attempt(callOptions, async (model) => {
        const iterator = (await model.stream(callOptions))[Symbol.asyncIterator]();
        const first = await iterator.next();
        // An error before any content counts as the model failing: the next one may answer.
        if (!first.done && first.value.type === "error") {
          await iterator.return?.();
          throw first.value.error;
        }
        return continueWith(first, iterator);
      }),
  };
}

/** The parts of `iterator`, `first` (already read) first. */
function continueWith(
  first: IteratorResult<StreamPart>,
  iterator: AsyncIterator<StreamPart>,
): AsyncIterable<StreamPart> {
  return {
    async *[Symbol.asyncIterator]() {
      let next = first;
      try {
        while (!next.done) {
          yield next.value;
          next = await iterator.next();
        }
      } finally {
        if (!next.done) await iterator.return?.();
      }
    },
  };
}
