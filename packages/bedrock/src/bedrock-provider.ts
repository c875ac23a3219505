/**
 * createBedrock() and the default `bedrock` provider. Nothing is read from the environment at
 * import: the SDK client (one per provider, shared by its models) is created on the first request.
 */
import { type EmbeddingModelV1, type LanguageModelV1, type ProviderV1, registerAdapterProviders } from "@agnt5/llm";
import { BedrockRuntimeClient, type BedrockRuntimeClientConfig } from "@aws-sdk/client-bedrock-runtime";
import { addRequestHeaders, type BedrockConfig } from "./bedrock-config.js";
import { BedrockConverseLanguageModel } from "./bedrock-converse-language-model.js";
import { BedrockTitanEmbeddingModel } from "./bedrock-titan-embedding-model.js";

export interface BedrockProviderSettings {
  /** AWS region, e.g. "us-east-1". Default: AWS_REGION, then AWS_DEFAULT_REGION, then the SDK's profile config. */
  region?: string;
  /**
   * Static credentials or a credential provider (e.g. from `@aws-sdk/credential-providers`).
   * Default: the SDK's default chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN,
   * AWS_PROFILE and ~/.aws, SSO, web identity, container and instance roles).
   */
  credentials?: BedrockRuntimeClientConfig["credentials"];
  /**
   * A Bedrock API key: sent as `Authorization: Bearer` instead of SigV4 signing. Default: none (the
   * SDK itself uses AWS_BEARER_TOKEN_BEDROCK when that is set).
   */
  apiKey?: string;
  /** Another endpoint than `https://bedrock-runtime.{region}.amazonaws.com` (VPC endpoint, local test server). */
  endpoint?: string;
  /** Same as `endpoint` (the name the model-string registry passes); `endpoint` wins. */
  baseURL?: string;
  /** Headers added to every request (signed with it). */
  headers?: Record<string, string>;
  /** The provider's name: `LanguageModelV1.provider` and the `providerOptions` key read besides "bedrock". Default "bedrock". */
  name?: string;
}

export interface BedrockProvider extends ProviderV1 {
  /**
   * A chat model through the Converse API: a Bedrock model id or inference profile, e.g.
   * "anthropic.claude-3-5-sonnet-20240620-v1:0" or "us.amazon.nova-lite-v1:0" (or an ARN).
   */
  languageModel(modelId: string): LanguageModelV1;
  /** A Titan text embedding model through InvokeModel, e.g. "amazon.titan-embed-text-v2:0". */
  embeddingModel(modelId: string): EmbeddingModelV1;
  /** The provider's AWS SDK client (created on first use), for calls this package does not wrap. */
  client(): BedrockRuntimeClient;
}

export function createBedrock(settings: BedrockProviderSettings = {}): BedrockProvider {
  const name = settings.name ?? "bedrock";
  let client: BedrockRuntimeClient | undefined;
  const getClient = () => (client ??= createClient(settings));
  const config: BedrockConfig = { provider: name, client: getClient };
  return {
    name,
    languageModel: (modelId) => new BedrockConverseLanguageModel(modelId, config),
    embeddingModel: (modelId) => new BedrockTitanEmbeddingModel(modelId, config),
    client: getClient,
  };
}

function createClient(settings: BedrockProviderSettings): BedrockRuntimeClient {
  // The SDK reads AWS_REGION itself but not AWS_DEFAULT_REGION (the CLI's name): honour both.
  const region = settings.region ?? nonEmpty(process.env.AWS_REGION) ?? nonEmpty(process.env.AWS_DEFAULT_REGION);
  const endpoint = settings.endpoint ?? settings.baseURL;
  const client = new BedrockRuntimeClient({
    ...(region === undefined ? {} : { region }),
    ...(settings.credentials === undefined ? {} : { credentials: settings.credentials }),
    ...(settings.apiKey === undefined
      ? {}
      : { token: { token: settings.apiKey }, authSchemePreference: ["httpBearerAuth"] }),
    ...(endpoint === undefined ? {} : { endpoint }),
    // One attempt: retries belong to the caller's loop, which reads LlmApiError.isRetryable.
    maxAttempts: 1,
  });
  addRequestHeaders(client, settings.headers, "agnt5ProviderHeaders");
  return client;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

let defaultProvider: BedrockProvider | undefined;
const getDefaultProvider = () => (defaultProvider ??= createBedrock());

/** The default provider (region and credentials from the environment), created on first use. */
export const bedrock: BedrockProvider = {
  name: "bedrock",
  languageModel: (modelId) => getDefaultProvider().languageModel(modelId),
  embeddingModel: (modelId) => getDefaultProvider().embeddingModel(modelId),
  client: () => getDefaultProvider().client(),
};

/** The resolver convention: a "bedrock/<model id>" string resolves through this factory. */
export const agnt5Providers = { bedrock: createBedrock };

// Importing this package (`import "@agnt5/bedrock"`) is what enables "bedrock/..." model strings:
// @agnt5/llm names no adapter. Registering reads no environment variable and creates no client.
registerAdapterProviders(agnt5Providers);
