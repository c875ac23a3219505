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

export interface OpenAIProviderSettings extends OpenAIFamilyProviderSettings {
  /** Defaults to OPENAI_BASE_URL, then https://api.openai.com/v1. */
  baseURL?: string;
  /** Sent as OpenAI-Organization; defaults to OPENAI_ORG_ID. */
  organization?: string;
  /** Sent as OpenAI-Project; defaults to OPENAI_PROJECT_ID. */
  project?: string;
}

export type OpenAIProvider = OpenAIFamilyProvider;

/**
 * The OpenAI API. The key comes from `apiKey` or OPENAI_API_KEY, read at the first request: creating
 * a provider reads nothing and starts nothing.
 *
 * ```ts
 * const model = createOpenAI({ apiKey }).languageModel("gpt-4.1-mini");
 * ```
 */
export function createOpenAI(settings: OpenAIProviderSettings = {}): OpenAIProvider {
  return createFamilyProvider({
    name: settings.name ?? "openai",
    maxTokensParameter: settings.maxTokensParameter ?? "max_completion_tokens",
    structuredOutputs: settings.structuredOutputs ?? true,
    embeddings: true,
    createClient: () =>
      new OpenAI({
        ...baseClientOptions(settings),
        apiKey: loadSetting({
          value: settings.apiKey,
          envVar: "OPENAI_API_KEY",
          setting: "apiKey",
          factory: "createOpenAI",
          description: "The OpenAI API key",
        }),
        baseURL: settings.baseURL ?? readEnv("OPENAI_BASE_URL") ?? "https://api.openai.com/v1",
        organization: settings.organization ?? readEnv("OPENAI_ORG_ID") ?? null,
        project: settings.project ?? readEnv("OPENAI_PROJECT_ID") ?? null,
      }),
    url: (client, path) => joinURL(client.baseURL, path),
  });
}

/** The default OpenAI provider (OPENAI_API_KEY, read at the first request). */
export const openai: OpenAIProvider = /* @__PURE__ */ createOpenAI();
