/**
 * @agnt5/llm: the LanguageModel contract (v1) with no vendor SDK in it. Provider adapters live in
 * their own packages (@agnt5/openai, @agnt5/anthropic, @agnt5/bedrock); install the one you use.
 */
export * from "./language-model-v1/language-model-v1.js";
export * from "./language-model-v1/llm-errors.js";
