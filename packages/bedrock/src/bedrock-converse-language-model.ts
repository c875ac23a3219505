/**
 * LanguageModelV1 on the Bedrock Converse API: `ConverseCommand` for generate, `ConverseStreamCommand`
 * for stream. One request per call (the client is built with `maxAttempts: 1`; the caller's retry loop
 * reads LlmApiError.isRetryable).
 */
import type { CallOptions, GenerateResult, LanguageModelV1, StreamPart } from "@agnt5/llm";
import { LlmResponseError } from "@agnt5/llm";
import {
  ConverseCommand,
  type ConverseCommandOutput,
  ConverseStreamCommand,
  type ConverseStreamOutput,
  type GuardrailConfiguration,
  type GuardrailStreamConfiguration,
} from "@aws-sdk/client-bedrock-runtime";
import { addRequestHeaders, type BedrockConfig } from "./bedrock-config.js";
import { prepareConverseRequest } from "./bedrock-converse-request.js";
import { toGenerateResult } from "./bedrock-converse-response.js";
import { toStreamParts } from "./bedrock-converse-stream.js";
import { toLlmError } from "./bedrock-error.js";

export class BedrockConverseLanguageModel implements LanguageModelV1 {
  readonly specificationVersion = "v1" as const;
  readonly provider: string;
  /** A Bedrock model id, inference profile id or ARN, e.g. "us.amazon.nova-lite-v1:0". */
  readonly modelId: string;
  readonly #config: BedrockConfig;

  constructor(modelId: string, config: BedrockConfig) {
    this.modelId = modelId;
    this.provider = config.provider;
    this.#config = config;
  }

  async generate(options: CallOptions): Promise<GenerateResult> {
    const { body, jsonToolName, warnings } = prepareConverseRequest(options, this.provider);
    const { guardrailConfig, ...rest } = body;
    const command = new ConverseCommand({
      modelId: this.modelId,
      ...rest,
      ...(guardrailConfig === undefined ? {} : { guardrailConfig: withoutStreamSettings(guardrailConfig) }),
    });
    addRequestHeaders(command, options.headers, "agnt5CallHeaders");
    const url = `/model/${encodeURIComponent(this.modelId)}/converse`;
    let output: ConverseCommandOutput;
    try {
      output = await this.#config.client().send(command, { abortSignal: options.abortSignal });
    } catch (error) {
      throw this.#failure(error, options.abortSignal, url);
    }
    return toGenerateResult(output, { modelId: this.modelId, jsonToolName, warnings });
  }

  async stream(options: CallOptions): Promise<AsyncIterable<StreamPart>> {
    // Warnings have no stream part in v1; generate() returns them.
    const { body, jsonToolName } = prepareConverseRequest(options, this.provider);
    const command = new ConverseStreamCommand({ modelId: this.modelId, ...body });
    addRequestHeaders(command, options.headers, "agnt5CallHeaders");
    const url = `/model/${encodeURIComponent(this.modelId)}/converse-stream`;
    // Our own controller too, so a consumer that stops reading early releases the HTTP/2 stream.
    const controller = new AbortController();
    const signal =
      options.abortSignal === undefined ? controller.signal : AbortSignal.any([options.abortSignal, controller.signal]);
    let events: AsyncIterable<ConverseStreamOutput> | undefined;
    try {
      const output = await this.#config.client().send(command, { abortSignal: signal });
      events = output.stream;
    } catch (error) {
      throw this.#failure(error, options.abortSignal, url);
    }
    if (events === undefined) {
      controller.abort();
      throw new LlmResponseError("Bedrock: the ConverseStream response has no event stream", {
        provider: this.provider,
      });
    }
    return toStreamParts(events, {
      provider: this.provider,
      url,
      jsonToolName,
      abortSignal: options.abortSignal,
      cancel: () => controller.abort(),
    });
  }

  /** Aborts rethrow the caller's reason (as fetch does); everything else becomes an LlmApiError. */
  #failure(error: unknown, abortSignal: AbortSignal | undefined, url: string): unknown {
    if (abortSignal?.aborted) return abortSignal.reason ?? error;
    return toLlmError(error, { provider: this.provider, url });
  }
}

/** Converse (unlike ConverseStream) has no `streamProcessingMode`. */
function withoutStreamSettings(config: GuardrailStreamConfiguration): GuardrailConfiguration {
  const { streamProcessingMode: _ignored, ...rest } = config;
  return rest;
}
