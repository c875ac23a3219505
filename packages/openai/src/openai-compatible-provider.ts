import { OpenAI } from "openai";
import {
  baseClientOptions,
  createFamilyProvider,
  joinURL,
  loadSetting,
  type OpenAIFamilyProvider,
  type OpenAIFamilyProviderSettings,
  readEnv,
} from "./openai-family-provider.js";

export interface OpenAICompatibleProviderSettings extends OpenAIFamilyProviderSettings {
  /**
   * The server's OpenAI-compatible base URL: http://localhost:11434/v1 (Ollama), http://localhost:8000/v1
   * (vLLM), http://localhost:1234/v1 (LM Studio). Defaults to OPENAI_COMPATIBLE_BASE_URL.
   */
  baseURL?: string;
  /** Sent as `Authorization: Bearer`; defaults to OPENAI_COMPATIBLE_API_KEY; without one no Authorization header is sent. */
  apiKey?: string;
}

export type OpenAICompatibleProvider = OpenAIFamilyProvider;

/**
 * Any server that speaks the Chat Completions and Embeddings wire format (Ollama, vLLM, LM Studio,
 * LiteLLM, ...). `name` (default "openai-compatible") names the provider on models, errors and the
 * `providerOptions` key. maxOutputTokens is sent as `max_tokens` unless `maxTokensParameter` says
 * otherwise.
 */
export function createOpenAICompatible(settings: OpenAICompatibleProviderSettings = {}): OpenAICompatibleProvider {
  return createFamilyProvider({
    name: settings.name ?? "openai-compatible",
    maxTokensParameter: settings.maxTokensParameter ?? "max_tokens",
    structuredOutputs: settings.structuredOutputs ?? true,
    embeddings: true,
    createClient: () => {
      const baseURL = loadSetting({
        value: settings.baseURL,
        envVar: "OPENAI_COMPATIBLE_BASE_URL",
        setting: "baseURL",
        factory: "createOpenAICompatible",
        description: "The base URL of the OpenAI-compatible server",
        code: "LLM_INVALID_CONFIGURATION",
      });
      const apiKey = settings.apiKey ?? readEnv("OPENAI_COMPATIBLE_API_KEY");
      const options = baseClientOptions(settings);
      return new OpenAI({
        ...options,
        baseURL,
        // Local servers need no key; the SDK insists on one, so give it a placeholder and drop the header.
        apiKey: apiKey ?? "unused",
        ...(apiKey === undefined ? { defaultHeaders: { ...settings.headers, Authorization: null } } : {}),
      });
    },
    url: (client, path) => joinURL(client.baseURL, path),
  });
}
