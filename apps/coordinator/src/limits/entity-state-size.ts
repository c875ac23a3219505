import type { StateChange } from "@agnt5/proto";
import type { PayloadLimits } from "./payload-limits.js";
import type { OversizedPayload } from "./payload-too-large.js";

/** The bytes of one key's state as the limit counts them: field names and UTF-8 values. */
export function entityStateBytes(state: Readonly<Record<string, string>>): number {
  let bytes = 0;
  for (const [field, value] of Object.entries(state)) bytes += Buffer.byteLength(field) + Buffer.byteLength(value);
  return bytes;
}

/**
 * The size of a key's state after a write, from its size before: only the changed fields are
 * measured, so a write to a large state costs what it changes. Over the limit, what to refuse.
 */
export function entityStateAfter(
  subject: string,
  current: Readonly<Record<string, string>>,
  currentBytes: number,
  changes: readonly StateChange[],
  limits: PayloadLimits,
): { bytes: number; oversized?: OversizedPayload } {
  // The last change of a field is the one that counts.
  const last = new Map<string, StateChange>();
  for (const change of changes) last.set(change.key, change);
  let bytes = currentBytes;
  for (const [field, change] of last) {
    if (Object.hasOwn(current, field)) bytes -= Buffer.byteLength(field) + Buffer.byteLength(current[field]!);
    if (!change.deleted) bytes += Buffer.byteLength(field) + change.value.byteLength;
  }
  const max = limits.entityStateBytes;
  return bytes > max ? { bytes, oversized: { limit: "entityStateBytes", bytes, maxBytes: max, subject } } : { bytes };
}
