import type { Message } from "./language-model-v1/language-model-v1.js";
import { invalidArgument } from "./llm-invalid-argument.js";

/** How a call states its prompt: `prompt` (one user message) or `messages`, with an optional `system`. */
export interface PromptOptions {
  system?: string;
  prompt?: string;
  messages?: Message[];
}

/** The messages a call sends: the system message first, then the prompt or the messages. */
export function toMessages({ system, prompt, messages }: PromptOptions): Message[] {
  if (prompt !== undefined && messages !== undefined) throw invalidArgument("Pass either prompt or messages, not both");
  if (prompt === undefined && messages === undefined) throw invalidArgument("Pass a prompt or messages");
  const head: Message[] = system === undefined ? [] : [{ role: "system", content: system }];
  return [...head, ...(messages ?? [{ role: "user", content: prompt ?? "" }])];
}
