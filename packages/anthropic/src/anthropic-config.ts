import type Anthropic from "@anthropic-ai/sdk";

/** What a provider hands each of its models (internal: not exported from the package). */
export interface AnthropicConfig {
  /** The provider name, used as `LanguageModelV1.provider` and as a `providerOptions` key. */
  readonly provider: string;
  /** Creates (or reuses) the SDK client. Reads the environment at call time; throws when no key is set. */
  readonly client: () => Anthropic;
  /** The base URL the client will use (for error reports). */
  readonly baseURL: () => string;
  /** Headers set on the provider (to find a pinned `anthropic-version`). */
  readonly headers: Readonly<Record<string, string>>;
  /** `max_tokens` when neither the call nor the model settings give one. */
  readonly defaultMaxOutputTokens: number;
}
