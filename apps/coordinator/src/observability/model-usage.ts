import type { TimelineEntry } from "@agnt5/admin-client";
import { modelCallsOf } from "../admin/detail/ai-calls.js";

/** A journal entry as committed: its result's value is JSON text. */
export interface CommittedEntry {
  readonly index: number;
  readonly kind: string;
  readonly name: string;
  readonly result?: { ok: true; value: string } | { ok: false } | undefined;
}

export interface ModelUsage {
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
}

/** Cheap test first: only steps named like model calls have their result parsed. */
const MODEL_STEP = /(^|:)llm(:|$)|:model/;

/**
 * The model and tokens of a committed model-call step (@agnt5/llm's `llm:<provider>/<model>`,
 * @agnt5/adk's agent loop), read the way the admin API reads them; undefined for other entries.
 */
export function modelUsageOf(entry: CommittedEntry): ModelUsage | undefined {
  if (entry.kind !== "step" || !MODEL_STEP.test(entry.name) || !entry.result?.ok) return undefined;
  let result: unknown;
  try {
    result = JSON.parse(entry.result.value);
  } catch {
    return undefined;
  }
  const timeline = [{ index: entry.index, kind: entry.kind, name: entry.name, result, durationMs: null }];
  const [call] = modelCallsOf(timeline as unknown as TimelineEntry[]);
  if (!call) return undefined;
  const label = call.model ?? "unknown";
  const slash = label.indexOf("/");
  return {
    provider: slash > 0 ? label.slice(0, slash) : "unknown",
    model: slash > 0 ? label.slice(slash + 1) : label,
    inputTokens: call.inputTokens ?? 0,
    outputTokens: call.outputTokens ?? 0,
  };
}
