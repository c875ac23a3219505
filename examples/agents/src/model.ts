import type { LanguageModel } from "@agnt5/llm";
import { type OfflineRule, offlineModel } from "./offline-model.js";

/**
 * The model every agent of the example uses: a real one when a key is set (OPENAI_API_KEY:
 * openai/gpt-4o-mini, ANTHROPIC_API_KEY: anthropic/claude-3-5-haiku-latest, or any
 * "provider/model" in AGNT5_EXAMPLE_MODEL), else the offline model answering by `rule`.
 */
export async function exampleModel(name: string, rule: OfflineRule): Promise<LanguageModel> {
  const chosen =
    process.env.AGNT5_EXAMPLE_MODEL ||
    (process.env.OPENAI_API_KEY
      ? "openai/gpt-4o-mini"
      : process.env.ANTHROPIC_API_KEY
        ? "anthropic/claude-3-5-haiku-latest"
        : undefined);
  if (chosen === undefined) return offlineModel(name, rule);
  // Importing an adapter registers its providers with @agnt5/llm's model string resolver.
  if (chosen.startsWith("anthropic/")) await import("@agnt5/anthropic");
  else await import("@agnt5/openai");
  return chosen;
}
