import { NoSuchModelError } from "./language-model-v1/llm-errors.js";

export interface ModelStringParts {
  /** "openai", "anthropic", "groq", ... */
  provider: string;
  /** Everything after the first "/": "gpt-4o-mini", "anthropic/claude-3.5-sonnet" (OpenRouter), ... */
  modelId: string;
}

/** Splits "provider/model" at the first "/". */
export function parseModelString(model: string): ModelStringParts {
  const slash = model.indexOf("/");
  if (slash <= 0 || slash === model.length - 1) {
    throw new NoSuchModelError(
      `Model "${model}" needs the form "<provider>/<model>", e.g. "openai/gpt-4o-mini" or "anthropic/claude-sonnet-4-5"`,
    );
  }
  return { provider: model.slice(0, slash), modelId: model.slice(slash + 1) };
}
