/**
 * @agnt5/bedrock: Amazon Bedrock for the AGNT5 LanguageModel v1 contract, on the AWS SDK v3
 * (`@aws-sdk/client-bedrock-runtime`). Chat models go through the Converse / ConverseStream API,
 * embeddings through InvokeModel with Amazon Titan text embeddings.
 *
 *   import { bedrock } from "@agnt5/bedrock";
 *   const model = bedrock.languageModel("us.amazon.nova-lite-v1:0");
 */
export { BedrockConverseLanguageModel } from "./bedrock-converse-language-model.js";
export type { BedrockProviderOptions } from "./bedrock-converse-options.js";
export { JSON_RESPONSE_TOOL_NAME } from "./bedrock-converse-request.js";
export {
  agnt5Providers,
  type BedrockProvider,
  type BedrockProviderSettings,
  bedrock,
  createBedrock,
} from "./bedrock-provider.js";
export { BedrockTitanEmbeddingModel } from "./bedrock-titan-embedding-model.js";
