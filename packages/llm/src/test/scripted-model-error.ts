import { TerminalError } from "@agnt5/core";

/**
 * A ScriptedModel was called in a way its script does not allow (an unexpected call, a request its
 * matcher rejected) or left calls unused. Terminal, so retry loops and durable steps do not retry it.
 */
export class ScriptedModelError extends TerminalError {
  constructor(message: string) {
    super(message, { code: "SCRIPTED_MODEL_MISMATCH" });
  }
}
