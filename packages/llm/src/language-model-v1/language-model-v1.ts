/**
 * The LanguageModel contract, version 1. Every provider adapter (@agnt5/openai, @agnt5/anthropic,
 * @agnt5/bedrock, ...) implements it; nothing here depends on a vendor SDK. The version is in the
 * name so a v2 can be added next to it and adapters can move one at a time.
 */
import type { JsonSchema } from "@agnt5/core";

export type { JsonSchema };

// --- messages ------------------------------------------------------------------------------------

export interface TextPart {
  type: "text";
  text: string;
}

export interface ToolCallPart {
  type: "tool-call";
  toolCallId: string;
  toolName: string;
  /** The parsed arguments (a JSON value). */
  input: unknown;
}

export interface ToolResultPart {
  type: "tool-result";
  toolCallId: string;
  toolName: string;
  /** A JSON value (or text) handed back to the model. */
  output: unknown;
  isError?: boolean;
}

export type SystemMessage = { role: "system"; content: string };
export type UserMessage = { role: "user"; content: string | TextPart[] };
export type AssistantMessage = { role: "assistant"; content: string | Array<TextPart | ToolCallPart> };
export type ToolMessage = { role: "tool"; content: ToolResultPart[] };
export type Message = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

// --- tools and output ----------------------------------------------------------------------------

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments (use toJsonSchema(zodSchema) from @agnt5/core). */
  inputSchema: JsonSchema;
}

export type ToolChoice = "auto" | "none" | "required" | { type: "tool"; toolName: string };

export type ResponseFormat =
  | { type: "text" }
  /** Structured output: the model is asked for JSON matching `schema` (native JSON mode where the provider has one). */
  | { type: "json"; schema?: JsonSchema; name?: string; description?: string };

// --- calls ---------------------------------------------------------------------------------------

export interface CallOptions {
  messages: Message[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  responseFormat?: ResponseFormat;
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
  seed?: number;
  abortSignal?: AbortSignal;
  headers?: Record<string, string>;
  /** Provider-specific settings, keyed by provider name: { openai: { reasoningEffort: "low" } }. */
  providerOptions?: Record<string, Record<string, unknown>>;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Input tokens served from the provider's prompt cache (0 when unknown). */
  cachedInputTokens: number;
  totalTokens: number;
}

export type FinishReason = "stop" | "length" | "tool-calls" | "content-filter" | "error" | "other";

export interface ToolCall {
  toolCallId: string;
  toolName: string;
  input: unknown;
}

export interface GenerateResult {
  /** All text parts joined. */
  text: string;
  /** Text and tool calls in the order the model produced them. */
  content: Array<TextPart | ToolCallPart>;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  /** The provider's own finish reason, for debugging. */
  rawFinishReason?: string;
  usage: Usage;
  response?: { id?: string; modelId?: string };
  warnings?: string[];
}

/** Normalized stream parts (noun-first names). */
export type StreamPart =
  | { type: "text-delta"; delta: string }
  | { type: "tool-call-start"; toolCallId: string; toolName: string }
  | { type: "tool-call-delta"; toolCallId: string; argumentsDelta: string }
  | { type: "tool-call-end"; toolCallId: string; toolName: string; input: unknown }
  | { type: "usage"; usage: Usage }
  | { type: "finish"; finishReason: FinishReason; rawFinishReason?: string; usage: Usage }
  | { type: "error"; error: unknown };

export interface LanguageModelV1 {
  readonly specificationVersion: "v1";
  /** "openai", "anthropic", "groq", "openrouter", "azure", "bedrock", ... */
  readonly provider: string;
  readonly modelId: string;
  /** One request, no retries (the caller's retry loop reads LlmApiError.isRetryable). */
  generate(options: CallOptions): Promise<GenerateResult>;
  /**
   * Streams normalized parts. Errors before the first byte reject; errors after it arrive as an
   * `error` part (or a thrown LlmApiError from the iterator).
   */
  stream(options: CallOptions): Promise<AsyncIterable<StreamPart>>;
}

// --- embeddings ----------------------------------------------------------------------------------

export interface EmbedOptions {
  values: string[];
  dimensions?: number;
  abortSignal?: AbortSignal;
  headers?: Record<string, string>;
  providerOptions?: Record<string, Record<string, unknown>>;
}

export interface EmbedResult {
  embeddings: number[][];
  usage?: { inputTokens: number };
}

export interface EmbeddingModelV1 {
  readonly specificationVersion: "v1";
  readonly provider: string;
  readonly modelId: string;
  readonly maxValuesPerCall?: number;
  embed(options: EmbedOptions): Promise<EmbedResult>;
}

// --- providers -----------------------------------------------------------------------------------

/** What an adapter package exports as its factory's result (createOpenAI(), createAnthropic(), ...). */
export interface ProviderV1 {
  readonly name: string;
  languageModel(modelId: string): LanguageModelV1;
  embeddingModel?(modelId: string): EmbeddingModelV1;
}
