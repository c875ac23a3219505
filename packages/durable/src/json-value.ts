import { TerminalError } from "@agnt5/core";
import type { JsonValue } from "./journal-entry.js";

/**
 * The value as the journal will hold it: what JSON.stringify/parse makes of it (undefined becomes
 * null, a Date its ISO string, ...). The handler sees this form on the first run too, so the first
 * run and every replay see the same value.
 */
export function toJsonValue(value: unknown, what: string, code = "INVALID_ARGUMENT"): JsonValue {
  if (value === undefined || value === null) return null;
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new TerminalError(`${what} is not JSON-serialisable: ${(error as Error).message}`, { code, cause: error });
  }
  return text === undefined ? null : (JSON.parse(text) as JsonValue);
}
