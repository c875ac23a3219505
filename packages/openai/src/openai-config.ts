import type { OpenAI } from "openai";

/** Which body field carries CallOptions.maxOutputTokens. OpenAI's newer models only accept `max_completion_tokens`. */
export type MaxTokensParameter = "max_completion_tokens" | "max_tokens";

/** What a provider hands to the models it creates. The SDK client is created on first use. */
export interface OpenAIConfig {
  /** The provider name reported on models and errors: "openai", "groq", "azure", ... */
  readonly provider: string;
  /** The shared SDK client; throws a TerminalError naming the env var when the configuration is incomplete. */
  readonly client: () => OpenAI;
  /** The URL a request for `path` goes to (used in error reports only). */
  readonly url: (path: string, modelId: string) => string | undefined;
  readonly maxTokensParameter: MaxTokensParameter;
  /** false: a json ResponseFormat with a schema is sent as `json_object` (the schema is not enforced by the server). */
  readonly structuredOutputs: boolean;
}
