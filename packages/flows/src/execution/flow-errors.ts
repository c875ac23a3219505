import { TerminalError } from "@agnt5/core";

/** A task step failed (after its handler's own retries and any timer retries): the run fails. */
export class FlowStepFailedError extends TerminalError {
  readonly step: string;

  constructor(step: string, cause: { code: string; message: string }) {
    super(`Flow step "${step}" failed: ${cause.message}`, {
      code: "FLOW_STEP_FAILED",
      details: { step, code: cause.code },
    });
    this.step = step;
  }
}
