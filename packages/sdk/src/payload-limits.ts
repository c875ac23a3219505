import { TerminalError } from "@agnt5/core";
import {
  entryKindName,
  type JournalEntry,
  MAX_MESSAGE_BYTES,
  type PayloadLimits as ProtoPayloadLimits,
  type StateChange,
  type StateChangeSchema,
} from "@agnt5/proto";
import type { MessageInitShape } from "@bufbuild/protobuf";

/**
 * The payload limits a worker checks before sending, so a handler author reads which limit a
 * payload crossed (and the invocation fails once) instead of the coordinator's refusal, or a gRPC
 * frame over its limit that would break the stream and every invocation on it.
 */
export interface PayloadLimits {
  journalEntryBytes: number;
  stepResultBytes: number;
  entityStateBytes: number;
  signalBytes: number;
  /** false: the coordinator announced none (an older one); only the gRPC frame limit applies. */
  announced: boolean;
}

/** The room a payload has in one gRPC frame, less a margin for the frame's other fields. */
const FRAME_BYTES = MAX_MESSAGE_BYTES - 64 * 1024;

const VARIABLES = {
  journalEntryBytes: "AGNT5_MAX_JOURNAL_ENTRY_BYTES",
  stepResultBytes: "AGNT5_MAX_STEP_RESULT_BYTES",
  entityStateBytes: "AGNT5_MAX_ENTITY_STATE_BYTES",
  signalBytes: "AGNT5_MAX_SIGNAL_BYTES",
} as const;
type LimitName = keyof typeof VARIABLES;

export const FRAME_PAYLOAD_LIMITS: PayloadLimits = {
  journalEntryBytes: FRAME_BYTES,
  stepResultBytes: FRAME_BYTES,
  entityStateBytes: FRAME_BYTES,
  signalBytes: FRAME_BYTES,
  announced: false,
};

/** WorkerRegistered.payload_limits, each capped by the frame limit (0 or absent: the frame limit). */
export function announcedPayloadLimits(announced: ProtoPayloadLimits | undefined): PayloadLimits {
  if (!announced) return FRAME_PAYLOAD_LIMITS;
  const limit = (value: bigint) => (value > 0n ? Math.min(Number(value), FRAME_BYTES) : FRAME_BYTES);
  return {
    journalEntryBytes: limit(announced.journalEntryBytes),
    stepResultBytes: limit(announced.stepResultBytes),
    entityStateBytes: limit(announced.entityStateBytes),
    signalBytes: limit(announced.signalBytes),
    announced: true,
  };
}

/** A proposed entry over a limit, as the handler's failure; undefined when it fits. */
export function oversizedEntry(entry: JournalEntry, limits: PayloadLimits): TerminalError | undefined {
  const kind = entryKindName(entry.kind) ?? String(entry.kind);
  // Built only for a refusal: the common, small entry pays for no string.
  const subject = () => `${kind} ${JSON.stringify(entry.name.slice(0, 200))} (entry ${entry.index})`;
  const outcome = entry.result?.outcome;
  const resultBytes =
    outcome?.case === "value"
      ? outcome.value.byteLength
      : outcome?.case === "failure"
        ? Buffer.byteLength(outcome.value.message) + Buffer.byteLength(outcome.value.detailsJson)
        : 0;
  if ((kind === "step" || kind === "deterministic") && resultBytes > limits.stepResultBytes) {
    return tooLarge("stepResultBytes", `The result of ${subject()}`, resultBytes, limits);
  }
  const entryBytes = entry.request.byteLength + resultBytes;
  if (entryBytes > limits.journalEntryBytes) {
    return tooLarge("journalEntryBytes", `The journal entry of ${subject()}`, entryBytes, limits);
  }
  // A signal's payload is inside the request; only a request over the limit can hold one that is.
  if (kind === "signal_emit" && entry.request.byteLength > limits.signalBytes) {
    const payload = (JSON.parse(new TextDecoder().decode(entry.request)) as { payload?: unknown }).payload;
    const bytes = Buffer.byteLength(JSON.stringify(payload ?? null));
    if (bytes > limits.signalBytes) return tooLarge("signalBytes", `The payload of ${subject()}`, bytes, limits);
  }
  return undefined;
}

/** An entity write whose state would be over the limit, as the method's failure. */
export function oversizedEntityState(
  label: string,
  initial: readonly Pick<StateChange, "key" | "value" | "deleted">[],
  changes: readonly MessageInitShape<typeof StateChangeSchema>[],
  limits: PayloadLimits,
): TerminalError | undefined {
  if (changes.length === 0) return undefined;
  const fields = new Map<string, number>();
  for (const field of initial) if (!field.deleted) fields.set(field.key, field.value.byteLength);
  for (const change of changes) {
    if (change.deleted) fields.delete(change.key ?? "");
    else fields.set(change.key ?? "", change.value?.byteLength ?? 0);
  }
  let bytes = 0;
  for (const [field, valueBytes] of fields) bytes += Buffer.byteLength(field) + valueBytes;
  return bytes > limits.entityStateBytes
    ? tooLarge("entityStateBytes", `The state of ${label} after this write`, bytes, limits)
    : undefined;
}

/** An output too large for one gRPC frame (no coordinator setting limits outputs). */
export function oversizedOutput(name: string, bytes: number): TerminalError | undefined {
  if (bytes <= FRAME_BYTES) return undefined;
  return new TerminalError(
    `The output of ${name} is ${bytes} bytes, over the ${FRAME_BYTES} bytes one gRPC message can carry; not sent`,
    { code: "PAYLOAD_TOO_LARGE", details: { limit: "grpc.max_send_message_length", maxBytes: FRAME_BYTES, bytes } },
  );
}

function tooLarge(limit: LimitName, what: string, bytes: number, limits: PayloadLimits): TerminalError {
  const maxBytes = limits[limit];
  const variable = limits.announced ? VARIABLES[limit] : "grpc.max_send_message_length";
  const source = limits.announced
    ? `the coordinator's limit of ${maxBytes} bytes (${variable})`
    : `the ${maxBytes} bytes one gRPC message can carry`;
  return new TerminalError(`${what} is ${bytes} bytes, over ${source}; not sent, nothing stored`, {
    code: "PAYLOAD_TOO_LARGE",
    details: { limit: variable, maxBytes, bytes },
  });
}
