import type { Message } from "@agnt5/llm";
import type { Agent } from "./agent.js";
import type { AgentRuntime } from "./agent-runtime.js";
import { Memory } from "./memory/memory.js";
import { attachMemoryContext } from "./memory/memory-context.js";
import type { MemoryFilter, MemorySearchResult } from "./memory/memory-types.js";

/** How an agent given a memory recalls it before each run (AgentOptions.memoryRecall). */
export interface MemoryRecallOptions {
  /** Memories recalled at most per run (default 5). */
  limit?: number;
  /** Leave out memories scoring below this (default: none left out; scores are the backend's: cosine, ts_rank or keyword share). */
  minScore?: number;
  /** Only memories with these metadata fields (e.g. `{ userId }`). */
  filter?: MemoryFilter;
}

export const DEFAULT_RECALL_LIMIT = 5;

/**
 * The memories relevant to this run, as one system message after the instructions: the agent's memory
 * searched with the run's input text (the last user message), the best `limit` kept. Journaled as
 * `<prefix>:memory`, so a replay sees the memories the first run saw. Also attaches the memory to the
 * run's durable context as ctx.memory (journaled in it) when the context has none.
 */
export async function recallMemories(
  agent: Agent<any>,
  turn: readonly Message[],
  runtime: AgentRuntime,
  prefix: string,
): Promise<Message[]> {
  const memory = agent.memory;
  if (!memory || agent.memoryRecall === false) return [];
  if (runtime.ctx) attachMemoryContext(runtime.ctx, memory);
  const query = queryText(turn);
  if (query === "") return [];
  const options = agent.memoryRecall ?? {};
  // A Memory without a context: the search runs inside this entry, whatever context the memory has.
  const plain = new Memory({ service: memory.service });
  const found = await runtime.step(`${prefix}:memory`, () =>
    plain.search(query, {
      limit: options.limit ?? DEFAULT_RECALL_LIMIT,
      ...(options.minScore === undefined ? {} : { minScore: options.minScore }),
      ...(options.filter === undefined ? {} : { filter: options.filter }),
    }),
  );
  return found.length === 0 ? [] : [{ role: "system", content: memoryMessage(found) }];
}

function memoryMessage(found: readonly MemorySearchResult[]): string {
  const lines = found.map((hit) => `- [${hit.key}] ${hit.content}`);
  return `Relevant long-term memories (most relevant first; use them where they help, they may be out of date):\n${lines.join("\n")}`;
}

/** The text recall searches with: the last user message of the run's input. */
function queryText(turn: readonly Message[]): string {
  for (let index = turn.length - 1; index >= 0; index--) {
    const message = turn[index];
    if (message?.role !== "user") continue;
    if (typeof message.content === "string") return message.content.trim();
    return message.content
      .flatMap((part) => (part.type === "text" ? [part.text] : []))
      .join(" ")
      .trim();
  }
  return "";
}

/** How many system messages open `messages` (the instructions, and the recalled memories). */
export function leadingSystemMessages(messages: readonly Message[]): number {
  const index = messages.findIndex((message) => message.role !== "system");
  return index === -1 ? messages.length : index;
}
