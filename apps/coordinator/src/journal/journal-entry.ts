import {
  create,
  type EntryKindName,
  type EntryResult,
  entryKindName,
  entryKindValue,
  type JournalEntry,
  JournalEntrySchema,
} from "@agnt5/proto";
import type { EntryResultRow, JournalEntryRecord, StoredError } from "../store/index.js";
import { toStoredError } from "../store/sql.js";

/** The journal entry kinds of docs/durable-execution.md, as stored (converted in @agnt5/proto). */
export type { EntryKindName };
export { entryKindName };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** An entry as the coordinator keeps it in memory while the invocation is live. */
export interface LiveEntry {
  index: number;
  kind: EntryKindName;
  name: string;
  /** JSON text, or null. */
  request: string | null;
  result: EntryResultRow | undefined;
}

export function liveEntry(record: JournalEntryRecord): LiveEntry {
  return {
    index: record.index,
    kind: record.kind as EntryKindName,
    name: record.name,
    request: record.request,
    result: record.result,
  };
}

export function toProtoEntry(entry: LiveEntry): JournalEntry {
  return create(JournalEntrySchema, {
    index: entry.index,
    kind: entryKindValue(entry.kind),
    name: entry.name,
    request: entry.request === null ? new Uint8Array() : encoder.encode(entry.request),
    ...(entry.result ? { result: toProtoResult(entry.result) } : {}),
  });
}

export function toProtoResult(result: EntryResultRow): EntryResult {
  return result.ok
    ? ({ outcome: { case: "value", value: encoder.encode(result.value) } } as EntryResult)
    : ({
        outcome: {
          case: "failure",
          value: {
            code: result.failure.code,
            message: result.failure.message,
            type: result.failure.type ?? "",
            detailsJson: result.failure.details === undefined ? "" : JSON.stringify(result.failure.details),
            retryable: false,
          },
        },
      } as EntryResult);
}

export function fromProtoResult(result: EntryResult | undefined): EntryResultRow | undefined {
  const outcome = result?.outcome;
  if (!outcome?.case) return undefined;
  if (outcome.case === "value") {
    return { ok: true, value: outcome.value.byteLength ? decoder.decode(outcome.value) : "null" };
  }
  const failure: StoredError = { code: outcome.value.code || "HANDLER_ERROR", message: outcome.value.message };
  if (outcome.value.type) failure.type = outcome.value.type;
  if (outcome.value.detailsJson) {
    try {
      failure.details = JSON.parse(outcome.value.detailsJson);
    } catch {}
  }
  // As the journal will keep it (U+0000 -> U+FFFD): the live entry and a replay see the same failure.
  return { ok: false, failure: toStoredError(failure) };
}

/** The request of a proposal as JSON text (null when empty), checked to parse. */
export function requestText(bytes: Uint8Array): string | null {
  if (bytes.byteLength === 0) return null;
  const text = decoder.decode(bytes);
  JSON.parse(text);
  return text;
}
