import type { Message } from "./language-model-v1/language-model-v1.js";

/**
 * The most of a prompt a model call's journal entry keeps, in JSON characters: the newest messages
 * that fit (a long conversation would otherwise be journaled again with every call).
 */
export const MAX_RECORDED_PROMPT_CHARS = 64 * 1024;

/** What a model call's journal entry records of its request, beside the answer (the admin API shows both). */
export interface RecordedPrompt {
  /** "<provider>/<modelId>", when the caller knows the model. */
  model?: string;
  /** The newest messages of the request, oldest first. */
  messages: Message[];
  /** Older messages left out to stay under MAX_RECORDED_PROMPT_CHARS. */
  omittedMessages: number;
}

/**
 * A model answer as journaled: the answer with the prompt it answered under `prompt`. Strip it
 * with withoutRecordedPrompt before using the answer, so callers see the same value whether the
 * entry was recorded now or by an older version without it.
 */
export function withRecordedPrompt<T extends object>(
  answer: T,
  messages: readonly Message[],
  model?: string,
): T & { prompt: RecordedPrompt } {
  const kept: Message[] = [];
  let size = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    const length = JSON.stringify(messages[i]).length;
    if (size + length > MAX_RECORDED_PROMPT_CHARS) break;
    size += length;
    kept.unshift(messages[i] as Message);
  }
  return {
    ...answer,
    prompt: {
      ...(model === undefined ? {} : { model }),
      messages: kept,
      omittedMessages: messages.length - kept.length,
    },
  };
}

export function withoutRecordedPrompt<T extends object>(recorded: T & { prompt?: unknown }): T {
  if (!("prompt" in recorded)) return recorded;
  const { prompt: _, ...answer } = recorded;
  return answer as T;
}
