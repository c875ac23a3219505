import type {
  CallOptions,
  GenerateResult,
  LanguageModelV1,
  StreamPart,
  TextPart,
  ToolCall,
  ToolCallPart,
} from "@agnt5/llm";
import type { MessageCreateParamsBase } from "@anthropic-ai/sdk/resources/messages";
import type { AnthropicConfig } from "./anthropic-config.js";
import { type AnthropicErrorContext, toLlmError } from "./anthropic-error.js";
import {
  type AnthropicLanguageModelSettings,
  type AnthropicMessagesModelId,
  parseAnthropicProviderOptions,
} from "./anthropic-messages-options.js";
import { convertAnthropicStream } from "./anthropic-messages-stream.js";
import { type JsonResponseTool, prepareTools, unwrapJsonResponse } from "./anthropic-prepare-tools.js";
import { convertAnthropicUsage } from "./convert-anthropic-usage.js";
import { convertToAnthropicMessages } from "./convert-to-anthropic-messages.js";
import { mapAnthropicStopReason } from "./map-anthropic-stop-reason.js";

/** The API version whose Messages API still takes sampling parameters (temperature, top_p, top_k). */
const SAMPLING_API_VERSION = "2023-06-01";

/** Request body fields that API version 2023-06-01 takes and the 1.x SDK's types no longer list. */
interface SamplingParams {
  temperature?: number;
  top_p?: number;
  top_k?: number;
}

interface PreparedCall {
  body: Omit<MessageCreateParamsBase, "stream"> & SamplingParams;
  requestOptions: { signal?: AbortSignal; headers?: Record<string, string> };
  jsonResponseTool: JsonResponseTool | undefined;
  warnings: string[];
}

/** A Claude model on Anthropic's Messages API (`POST /v1/messages`) through `@anthropic-ai/sdk`. */
export class AnthropicMessagesLanguageModel implements LanguageModelV1 {
  readonly specificationVersion = "v1" as const;
  readonly provider: string;
  readonly modelId: AnthropicMessagesModelId;
  readonly #settings: AnthropicLanguageModelSettings;
  readonly #config: AnthropicConfig;

  constructor(modelId: AnthropicMessagesModelId, settings: AnthropicLanguageModelSettings, config: AnthropicConfig) {
    this.modelId = modelId;
    this.provider = config.provider;
    this.#settings = settings;
    this.#config = config;
  }

  async generate(options: CallOptions): Promise<GenerateResult> {
    const context = this.#errorContext(options);
    try {
      const call = this.#prepare(options);
      const response = await this.#config
        .client()
        .messages.create({ ...call.body, stream: false }, call.requestOptions);

      const content: Array<TextPart | ToolCallPart> = [];
      const toolCalls: ToolCall[] = [];
      let jsonResponses = 0;
      for (const block of response.content) {
        if (block.type === "text") {
          content.push({ type: "text", text: block.text });
        } else if (block.type === "tool_use" && block.name === call.jsonResponseTool?.name) {
          jsonResponses += 1;
          const value = unwrapJsonResponse(call.jsonResponseTool, block.input);
          content.push({ type: "text", text: JSON.stringify(value) ?? "" });
        } else if (block.type === "tool_use") {
          content.push({ type: "tool-call", toolCallId: block.id, toolName: block.name, input: block.input });
          toolCalls.push({ toolCallId: block.id, toolName: block.name, input: block.input });
        }
        // thinking blocks and server tool blocks are not part of the v1 contract
      }

      const stopReason = response.stop_reason;
      return {
        text: content.map((part) => (part.type === "text" ? part.text : "")).join(""),
        content,
        toolCalls,
        finishReason: mapAnthropicStopReason(stopReason, {
          isJsonResponse: jsonResponses > 0 && toolCalls.length === 0,
        }),
        ...(stopReason === null ? {} : { rawFinishReason: stopReason }),
        usage: convertAnthropicUsage(response.usage),
        response: { id: response.id, modelId: response.model },
        warnings: call.warnings,
      };
    } catch (error) {
      throw toLlmError(error, context);
    }
  }

  async stream(options: CallOptions): Promise<AsyncIterable<StreamPart>> {
    const context = this.#errorContext(options);
    try {
      const call = this.#prepare(options);
      const events = await this.#config.client().messages.create({ ...call.body, stream: true }, call.requestOptions);
      return convertAnthropicStream(events, { jsonResponseTool: call.jsonResponseTool, errorContext: context });
    } catch (error) {
      throw toLlmError(error, context);
    }
  }

  #errorContext(options: CallOptions): AnthropicErrorContext {
    return {
      provider: this.provider,
      url: `${this.#config.baseURL().replace(/\/+$/, "")}/v1/messages`,
      abortSignal: options.abortSignal,
    };
  }

  #prepare(options: CallOptions): PreparedCall {
    const providerOptions = parseAnthropicProviderOptions(options.providerOptions, this.provider);
    const prompt = convertToAnthropicMessages(options.messages);
    const tools = prepareTools({
      tools: options.tools,
      toolChoice: options.toolChoice,
      responseFormat: options.responseFormat,
      disableParallelToolUse: providerOptions.disableParallelToolUse,
      provider: this.provider,
    });
    const warnings = [...prompt.warnings, ...tools.warnings];

    const system = [prompt.system, tools.systemSuffix].filter((part) => part !== undefined).join("\n\n");
    const body: PreparedCall["body"] = {
      model: this.modelId,
      max_tokens: options.maxOutputTokens ?? this.#settings.maxOutputTokens ?? this.#config.defaultMaxOutputTokens,
      messages: prompt.messages,
      ...(system === "" ? {} : { system }),
      ...(tools.tools === undefined ? {} : { tools: tools.tools }),
      ...(tools.toolChoice === undefined ? {} : { tool_choice: tools.toolChoice }),
      ...(options.stopSequences?.length ? { stop_sequences: options.stopSequences } : {}),
      ...(providerOptions.userId === undefined ? {} : { metadata: { user_id: providerOptions.userId } }),
    };

    // The 1.x SDK sends anthropic-version 2026-10-21, which answers 400 to any sampling parameter
    // (even at its default). They are sent only when the caller pins the older version.
    const sampling: Array<[keyof SamplingParams, string, number | undefined]> = [
      ["temperature", "temperature", options.temperature],
      ["top_p", "topP", options.topP],
      ["top_k", "providerOptions.anthropic.topK", providerOptions.topK],
    ];
    const samplingAllowed = apiVersion(this.#config.headers, options.headers) === SAMPLING_API_VERSION;
    for (const [field, name, value] of sampling) {
      if (value === undefined) continue;
      if (samplingAllowed) body[field] = value;
      else {
        warnings.push(
          `${name} was not sent: Anthropic API version 2026-10-21 rejects sampling parameters (pin the header anthropic-version: ${SAMPLING_API_VERSION} to send them)`,
        );
      }
    }
    if (options.seed !== undefined) warnings.push("seed is not supported by Anthropic and was not sent");

    const requestOptions: PreparedCall["requestOptions"] = {};
    if (options.abortSignal) requestOptions.signal = options.abortSignal;
    if (options.headers) requestOptions.headers = options.headers;
    return { body, requestOptions, jsonResponseTool: tools.jsonResponseTool, warnings };
  }
}

/** The `anthropic-version` header the request will carry, when the caller set one (call headers win). */
function apiVersion(...headerSets: Array<Record<string, string> | undefined>): string | undefined {
  let version: string | undefined;
  for (const headers of headerSets) {
    for (const [name, value] of Object.entries(headers ?? {})) {
      if (name.toLowerCase() === "anthropic-version") version = value;
    }
  }
  return version;
}
