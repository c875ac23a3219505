import { LlmApiError, type ProviderV1 } from "@agnt5/llm";
import Anthropic from "@anthropic-ai/sdk";
import type { AnthropicConfig } from "./anthropic-config.js";
import { AnthropicMessagesLanguageModel } from "./anthropic-messages-language-model.js";
import {
  type AnthropicLanguageModelSettings,
  type AnthropicMessagesModelId,
  DEFAULT_MAX_OUTPUT_TOKENS,
} from "./anthropic-messages-options.js";

export const ANTHROPIC_API_KEY_ENV = "ANTHROPIC_API_KEY";
export const ANTHROPIC_BASE_URL_ENV = "ANTHROPIC_BASE_URL";
export const DEFAULT_ANTHROPIC_BASE_URL = "https://api.anthropic.com";

export interface AnthropicProviderSettings {
  /** API key. Default: the ANTHROPIC_API_KEY environment variable, read at call time. */
  apiKey?: string;
  /**
   * API root, without `/v1` (the SDK adds `/v1/messages`). Default: ANTHROPIC_BASE_URL, read at
   * call time, then https://api.anthropic.com.
   */
  baseURL?: string;
  /** Headers sent with every request (a call's `headers` win). */
  headers?: Record<string, string>;
  /** Provider name: `LanguageModelV1.provider`, error reports and a `providerOptions` key. Default "anthropic". */
  name?: string;
  /** Default `max_tokens` (Anthropic requires one). Default 4096. */
  maxOutputTokens?: number;
  /** Request timeout in milliseconds (the SDK's default is 10 minutes). */
  timeout?: number;
}

/**
 * An Anthropic provider. Language models only: Anthropic has no embeddings API, so there is no
 * `embeddingModel` (Anthropic recommends Voyage AI for embeddings).
 */
export interface AnthropicProvider extends ProviderV1 {
  languageModel(
    modelId: AnthropicMessagesModelId,
    settings?: AnthropicLanguageModelSettings,
  ): AnthropicMessagesLanguageModel;
  embeddingModel?: undefined;
}

/**
 * Creates an Anthropic provider. Nothing is read or created up front: the key and base URL are
 * resolved (explicit settings first, then the environment) when a model is first called, and the
 * SDK client is made then, with the SDK's own retries off (`maxRetries: 0`): retrying is the
 * caller's job, driven by `LlmApiError.isRetryable`.
 */
export function createAnthropic(settings: AnthropicProviderSettings = {}): AnthropicProvider {
  const name = settings.name ?? "anthropic";
  const headers = { ...settings.headers };
  let cached: { key: string; client: Anthropic } | undefined;

  const baseURL = () => settings.baseURL ?? nonEmpty(process.env[ANTHROPIC_BASE_URL_ENV]) ?? DEFAULT_ANTHROPIC_BASE_URL;

  const client = (): Anthropic => {
    const apiKey = settings.apiKey ?? nonEmpty(process.env[ANTHROPIC_API_KEY_ENV]);
    if (apiKey === undefined) {
      throw new LlmApiError({
        message: `Anthropic API key is missing: set the ${ANTHROPIC_API_KEY_ENV} environment variable or pass apiKey to createAnthropic()`,
        provider: name,
        isRetryable: false,
        code: "LLM_AUTHENTICATION_ERROR",
      });
    }
    const url = baseURL();
    const key = `${apiKey}\n${url}`;
    if (cached?.key !== key) {
      cached = {
        key,
        client: new Anthropic({
          apiKey,
          baseURL: url,
          maxRetries: 0,
          defaultHeaders: headers,
          ...(settings.timeout === undefined ? {} : { timeout: settings.timeout }),
        }),
      };
    }
    return cached.client;
  };

  const config: AnthropicConfig = {
    provider: name,
    client,
    baseURL,
    headers,
    defaultMaxOutputTokens: settings.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS,
  };

  return {
    name,
    languageModel: (modelId, modelSettings = {}) => new AnthropicMessagesLanguageModel(modelId, modelSettings, config),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

/**
 * The default provider (key and base URL from the environment). Creating it reads nothing and
 * makes no client, so importing this package has no side effects.
 */
export const anthropic: AnthropicProvider = createAnthropic();
