import { LlmInvalidArgumentError } from "./language-model-v1/llm-errors.js";

/** A call that cannot work as written (no prompt, prompt and messages, ...). Terminal: a retry cannot fix it. */
export function invalidArgument(message: string): LlmInvalidArgumentError {
  return new LlmInvalidArgumentError(message);
}
