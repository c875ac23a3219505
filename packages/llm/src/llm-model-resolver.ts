import type { EmbeddingModelV1, LanguageModelV1 } from "./language-model-v1/language-model-v1.js";
import type { ProviderOptions } from "./language-model-v1/provider-factory.js";
import { defaultProviderRegistry, type ProviderRegistry } from "./llm-provider-registry.js";

/** A model as every API takes it: a "provider/model" string or a model object. */
export type LanguageModel = string | LanguageModelV1;
export type EmbeddingModel = string | EmbeddingModelV1;

/** Provider options (apiKey, baseURL, ...) plus the registry to resolve with (default: the default registry). */
export interface ResolveModelOptions extends ProviderOptions {
  registry?: ProviderRegistry;
}

/** "openai/gpt-4o-mini" -> the model (a model object is returned as it is). */
export async function resolveLanguageModel(
  model: LanguageModel,
  options: ResolveModelOptions = {},
): Promise<LanguageModelV1> {
  if (typeof model !== "string") return model;
  const { registry = defaultProviderRegistry, ...providerOptions } = options;
  return registry.languageModel(model, providerOptions);
}

/** "openai/text-embedding-3-small" -> the embedding model (a model object is returned as it is). */
export async function resolveEmbeddingModel(
  model: EmbeddingModel,
  options: ResolveModelOptions = {},
): Promise<EmbeddingModelV1> {
  if (typeof model !== "string") return model;
  const { registry = defaultProviderRegistry, ...providerOptions } = options;
  return registry.embeddingModel(model, providerOptions);
}

/** "provider/model" of a model string or object, for step names and messages. */
export function modelLabel(model: LanguageModel | EmbeddingModel): string {
  return typeof model === "string" ? model : `${model.provider}/${model.modelId}`;
}
