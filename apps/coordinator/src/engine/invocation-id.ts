import { randomUUID } from "node:crypto";

/**
 * Time-ordered invocation ids (UUIDv7 layout: 48-bit unix ms, version 7, then random bits), so new
 * rows land at the end of the primary-key index instead of all over it. The random bits come from
 * randomUUID(), which draws from a cached pool of random bytes: randomBytes(16) per id cost a
 * system random read each time, the largest single item of a function call's coordinator CPU.
 */
export function newInvocationId(now = Date.now()): string {
  // A v4 UUID: xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx, variant V already 10xx. The first 48 bits
  // become the time and the version digit 7; the remaining 74 bits stay random.
  const random = randomUUID();
  const time = now.toString(16).padStart(12, "0");
  return `inv_${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(15)}`;
}
