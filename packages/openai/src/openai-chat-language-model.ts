import { randomUUID } from "node:crypto";
import {
  type CallOptions,
  type GenerateResult,
  type LanguageModelV1,
  LlmResponseError,
  type StreamPart,
  type TextPart,
  type ToolCall,
  type ToolCallPart,
} from "@agnt5/llm";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParamsNonStreaming,
} from "openai/resources/chat/completions";
import type { CompletionUsage } from "openai/resources/completions";
import { mapOpenAIFinishReason } from "./openai-chat-map-finish-reason.js";
import { convertToOpenAIChatMessages } from "./openai-chat-messages.js";
import { readProviderOptions } from "./openai-chat-options.js";
import { prepareTools } from "./openai-chat-prepare-tools.js";
import type { OpenAIConfig } from "./openai-config.js";
import { abortedError, type ErrorContext, toLlmError } from "./openai-error.js";
import { convertOpenAIUsage } from "./openai-usage.js";

type ChatRequestBody = Omit<ChatCompletionCreateParamsNonStreaming, "stream"> & Record<string, unknown>;

/**
 * A LanguageModelV1 on the Chat Completions API (`POST /chat/completions`) through the official
 * `openai` SDK. The SDK's own retries are off (`maxRetries: 0` on the client): the @agnt5/llm loop
 * retries, reading LlmApiError.isRetryable.
 *
 * Streaming errors: a failure before the response headers rejects `stream()`. After that, a broken
 * stream (connection cut, a line that is not JSON, an `error` event, invalid tool-call JSON, the body
 * ending before a `finish_reason`) arrives as one `{ type: "error" }` part carrying an LlmApiError
 * (transport / server errors) or LlmResponseError (unreadable data), and the iterator then ends with
 * no `finish` part. Aborting through `abortSignal` makes the iterator throw the signal's reason
 * and closes the connection.
 */
export class OpenAIChatLanguageModel implements LanguageModelV1 {
  readonly specificationVersion = "v1";
  readonly provider: string;
  readonly modelId: string;
  private readonly config: OpenAIConfig;

  constructor(modelId: string, config: OpenAIConfig) {
    this.provider = config.provider;
    this.modelId = modelId;
    this.config = config;
  }

  async generate(options: CallOptions): Promise<GenerateResult> {
    const { body, warnings } = this.prepareRequest(options);
    let response: ChatCompletion;
    try {
      response = await this.config
        .client()
        .chat.completions.create(
          { ...body, stream: false } as ChatCompletionCreateParamsNonStreaming,
          requestOptions(options),
        );
    } catch (error) {
      throw toLlmError(error, this.errorContext(options));
    }

    const choice = Array.isArray(response?.choices) ? response.choices[0] : undefined;
    if (choice === undefined || typeof choice.message !== "object" || choice.message === null) {
      throw new LlmResponseError(`${this.provider}: the response has no choices[0].message`, {
        provider: this.provider,
      });
    }
    const message = choice.message;
    const text = typeof message.content === "string" ? message.content : "";
    const content: Array<TextPart | ToolCallPart> = [];
    if (text !== "") content.push({ type: "text", text });
    const toolCalls: ToolCall[] = [];
    for (const toolCall of message.tool_calls ?? []) {
      if (toolCall.type !== "function") continue;
      const call: ToolCall = {
        toolCallId: toolCall.id || generateToolCallId(),
        toolName: toolCall.function.name,
        input: parseToolArguments(toolCall.function.arguments, toolCall.function.name, this.provider),
      };
      toolCalls.push(call);
      content.push({ type: "tool-call", ...call });
    }
    if (typeof message.refusal === "string" && message.refusal !== "") {
      warnings.push(`the model refused: ${message.refusal}`);
    }

    return {
      text,
      content,
      toolCalls,
      finishReason: mapOpenAIFinishReason(choice.finish_reason, toolCalls.length > 0),
      ...(choice.finish_reason == null ? {} : { rawFinishReason: choice.finish_reason }),
      usage: convertOpenAIUsage(response.usage),
      response: { id: response.id, modelId: response.model },
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  }

  async stream(options: CallOptions): Promise<AsyncIterable<StreamPart>> {
    const { body } = this.prepareRequest(options);
    let chunks: AsyncIterable<ChatCompletionChunk>;
    try {
      chunks = await this.config
        .client()
        .chat.completions.create(
          { ...body, stream: true, stream_options: { include_usage: true } },
          requestOptions(options),
        );
    } catch (error) {
      throw toLlmError(error, this.errorContext(options));
    }
    return streamParts(chunks, this.errorContext(options));
  }

  private errorContext(options: CallOptions): ErrorContext {
    return {
      provider: this.provider,
      url: this.config.url("/chat/completions", this.modelId),
      ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
    };
  }

  private prepareRequest(options: CallOptions): { body: ChatRequestBody; warnings: string[] } {
    const providerOptions = readProviderOptions(options.providerOptions, this.provider);
    const warnings: string[] = [];
    const tools = prepareTools(options.tools, options.toolChoice, providerOptions.strictTools, this.provider);
    warnings.push(...tools.warnings);

    const body: ChatRequestBody = {
      model: this.modelId,
      messages: convertToOpenAIChatMessages(options.messages),
    };
    if (options.maxOutputTokens !== undefined) {
      body[providerOptions.maxTokensParameter ?? this.config.maxTokensParameter] = options.maxOutputTokens;
    }
    if (options.temperature !== undefined) body.temperature = options.temperature;
    if (options.topP !== undefined) body.top_p = options.topP;
    if (options.stopSequences !== undefined && options.stopSequences.length > 0) body.stop = options.stopSequences;
    if (options.seed !== undefined) body.seed = options.seed;
    if (tools.tools !== undefined) {
      body.tools = tools.tools;
      if (tools.toolChoice !== undefined) body.tool_choice = tools.toolChoice;
      if (providerOptions.parallelToolCalls !== undefined) body.parallel_tool_calls = providerOptions.parallelToolCalls;
    }

    const format = options.responseFormat;
    if (format?.type === "json") {
      if (format.schema !== undefined && this.config.structuredOutputs) {
        body.response_format = {
          type: "json_schema",
          json_schema: {
            name: format.name ?? "response",
            ...(format.description === undefined ? {} : { description: format.description }),
            schema: format.schema as Record<string, unknown>,
            strict: providerOptions.strictJsonSchema ?? false,
          },
        };
      } else {
        if (format.schema !== undefined) {
          warnings.push(`${this.provider} is configured without structured outputs: the JSON schema is not enforced`);
        }
        body.response_format = { type: "json_object" };
      }
    }

    if (providerOptions.reasoningEffort !== undefined) body.reasoning_effort = providerOptions.reasoningEffort;
    if (providerOptions.user !== undefined) body.user = providerOptions.user;
    if (providerOptions.store !== undefined) body.store = providerOptions.store;
    if (providerOptions.metadata !== undefined) body.metadata = providerOptions.metadata;
    if (providerOptions.serviceTier !== undefined) body.service_tier = providerOptions.serviceTier;
    if (providerOptions.frequencyPenalty !== undefined) body.frequency_penalty = providerOptions.frequencyPenalty;
    if (providerOptions.presencePenalty !== undefined) body.presence_penalty = providerOptions.presencePenalty;
    if (providerOptions.logitBias !== undefined) body.logit_bias = providerOptions.logitBias;
    if (providerOptions.extraBody !== undefined) Object.assign(body, providerOptions.extraBody);

    return { body, warnings };
  }
}

function requestOptions(options: CallOptions): { signal?: AbortSignal; headers?: Record<string, string> } {
  return {
    ...(options.abortSignal === undefined ? {} : { signal: options.abortSignal }),
    ...(options.headers === undefined ? {} : { headers: options.headers }),
  };
}

interface StreamingToolCall {
  id: string;
  name: string;
  arguments: string;
  ended: boolean;
}

async function* streamParts(
  chunks: AsyncIterable<ChatCompletionChunk>,
  context: ErrorContext,
): AsyncGenerator<StreamPart, void, undefined> {
  const { provider, abortSignal } = context;
  const toolCalls = new Map<number, StreamingToolCall>();
  let finishReason: string | undefined;
  let usage: CompletionUsage | undefined;

  function* endToolCalls(): Generator<StreamPart, void, undefined> {
    const byIndex = [...toolCalls.entries()].sort(([a], [b]) => a - b);
    for (const [, call] of byIndex) {
      if (call.ended) continue;
      call.ended = true;
      const input = parseToolArguments(call.arguments, call.name, provider);
      yield { type: "tool-call-end", toolCallId: call.id, toolName: call.name, input };
    }
  }

  try {
    for await (const chunk of chunks) {
      const chunkUsage = chunk.usage ?? (chunk as { x_groq?: { usage?: CompletionUsage } }).x_groq?.usage;
      if (chunkUsage != null) usage = chunkUsage;
      const choice = chunk.choices?.[0];
      if (choice === undefined) continue;
      const delta = choice.delta;
      if (typeof delta?.content === "string" && delta.content !== "") {
        yield { type: "text-delta", delta: delta.content };
      }
      for (const toolCallDelta of delta?.tool_calls ?? []) {
        const index = toolCallDelta.index ?? 0;
        let call = toolCalls.get(index);
        if (call === undefined || (call.ended && toolCallDelta.id !== undefined && toolCallDelta.id !== call.id)) {
          const name = toolCallDelta.function?.name;
          if (typeof name !== "string" || name === "") {
            throw new LlmResponseError(`${provider}: a streamed tool call (index ${index}) has no function name`, {
              provider,
            });
          }
          call = { id: toolCallDelta.id || generateToolCallId(), name, arguments: "", ended: false };
          toolCalls.set(index, call);
          yield { type: "tool-call-start", toolCallId: call.id, toolName: call.name };
        }
        const argumentsDelta = toolCallDelta.function?.arguments;
        if (typeof argumentsDelta === "string" && argumentsDelta !== "") {
          call.arguments += argumentsDelta;
          yield { type: "tool-call-delta", toolCallId: call.id, argumentsDelta };
        }
      }
      if (choice.finish_reason != null) {
        finishReason = choice.finish_reason;
        // Every tool call is complete once the choice has finished.
        yield* endToolCalls();
      }
    }
    // The SDK ends the iteration quietly when the request is aborted.
    if (abortSignal?.aborted) throw abortedError(context);
    if (finishReason === undefined) {
      throw new LlmResponseError(`${provider}: the stream ended before a finish_reason`, { provider });
    }
    yield* endToolCalls();
  } catch (error) {
    if (abortSignal?.aborted) throw abortedError(context, error);
    yield { type: "error", error: toLlmError(error, context) };
    return;
  }

  const finalUsage = convertOpenAIUsage(usage);
  if (usage !== undefined) yield { type: "usage", usage: finalUsage };
  yield {
    type: "finish",
    finishReason: mapOpenAIFinishReason(finishReason, toolCalls.size > 0),
    rawFinishReason: finishReason,
    usage: finalUsage,
  };
}

/** Tool-call arguments are a JSON object in a string; "" (some servers, for no-argument tools) is `{}`. */
export function parseToolArguments(text: string | undefined, toolName: string, provider: string): unknown {
  if (text === undefined || text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
    throw new LlmResponseError(`${provider}: the arguments of tool call "${toolName}" are not valid JSON: ${shown}`, {
      cause: error,
      provider,
    });
  }
}

function generateToolCallId(): string {
  return `call_${randomUUID().replaceAll("-", "")}`;
}
