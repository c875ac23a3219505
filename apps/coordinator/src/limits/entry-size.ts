import type { JournalEntry } from "@agnt5/proto";
import { entryKindName } from "../journal/journal-entry.js";
import type { PayloadLimits } from "./payload-limits.js";
import type { OversizedPayload } from "./payload-too-large.js";

const STEP_KINDS = new Set(["step", "deterministic"]);
const decoder = new TextDecoder();

/**
 * A proposed journal entry over a payload limit, or undefined. Byte lengths of the frame's own
 * buffers only (no serialisation), so the common, small entry costs a few comparisons.
 */
export function oversizedEntry(entry: JournalEntry, limits: PayloadLimits): OversizedPayload | undefined {
  const kind = entryKindName(entry.kind) ?? String(entry.kind);
  // Built only for a refusal: the common, small entry pays for no string.
  const subject = () => `entry ${entry.index} (${kind} ${JSON.stringify(entry.name.slice(0, 200))})`;
  const resultBytes = entryResultBytes(entry);
  if (STEP_KINDS.has(kind) && resultBytes > limits.stepResultBytes) {
    return { limit: "stepResultBytes", bytes: resultBytes, maxBytes: limits.stepResultBytes, subject: subject() };
  }
  const entryBytes = entry.request.byteLength + resultBytes;
  if (entryBytes > limits.journalEntryBytes) {
    return { limit: "journalEntryBytes", bytes: entryBytes, maxBytes: limits.journalEntryBytes, subject: subject() };
  }
  // A signal's payload travels inside the request; only a request over the limit can hold one that is.
  if (kind === "signal_emit" && entry.request.byteLength > limits.signalBytes) {
    const bytes = signalPayloadBytes(entry.request);
    if (bytes > limits.signalBytes)
      return { limit: "signalBytes", bytes, maxBytes: limits.signalBytes, subject: subject() };
  }
  return undefined;
}

function entryResultBytes(entry: JournalEntry): number {
  const outcome = entry.result?.outcome;
  if (outcome?.case === "value") return outcome.value.byteLength;
  if (outcome?.case === "failure") {
    return Buffer.byteLength(outcome.value.message) + Buffer.byteLength(outcome.value.detailsJson);
  }
  return 0;
}

/** The payload of a signal_emit request ({runId?, payload}), as the journal will keep it; a request that is not JSON is left to planProposal. */
function signalPayloadBytes(request: Uint8Array): number {
  try {
    const fields = JSON.parse(decoder.decode(request)) as { payload?: unknown };
    return Buffer.byteLength(JSON.stringify(fields?.payload ?? null));
  } catch {
    return 0;
  }
}
