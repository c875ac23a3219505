import { TerminalError } from "@agnt5/core";
import type { EmbeddingModelV1, LanguageModelV1, ProviderV1 } from "@agnt5/llm";
import type { ClientOptions, OpenAI } from "openai";
import { OpenAIChatLanguageModel } from "./openai-chat-language-model.js";
import type { MaxTokensParameter, OpenAIConfig } from "./openai-config.js";
import { OpenAIEmbeddingModel } from "./openai-embedding-model.js";

/** Settings every provider of this package accepts. Explicit settings beat environment variables. */
export interface OpenAIFamilyProviderSettings {
  /** The API key; defaults to the provider's environment variable, read at the first call. */
  apiKey?: string;
  /** Headers sent with every request (per-call `headers` are added on top). */
  headers?: Record<string, string>;
  /** The provider name reported on models and errors, and the `providerOptions` key read. */
  name?: string;
  /** Which body field carries maxOutputTokens (each provider has its own default). */
  maxTokensParameter?: MaxTokensParameter;
  /** false: JSON schemas are not sent (`response_format: json_object`) for servers without structured outputs. */
  structuredOutputs?: boolean;
  /** A fetch implementation for the SDK (proxies, tests). */
  fetch?: ClientOptions["fetch"];
  /** Request timeout in milliseconds (the SDK's default is 10 minutes). */
  timeout?: number;
}

/** A provider with chat models only (Groq). */
export interface OpenAIFamilyChatProvider extends ProviderV1 {
  languageModel(modelId: string): LanguageModelV1;
}

/** A provider with chat and embedding models. */
export interface OpenAIFamilyProvider extends OpenAIFamilyChatProvider {
  embeddingModel(modelId: string): EmbeddingModelV1;
}

interface ProviderDefinition {
  name: string;
  maxTokensParameter: MaxTokensParameter;
  structuredOutputs: boolean;
  /** Called at the first request (not at creation): reads env vars and builds the SDK client. */
  createClient: () => OpenAI;
  /** Where a request goes, for error reports. */
  url: (client: OpenAI, path: string, modelId: string) => string;
}

export function createFamilyProvider(definition: ProviderDefinition & { embeddings: true }): OpenAIFamilyProvider;
export function createFamilyProvider(definition: ProviderDefinition & { embeddings: false }): OpenAIFamilyChatProvider;
export function createFamilyProvider(
  definition: ProviderDefinition & { embeddings: boolean },
): OpenAIFamilyProvider | OpenAIFamilyChatProvider {
  let client: OpenAI | undefined;
  const config: OpenAIConfig = {
    provider: definition.name,
    maxTokensParameter: definition.maxTokensParameter,
    structuredOutputs: definition.structuredOutputs,
    // Not cached when it throws, so setting the env var later and calling again works.
    client: () => {
      client ??= definition.createClient();
      return client;
    },
    url: (path, modelId) => (client === undefined ? undefined : definition.url(client, path, modelId)),
  };
  const languageModel = (modelId: string): LanguageModelV1 => new OpenAIChatLanguageModel(modelId, config);
  if (!definition.embeddings) return { name: definition.name, languageModel };
  const embeddingModel = (modelId: string): EmbeddingModelV1 => new OpenAIEmbeddingModel(modelId, config);
  return { name: definition.name, languageModel, embeddingModel };
}

/** SDK options shared by every provider: no SDK retries, no credentials or org headers picked up from OPENAI_* env vars. */
export function baseClientOptions(
  settings: OpenAIFamilyProviderSettings,
): Omit<ClientOptions, "provider" | "apiKey" | "baseURL"> {
  return {
    maxRetries: 0,
    organization: null,
    project: null,
    adminAPIKey: null,
    webhookSecret: null,
    ...(settings.headers === undefined ? {} : { defaultHeaders: settings.headers }),
    ...(settings.fetch === undefined ? {} : { fetch: settings.fetch }),
    ...(settings.timeout === undefined ? {} : { timeout: settings.timeout }),
  };
}

export function readEnv(name: string): string | undefined {
  const value = process.env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

/** The explicit value, else the env var; a TerminalError naming both when neither is set. */
export function loadSetting(options: {
  value: string | undefined;
  envVar: string;
  setting: string;
  factory: string;
  description: string;
  code?: string;
}): string {
  const value = options.value ?? readEnv(options.envVar);
  if (value !== undefined && value !== "") return value;
  throw new TerminalError(
    `${options.description} is missing. Pass { ${options.setting} } to ${options.factory}() or set the ${options.envVar} environment variable.`,
    { code: options.code ?? "LLM_MISSING_API_KEY" },
  );
}

export function joinURL(baseURL: string, path: string): string {
  return `${baseURL.replace(/\/+$/, "")}${path}`;
}
