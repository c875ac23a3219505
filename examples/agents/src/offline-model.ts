import type { CallOptions, LanguageModelV1, Message } from "@agnt5/llm";
import { ScriptedModel, type ScriptedResponse } from "@agnt5/llm/test";

/** Decides one model answer from the conversation so far (the messages the agent sends). */
export type OfflineRule = (messages: readonly Message[]) => ScriptedResponse;

/**
 * A deterministic stand-in for an LLM, so the example runs without an API key: each call is
 * answered by `rule` from the conversation (not from a call count, so a run resumed on another
 * worker gets the same answers). It speaks the LanguageModelV1 contract through ScriptedModel.
 */
export function offlineModel(name: string, rule: OfflineRule): LanguageModelV1 {
  const answer = (options: CallOptions) => new ScriptedModel([rule(options.messages)], { modelId: name });
  return {
    specificationVersion: "v1",
    provider: "offline",
    modelId: name,
    generate: (options) => answer(options).generate(options),
    stream: (options) => answer(options).stream(options),
  };
}

/** The text of the first user message. */
export function userText(messages: readonly Message[]): string {
  const first = messages.find((message) => message.role === "user");
  return typeof first?.content === "string" ? first.content : JSON.stringify(first?.content ?? "");
}

/** The latest tool result as the model was sent it (text or JSON), undefined before any tool ran. */
export function lastToolResult(messages: readonly Message[]): string | undefined {
  const tool = [...messages].reverse().find((message) => message.role === "tool");
  const output = tool?.role === "tool" ? tool.content.at(-1)?.output : undefined;
  if (output === undefined) return undefined;
  return typeof output === "string" ? output : JSON.stringify(output);
}
