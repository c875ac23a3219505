import type { CallOptions, LanguageModelV1 } from "./language-model-v1/language-model-v1.js";
import { type LanguageModel, resolveLanguageModel } from "./llm-model-resolver.js";
import type { ProviderRegistry } from "./llm-provider-registry.js";
import { retryWithBackoff } from "./llm-retry.js";
import { traceModelCall } from "./llm-tracing.js";

/** Settings every generate/stream call takes next to its prompt: the contract's CallOptions and these. */
export interface ModelCallSettings extends Omit<CallOptions, "messages" | "tools" | "toolChoice"> {
  /** A "provider/model" string (resolved with `registry`) or a model object. */
  model: LanguageModel;
  /** Retries of a retryable error (LlmApiError.isRetryable), with backoff and retry-after (default 2). */
  maxRetries?: number;
  /** Where model strings are resolved (default: the default registry). */
  registry?: ProviderRegistry;
}

/** Resolves the model once, then runs each generate call with retries. */
export function modelCaller(
  model: LanguageModel,
  options: { registry?: ProviderRegistry; maxRetries?: number },
): <T>(call: (model: LanguageModelV1) => Promise<T>, abortSignal: AbortSignal | undefined) => Promise<T> {
  let resolved: Promise<LanguageModelV1> | undefined;
  return (call, abortSignal) => {
    resolved ??= resolveLanguageModel(model, options.registry === undefined ? {} : { registry: options.registry });
    return resolved.then((languageModel) =>
      retryWithBackoff(() => traceModelCall(languageModel, () => call(languageModel)), {
        ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
        ...(abortSignal === undefined ? {} : { abortSignal }),
      }),
    );
  };
}
