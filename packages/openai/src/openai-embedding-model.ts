import {
  type EmbeddingModelV1,
  type EmbedOptions,
  type EmbedResult,
  LlmInvalidArgumentError,
  LlmResponseError,
} from "@agnt5/llm";
import type { CreateEmbeddingResponse, EmbeddingCreateParams } from "openai/resources/embeddings";
import type { OpenAIConfig } from "./openai-config.js";
import { toLlmError } from "./openai-error.js";

/** Per-call settings for embeddings, read from `providerOptions[<provider name>]`. */
export interface OpenAIEmbeddingProviderOptions {
  user?: string;
  /** Extra body fields sent as-is. */
  extraBody?: Record<string, unknown>;
}

/** An EmbeddingModelV1 on `POST /embeddings` (always `encoding_format: "float"`). */
export class OpenAIEmbeddingModel implements EmbeddingModelV1 {
  readonly specificationVersion = "v1";
  readonly maxValuesPerCall = 2048;
  readonly provider: string;
  readonly modelId: string;
  private readonly config: OpenAIConfig;

  constructor(modelId: string, config: OpenAIConfig) {
    this.provider = config.provider;
    this.modelId = modelId;
    this.config = config;
  }

  async embed(options: EmbedOptions): Promise<EmbedResult> {
    if (options.values.length > this.maxValuesPerCall) {
      throw new LlmInvalidArgumentError(
        `${this.provider}: ${options.values.length} values in one embedding call; at most ${this.maxValuesPerCall}`,
        { provider: this.provider },
      );
    }
    if (options.values.length === 0) return { embeddings: [] };
    const providerOptions = (options.providerOptions?.[this.provider] ?? {}) as OpenAIEmbeddingProviderOptions;
    const body: EmbeddingCreateParams & Record<string, unknown> = {
      model: this.modelId,
      input: options.values,
      encoding_format: "float",
    };
    if (options.dimensions !== undefined) body.dimensions = options.dimensions;
    if (providerOptions.user !== undefined) body.user = providerOptions.user;
    if (providerOptions.extraBody !== undefined) Object.assign(body, providerOptions.extraBody);

    let response: CreateEmbeddingResponse;
    try {
      response = await this.config.client().embeddings.create(body, {
        ...(options.abortSignal === undefined ? {} : { signal: options.abortSignal }),
        ...(options.headers === undefined ? {} : { headers: options.headers }),
      });
    } catch (error) {
      throw toLlmError(error, {
        provider: this.provider,
        url: this.config.url("/embeddings", this.modelId),
        ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
      });
    }

    const data = Array.isArray(response?.data) ? [...response.data] : undefined;
    if (
      data === undefined ||
      data.length !== options.values.length ||
      !data.every((item) => Array.isArray(item.embedding))
    ) {
      throw new LlmResponseError(
        `${this.provider}: expected ${options.values.length} float embeddings, got ${data?.length ?? "none"}`,
        { provider: this.provider },
      );
    }
    data.sort((a, b) => a.index - b.index);
    return {
      embeddings: data.map((item) => item.embedding),
      ...(response.usage == null ? {} : { usage: { inputTokens: response.usage.prompt_tokens } }),
    };
  }
}
