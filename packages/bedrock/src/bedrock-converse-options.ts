/**
 * Bedrock-only settings, passed per call as `providerOptions: { bedrock: { ... } }` (under the
 * provider's `name` too, when createBedrock was given another one: that key wins).
 */
import { LlmInvalidArgumentError } from "@agnt5/llm";
import type {
  GuardrailStreamConfiguration,
  PerformanceConfiguration,
  ServiceTier,
} from "@aws-sdk/client-bedrock-runtime";

export interface BedrockProviderOptions {
  /**
   * Model fields the Converse API does not model, sent as `additionalModelRequestFields`, e.g.
   * `{ top_k: 40 }` or Claude's `{ thinking: { type: "enabled", budget_tokens: 2048 } }`.
   */
  additionalModelRequestFields?: Record<string, unknown>;
  /** A guardrail to apply (`guardrailConfig`; `streamProcessingMode` is used by streams only). */
  guardrailConfig?: GuardrailStreamConfiguration;
  performanceConfig?: PerformanceConfiguration;
  /** Key/value pairs recorded with the invocation logs (`requestMetadata`). */
  requestMetadata?: Record<string, string>;
  serviceTier?: ServiceTier;
  /**
   * How `responseFormat: { type: "json" }` is obtained:
   * - "tool" (default): a forced tool call whose input schema is the requested schema; works on
   *   every Bedrock model that supports tool choice (Anthropic Claude, Amazon Nova, ...);
   * - "native": Converse's `outputConfig.textFormat` with a `json_schema`; only on the models that
   *   support structured outputs.
   */
  structuredOutputMode?: "tool" | "native";
}

/** Reads `providerOptions.bedrock` (and `providerOptions[name]`, which wins) without trusting its shape blindly. */
export function readBedrockProviderOptions(
  providerOptions: Record<string, Record<string, unknown>> | undefined,
  providerName: string,
): BedrockProviderOptions {
  const merged: Record<string, unknown> = {
    ...(providerOptions?.bedrock ?? {}),
    ...(providerName === "bedrock" ? {} : (providerOptions?.[providerName] ?? {})),
  };
  const mode = merged.structuredOutputMode;
  if (mode !== undefined && mode !== "tool" && mode !== "native") {
    throw new LlmInvalidArgumentError(
      `providerOptions.bedrock.structuredOutputMode must be "tool" or "native", got ${String(mode)}`,
      { provider: "bedrock" },
    );
  }
  return merged as BedrockProviderOptions;
}
