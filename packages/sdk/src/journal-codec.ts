import { TerminalError } from "@agnt5/core";
import type { EntryFailure, EntryResult, JournalEntry } from "@agnt5/durable";
import {
  create,
  EntryResultSchema,
  entryKindName,
  entryKindValue,
  JournalEntrySchema,
  type EntryResult as ProtoEntryResult,
  type JournalEntry as ProtoJournalEntry,
} from "@agnt5/proto";

/**
 * Journal entries between the protocol (agnt5.v1.JournalEntry: enum kind, UTF-8 JSON bytes) and the
 * engine (@agnt5/durable: kind names, JSON values). See docs/durable-execution.md.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** StartInvocation.journal -> the engine's journal. Throws a TerminalError (INVALID_JOURNAL) for an entry it cannot read. */
export function journalFromProto(entries: readonly ProtoJournalEntry[]): JournalEntry[] {
  return entries.map((entry) => {
    const kind = entryKindName(entry.kind);
    if (!kind) throw invalidJournal(`entry ${entry.index} ("${entry.name}") has an unsupported kind (${entry.kind})`);
    const request = readJson(entry.request, () => `the request of entry ${entry.index} ("${entry.name}")`);
    const result = resultFromProto(entry.result, `entry ${entry.index} ("${entry.name}")`);
    return {
      index: entry.index,
      kind,
      name: entry.name,
      request,
      ...(result === undefined ? {} : { result }),
    };
  });
}

/** An engine entry (a proposal) -> agnt5.v1.JournalEntry; request and result values as JSON bytes. */
export function entryToProto(entry: JournalEntry): ProtoJournalEntry {
  return create(JournalEntrySchema, {
    index: entry.index,
    kind: entryKindValue(entry.kind),
    name: entry.name,
    // null (no request) travels as empty bytes, as the coordinator stores and returns it.
    request: entry.request === null || entry.request === undefined ? new Uint8Array() : writeJson(entry.request),
    ...(entry.result === undefined ? {} : { result: resultToProto(entry.result) }),
  });
}

export function resultToProto(result: EntryResult): ProtoEntryResult {
  if (result.ok) return create(EntryResultSchema, { outcome: { case: "value", value: writeJson(result.value) } });
  const { code, message, type, details } = result.failure;
  return create(EntryResultSchema, {
    outcome: {
      case: "failure",
      value: {
        code,
        message,
        type: type ?? "",
        detailsJson: details === undefined ? "" : (safeStringify(details) ?? ""),
        retryable: false,
      },
    },
  });
}

/**
 * EntryResult (protocol) -> the engine's result; undefined when absent (an entry still waiting).
 * Throws a TerminalError (INVALID_JOURNAL) when the value is not JSON.
 */
export function resultFromProto(result: ProtoEntryResult | undefined, what: string): EntryResult | undefined {
  const outcome = result?.outcome;
  if (!outcome?.case) return undefined;
  if (outcome.case === "value") return { ok: true, value: readJson(outcome.value, () => `the result of ${what}`) };
  const failure: EntryFailure = { code: outcome.value.code || "HANDLER_ERROR", message: outcome.value.message };
  if (outcome.value.type) failure.type = outcome.value.type;
  if (outcome.value.detailsJson) {
    try {
      failure.details = JSON.parse(outcome.value.detailsJson);
    } catch {
      // Best effort, like the coordinator: unreadable details are left out, the failure stays.
    }
  }
  return { ok: false, failure };
}

/** JSON bytes -> value; empty bytes are null. */
function readJson(bytes: Uint8Array, what: () => string): unknown {
  if (bytes.byteLength === 0) return null;
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch (error) {
    throw invalidJournal(`${what()} is not JSON: ${(error as Error).message}`);
  }
}

function writeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value === undefined ? null : value));
}

function safeStringify(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return JSON.stringify(String(value));
  }
}

function invalidJournal(message: string): TerminalError {
  return new TerminalError(`Invalid journal from the coordinator: ${message}`, { code: "INVALID_JOURNAL" });
}
