import { TerminalError } from "@agnt5/core";

/** A call that cannot work as written (no prompt, prompt and messages, ...). Terminal: a retry cannot fix it. */
export function invalidArgument(message: string): TerminalError {
  return new TerminalError(message, { code: "INVALID_ARGUMENT" });
}
