import type { ChatCompletionCreateParamsBase } from "openai/resources/chat/completions";
import type { MaxTokensParameter } from "./openai-config.js";

/**
 * Per-call settings, read from `providerOptions[<provider name>]` ("openai", "groq", "azure", ...).
 * Unknown keys are ignored.
 */
export interface OpenAIChatProviderOptions {
  /** Reasoning models: "minimal" | "low" | "medium" | "high" ... (sent as `reasoning_effort`). */
  reasoningEffort?: ChatCompletionCreateParamsBase["reasoning_effort"];
  /** A stable end-user id (`user`). */
  user?: string;
  /** false: at most one tool call per turn (`parallel_tool_calls`). */
  parallelToolCalls?: boolean;
  store?: boolean;
  metadata?: Record<string, string>;
  serviceTier?: ChatCompletionCreateParamsBase["service_tier"];
  frequencyPenalty?: number;
  presencePenalty?: number;
  logitBias?: Record<string, number>;
  /** Overrides the provider's choice of `max_completion_tokens` / `max_tokens` for this call. */
  maxTokensParameter?: MaxTokensParameter;
  /** Sets `json_schema.strict` (default false: the schema may use any JSON Schema feature). */
  strictJsonSchema?: boolean;
  /** Sets `strict` on every function tool (default: not sent). */
  strictTools?: boolean;
  /**
   * Extra body fields sent as-is, for provider-specific features the typed options do not cover
   * (OpenRouter `provider` routing, vLLM `guided_json`, Ollama `options`, ...). Applied last.
   */
  extraBody?: Record<string, unknown>;
}

export function readProviderOptions(
  providerOptions: Record<string, Record<string, unknown>> | undefined,
  provider: string,
): OpenAIChatProviderOptions {
  const options = providerOptions?.[provider];
  return typeof options === "object" && options !== null ? (options as OpenAIChatProviderOptions) : {};
}
