import { TerminalError } from "@agnt5/core";
import { generateObject, generateText, type LanguageModel } from "@agnt5/llm";
import { z } from "zod";
import type { AppendedMessage, PruneInput } from "./session-entities.js";
import type { PruneOptions, SessionMessage } from "./session-types.js";

const DEFAULT_WINDOW = 100;
const DEFAULT_THRESHOLD = 50;

/** The strategy a prune names, checked: `keep_last_<N>` carries its N. */
export type ParsedStrategy =
  | { name: "keep_last"; keep: number }
  | { name: "sliding_window"; keep: number }
  | { name: "summarize_old"; keep: number }
  | { name: "keep_summary"; keep: number }
  | { name: "keep_important" };

export function parseStrategy(options: PruneOptions): ParsedStrategy {
  const { strategy } = options;
  const keepLast = /^keep_last_(\d+)$/.exec(strategy ?? "");
  if (keepLast) return { name: "keep_last", keep: Number(keepLast[1]) };
  const count = (value: number | undefined, fallback: number, field: string) => {
    const n = value ?? fallback;
    if (!Number.isInteger(n) || n < 0) {
      throw new TerminalError(`session.prune: ${field} must be a non-negative integer, got ${String(value)}`, {
        code: "INVALID_ARGUMENT",
      });
    }
    return n;
  };
  switch (strategy) {
    case "sliding_window":
      return { name: "sliding_window", keep: count(options.windowSize, DEFAULT_WINDOW, "windowSize") };
    case "summarize_old":
      return { name: "summarize_old", keep: count(options.threshold, DEFAULT_THRESHOLD, "threshold") };
    case "keep_summary":
      // Only a summary stays (plus the last `threshold` messages when given).
      return { name: "keep_summary", keep: count(options.threshold, 0, "threshold") };
    case "keep_important":
      return { name: "keep_important" };
    default:
      throw new TerminalError(
        `session.prune: unknown strategy ${JSON.stringify(strategy)} (use keep_last_<N>, sliding_window, summarize_old, keep_important or keep_summary)`,
        { code: "INVALID_ARGUMENT" },
      );
  }
}

/**
 * What a prune removes and writes, computed from the history as read: the entity applies it in one
 * write (removing only those seqs, so messages appended meanwhile stay). The model calls
 * (summaries, picks) happen here, before that write; `step` journals them in a durable context.
 */
export async function planPrune(
  history: SessionMessage[],
  options: PruneOptions,
  step: <T>(name: string, fn: () => Promise<T>) => Promise<T>,
): Promise<PruneInput> {
  const parsed = parseStrategy(options);
  const strategy = options.strategy;
  if (parsed.name === "keep_important") {
    const model = requireModel(options, strategy);
    const keep = await step("session:prune:pick", () => pickImportant(model, history));
    return { strategy, remove: history.filter((m) => !keep.has(m.seq)).map((m) => m.seq) };
  }
  const older = history.slice(0, Math.max(0, history.length - parsed.keep));
  if (parsed.name === "keep_last" || parsed.name === "sliding_window" || older.length === 0) {
    return { strategy, remove: older.map((m) => m.seq) };
  }
  // summarize_old / keep_summary: the older messages (an earlier summary included) become one summary.
  const model = requireModel(options, strategy);
  const text = await step("session:prune:summary", () => summarize(model, older));
  const summary: AppendedMessage = {
    role: "system",
    content: text,
    message: { role: "system", content: `Summary of the earlier conversation: ${text}` },
    metadata: { summarizedMessages: older.length, fromSeq: older[0]?.seq, toSeq: older.at(-1)?.seq },
  };
  return { strategy, remove: older.map((m) => m.seq), summary };
}

function requireModel(options: PruneOptions, strategy: string): LanguageModel {
  if (options.model === undefined) {
    throw new TerminalError(`session.prune: strategy "${strategy}" needs a model (prune({ strategy, model }))`, {
      code: "INVALID_ARGUMENT",
    });
  }
  return options.model;
}

function transcript(messages: SessionMessage[]): string {
  return messages.map((m) => `#${m.seq} ${m.role}${m.agent ? ` (${m.agent})` : ""}: ${m.content}`).join("\n");
}

async function summarize(model: LanguageModel, messages: SessionMessage[]): Promise<string> {
  const { text } = await generateText({
    model,
    system:
      "Summarize this conversation for the assistant that continues it: keep facts, decisions, open questions and user preferences. Be concise.",
    prompt: transcript(messages),
  });
  return text;
}

async function pickImportant(model: LanguageModel, messages: SessionMessage[]): Promise<Set<number>> {
  const { object } = await generateObject({
    model,
    schema: z.object({ keep: z.array(z.number().int()) }),
    system:
      "Pick the messages worth keeping in this conversation (facts, decisions, user preferences, unresolved requests). Answer with the numbers after # of the messages to keep.",
    prompt: transcript(messages),
  });
  return new Set(object.keep);
}
