import { OpenAI } from "openai";
import {
  baseClientOptions,
  createFamilyProvider,
  joinURL,
  loadSetting,
  type OpenAIFamilyChatProvider,
  type OpenAIFamilyProviderSettings,
} from "./openai-family-provider.js";

export interface GroqProviderSettings extends OpenAIFamilyProviderSettings {
  /** Defaults to https://api.groq.com/openai/v1. */
  baseURL?: string;
}

/** Groq has no embeddings endpoint: chat models only. */
export type GroqProvider = OpenAIFamilyChatProvider;

/** Groq's OpenAI-compatible API. The key comes from `apiKey` or GROQ_API_KEY, read at the first request. */
export function createGroq(settings: GroqProviderSettings = {}): GroqProvider {
  return createFamilyProvider({
    name: settings.name ?? "groq",
    maxTokensParameter: settings.maxTokensParameter ?? "max_completion_tokens",
    structuredOutputs: settings.structuredOutputs ?? true,
    embeddings: false,
    createClient: () =>
      new OpenAI({
        ...baseClientOptions(settings),
        apiKey: loadSetting({
          value: settings.apiKey,
          envVar: "GROQ_API_KEY",
          setting: "apiKey",
          factory: "createGroq",
          description: "The Groq API key",
        }),
        baseURL: settings.baseURL ?? "https://api.groq.com/openai/v1",
      }),
    url: (client, path) => joinURL(client.baseURL, path),
  });
}

/** The default Groq provider (GROQ_API_KEY, read at the first request). */
export const groq: GroqProvider = /* @__PURE__ */ createGroq();
