/**
 * EmbeddingModelV1 for Amazon Titan text embeddings (`amazon.titan-embed-text-v2:0`, and v1) through
 * `InvokeModelCommand`. Titan embeds one text per request: the body is
 * `{ inputText, dimensions?, normalize? }` and the answer `{ embedding, inputTextTokenCount }`, so
 * `maxValuesPerCall` is 1. `embed()` still accepts several values: it sends one InvokeModel per value
 * (at most 4 in flight), returns the embeddings in input order and sums the token counts; the first
 * failure cancels the requests still in flight.
 *
 * `dimensions` is 256, 512 or 1024 on v2 (v1 takes none); `providerOptions.bedrock.normalize`
 * (v2, default true on Bedrock's side) is passed through.
 */
import type { EmbeddingModelV1, EmbedOptions, EmbedResult } from "@agnt5/llm";
import { LlmInvalidArgumentError, LlmResponseError } from "@agnt5/llm";
import { InvokeModelCommand } from "@aws-sdk/client-bedrock-runtime";
import { addRequestHeaders, type BedrockConfig } from "./bedrock-config.js";
import { toLlmError } from "./bedrock-error.js";

const MAX_PARALLEL_CALLS = 4;

export class BedrockTitanEmbeddingModel implements EmbeddingModelV1 {
  readonly specificationVersion = "v1" as const;
  readonly provider: string;
  readonly modelId: string;
  readonly maxValuesPerCall = 1;
  readonly #config: BedrockConfig;

  constructor(modelId: string, config: BedrockConfig) {
    this.modelId = modelId;
    this.provider = config.provider;
    this.#config = config;
  }

  async embed(options: EmbedOptions): Promise<EmbedResult> {
    const { values } = options;
    if (values.length === 0) return { embeddings: [], usage: { inputTokens: 0 } };
    const providerOptions = { ...options.providerOptions?.bedrock, ...options.providerOptions?.[this.provider] };
    const normalize = providerOptions.normalize;
    if (normalize !== undefined && typeof normalize !== "boolean") {
      throw new LlmInvalidArgumentError("providerOptions.bedrock.normalize must be a boolean", {
        provider: this.provider,
      });
    }

    const controller = new AbortController();
    const signal =
      options.abortSignal === undefined ? controller.signal : AbortSignal.any([options.abortSignal, controller.signal]);
    const embeddings = new Array<number[]>(values.length);
    let inputTokens = 0;
    let next = 0;
    const worker = async () => {
      while (next < values.length) {
        const index = next++;
        const result = await this.#embedOne(values[index]!, {
          dimensions: options.dimensions,
          normalize,
          headers: options.headers,
          signal,
        });
        embeddings[index] = result.embedding;
        inputTokens += result.inputTokens;
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(MAX_PARALLEL_CALLS, values.length) }, worker));
    } catch (error) {
      controller.abort();
      if (options.abortSignal?.aborted) throw options.abortSignal.reason ?? error;
      throw error;
    }
    return { embeddings, usage: { inputTokens } };
  }

  async #embedOne(
    inputText: string,
    options: {
      dimensions: number | undefined;
      normalize: boolean | undefined;
      headers: Record<string, string> | undefined;
      signal: AbortSignal;
    },
  ): Promise<{ embedding: number[]; inputTokens: number }> {
    const body = {
      inputText,
      ...(options.dimensions === undefined ? {} : { dimensions: options.dimensions }),
      ...(options.normalize === undefined ? {} : { normalize: options.normalize }),
    };
    const command = new InvokeModelCommand({
      modelId: this.modelId,
      contentType: "application/json",
      accept: "application/json",
      body: new TextEncoder().encode(JSON.stringify(body)),
    });
    addRequestHeaders(command, options.headers, "agnt5CallHeaders");
    const url = `/model/${encodeURIComponent(this.modelId)}/invoke`;
    let raw: Uint8Array | undefined;
    try {
      raw = (await this.#config.client().send(command, { abortSignal: options.signal })).body;
    } catch (error) {
      throw toLlmError(error, { provider: this.provider, url });
    }
    const text = raw === undefined ? "" : new TextDecoder().decode(raw);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw new LlmResponseError("Bedrock: the Titan embedding response is not JSON", {
        cause,
        provider: this.provider,
      });
    }
    const { embedding, inputTextTokenCount } = (parsed ?? {}) as { embedding?: unknown; inputTextTokenCount?: unknown };
    if (!Array.isArray(embedding) || !embedding.every((value) => typeof value === "number")) {
      throw new LlmResponseError("Bedrock: the Titan embedding response has no numeric `embedding`", {
        provider: this.provider,
      });
    }
    return { embedding, inputTokens: typeof inputTextTokenCount === "number" ? inputTextTokenCount : 0 };
  }
}
