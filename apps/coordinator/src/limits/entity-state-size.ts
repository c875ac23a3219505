import type { StateChange } from "@agnt5/proto";
import type { PayloadLimits } from "./payload-limits.js";
import type { OversizedPayload } from "./payload-too-large.js";

/**
 * One entity key's state as a write would leave it, when that is over the limit; undefined
 * otherwise. The changed values are measured by their buffers; the unchanged ones are only
 * measured exactly when an upper bound (3 bytes per UTF-16 unit) could cross the limit.
 */
export function oversizedEntityState(
  subject: string,
  current: Readonly<Record<string, string>>,
  changes: readonly StateChange[],
  limits: PayloadLimits,
): OversizedPayload | undefined {
  const max = limits.entityStateBytes;
  const changed = new Set<string>();
  let bytes = 0;
  for (const change of changes) {
    changed.add(change.key);
    if (!change.deleted) bytes += Buffer.byteLength(change.key) + change.value.byteLength;
  }
  if (bytes > max) return { limit: "entityStateBytes", bytes, maxBytes: max, subject };
  let bound = bytes;
  const kept: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(current)) {
    if (changed.has(key)) continue;
    kept.push([key, value]);
    bound += 3 * (key.length + value.length);
  }
  if (bound <= max) return undefined;
  for (const [key, value] of kept) bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  return bytes > max ? { limit: "entityStateBytes", bytes, maxBytes: max, subject } : undefined;
}
