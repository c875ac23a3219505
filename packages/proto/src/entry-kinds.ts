import { EntryKind } from "./gen/agnt5/v1/worker_pb.js";

/**
 * Journal entry kinds as the string names the engine, the coordinator and the store use
 * (docs/durable-execution.md), converted at the protocol boundary in one place.
 */
export type EntryKindName = "step" | "deterministic" | "timer" | "signal_wait" | "signal_emit" | "call";

const fromProto: Partial<Record<EntryKind, EntryKindName>> = {
  [EntryKind.STEP]: "step",
  [EntryKind.DETERMINISTIC]: "deterministic",
  [EntryKind.TIMER]: "timer",
  // The protocol also names sleeps and spawns; both travel as timer / call entries.
  [EntryKind.SLEEP]: "timer",
  [EntryKind.SIGNAL_WAIT]: "signal_wait",
  [EntryKind.SIGNAL_EMIT]: "signal_emit",
  [EntryKind.CALL]: "call",
  [EntryKind.SPAWN]: "call",
};

const toProto: Record<EntryKindName, EntryKind> = {
  step: EntryKind.STEP,
  deterministic: EntryKind.DETERMINISTIC,
  timer: EntryKind.TIMER,
  signal_wait: EntryKind.SIGNAL_WAIT,
  signal_emit: EntryKind.SIGNAL_EMIT,
  call: EntryKind.CALL,
};

/** The name of a protocol entry kind, or undefined for one this version does not journal. */
export function entryKindName(kind: EntryKind): EntryKindName | undefined {
  return fromProto[kind];
}

export function entryKindValue(name: EntryKindName): EntryKind {
  return toProto[name];
}
