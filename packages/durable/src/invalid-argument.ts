import { TerminalError } from "@agnt5/core";

/** A durable operation called with arguments that cannot work. Raised before an index is reserved. */
export function invalidArgument(message: string): TerminalError {
  return new TerminalError(message, { code: "INVALID_ARGUMENT" });
}

/** A finite, non-negative number. */
export function isDuration(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

export function isName(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}
