import type { EmbedOptions } from "./language-model-v1/language-model-v1.js";
import { type EmbeddingModel, resolveEmbeddingModel } from "./llm-model-resolver.js";
import type { ProviderRegistry } from "./llm-provider-registry.js";
import { retryWithBackoff } from "./llm-retry.js";

interface EmbedSettings extends Omit<EmbedOptions, "values"> {
  /** A "provider/model" string or an embedding model object. */
  model: EmbeddingModel;
  /** Retries of a retryable error per request (default 2). */
  maxRetries?: number;
  registry?: ProviderRegistry;
}

export interface EmbedManyOptions extends EmbedSettings {
  values: string[];
}

export interface EmbedOneOptions extends EmbedSettings {
  value: string;
}

export interface EmbedManyResult {
  /** One embedding per value, in order. */
  embeddings: number[][];
  usage: { inputTokens: number };
}

export interface EmbedOneResult {
  embedding: number[];
  usage: { inputTokens: number };
}

/**
 * Embeds one value (`value`), or many (`values`, as embedMany does).
 *
 * @example
 * const { embedding } = await embed({ model: "openai/text-embedding-3-small", value: "sunny day" });
 */
export function embed(options: EmbedOneOptions): Promise<EmbedOneResult>;
export function embed(options: EmbedManyOptions): Promise<EmbedManyResult>;
export async function embed(options: EmbedOneOptions | EmbedManyOptions): Promise<EmbedOneResult | EmbedManyResult> {
  if ("values" in options) return embedMany(options);
  const { value, ...settings } = options;
  const { embeddings, usage } = await embedMany({ ...settings, values: [value] });
  return { embedding: embeddings[0] ?? [], usage };
}

/**
 * Embeds many values, in requests of at most the model's maxValuesPerCall values (one after the
 * other), each retried on a retryable error.
 */
export async function embedMany(options: EmbedManyOptions): Promise<EmbedManyResult> {
  const { model, values, maxRetries, registry, ...settings } = options;
  const embeddingModel = await resolveEmbeddingModel(model, registry === undefined ? {} : { registry });
  const size = embeddingModel.maxValuesPerCall ?? Number.POSITIVE_INFINITY;
  const embeddings: number[][] = [];
  let inputTokens = 0;
  for (let start = 0; start < values.length; start += size) {
    const chunk = values.slice(start, start + size);
    const result = await retryWithBackoff(() => embeddingModel.embed({ ...settings, values: chunk }), {
      ...(maxRetries === undefined ? {} : { maxRetries }),
      ...(settings.abortSignal === undefined ? {} : { abortSignal: settings.abortSignal }),
    });
    embeddings.push(...result.embeddings);
    inputTokens += result.usage?.inputTokens ?? 0;
  }
  return { embeddings, usage: { inputTokens } };
}
