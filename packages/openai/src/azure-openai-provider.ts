import { TerminalError } from "@agnt5/core";
import { AzureOpenAI } from "openai";
import {
  baseClientOptions,
  createFamilyProvider,
  joinURL,
  loadSetting,
  type OpenAIFamilyProvider,
  type OpenAIFamilyProviderSettings,
  readEnv,
} from "./openai-family-provider.js";

/** The latest GA data-plane inference version; override with `apiVersion` or AZURE_OPENAI_API_VERSION. */
export const DEFAULT_AZURE_OPENAI_API_VERSION = "2024-10-21";

export interface AzureOpenAIProviderSettings extends OpenAIFamilyProviderSettings {
  /** Sent as the `api-key` header; defaults to AZURE_OPENAI_API_KEY. Not used with `azureADTokenProvider`. */
  apiKey?: string;
  /** Microsoft Entra ID tokens (sent as `Authorization: Bearer`) instead of an API key. */
  azureADTokenProvider?: () => Promise<string>;
  /** https://<resource>.openai.azure.com (defaults to AZURE_OPENAI_ENDPOINT). */
  endpoint?: string;
  /** The resource name: the endpoint becomes https://<resourceName>.openai.azure.com. */
  resourceName?: string;
  /** The full base URL including `/openai` (wins over endpoint and resourceName). */
  baseURL?: string;
  /** The `api-version` query parameter; defaults to AZURE_OPENAI_API_VERSION, then 2024-10-21. */
  apiVersion?: string;
}

/** Model ids are deployment names: `azure.languageModel("my-gpt-4o-deployment")`. */
export type AzureOpenAIProvider = OpenAIFamilyProvider;

/**
 * Azure OpenAI through the SDK's `AzureOpenAI` client: requests go to
 * `<endpoint>/openai/deployments/<deployment>/chat/completions?api-version=<version>` with an
 * `api-key` header. Configuration is read at the first request.
 */
export function createAzureOpenAI(settings: AzureOpenAIProviderSettings = {}): AzureOpenAIProvider {
  return createFamilyProvider({
    name: settings.name ?? "azure",
    maxTokensParameter: settings.maxTokensParameter ?? "max_completion_tokens",
    structuredOutputs: settings.structuredOutputs ?? true,
    embeddings: true,
    createClient: () => {
      const apiVersion = settings.apiVersion ?? readEnv("AZURE_OPENAI_API_VERSION") ?? DEFAULT_AZURE_OPENAI_API_VERSION;
      const credentials =
        settings.azureADTokenProvider === undefined
          ? {
              apiKey: loadSetting({
                value: settings.apiKey,
                envVar: "AZURE_OPENAI_API_KEY",
                setting: "apiKey",
                factory: "createAzureOpenAI",
                description: "The Azure OpenAI API key",
              }),
            }
          : // null, not undefined: undefined would let the SDK read AZURE_OPENAI_API_KEY and reject the pair.
            { azureADTokenProvider: settings.azureADTokenProvider, apiKey: null as unknown as undefined };
      return new AzureOpenAI({
        ...baseClientOptions(settings),
        ...credentials,
        apiVersion,
        baseURL: azureBaseURL(settings),
      });
    },
    url: (client, path, modelId) =>
      `${joinURL(client.baseURL, `/deployments/${modelId}${path}`)}?api-version=${(client as AzureOpenAI).apiVersion}`,
  });
}

function azureBaseURL(settings: AzureOpenAIProviderSettings): string {
  if (settings.baseURL !== undefined) return settings.baseURL;
  if (settings.endpoint !== undefined) return joinURL(settings.endpoint, "/openai");
  if (settings.resourceName !== undefined) return `https://${settings.resourceName}.openai.azure.com/openai`;
  const endpoint = readEnv("AZURE_OPENAI_ENDPOINT");
  if (endpoint !== undefined) return joinURL(endpoint, "/openai");
  throw new TerminalError(
    "The Azure OpenAI endpoint is missing. Pass { endpoint } or { resourceName } to createAzureOpenAI() or set the AZURE_OPENAI_ENDPOINT environment variable.",
    { code: "LLM_INVALID_CONFIGURATION" },
  );
}

/** The default Azure OpenAI provider (AZURE_OPENAI_API_KEY, AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_VERSION). */
export const azure: AzureOpenAIProvider = /* @__PURE__ */ createAzureOpenAI();
