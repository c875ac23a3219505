/** A step's state, as GET /v1/runs/:id and the run's output show it. */
export type StepState = "pending" | "running" | "waiting" | "completed" | "skipped" | "failed" | "timed_out";

/** States a step ends in. */
export type FinalStepState = "completed" | "skipped" | "failed" | "timed_out";

/**
 * The name of the journal entry (a ctx.step) the interpreter records each time a step settles or
 * changes phase. One constant name, on purpose: which of several parallel steps settles first is a
 * matter of timing, so the step it concerns is in the recorded value, and a replay follows the
 * recorded order instead of the order it happens to observe (see runFlow).
 */
export const FLOW_ENTRY = "flow:step";

/**
 * The value of a FLOW_ENTRY entry. `retrying`: the task failed and waits its timer dependency
 * before attempt `attempt`; `running`: that timer fired and attempt `attempt` started.
 */
export interface StepRecord {
  step: string;
  state: FinalStepState | "retrying" | "running";
  output?: unknown;
  error?: { code: string; message: string };
  attempt?: number;
}

/** What a flow run returns: every step's final state, and the outputs of the completed ones. */
export interface FlowRunOutput {
  states: Record<string, FinalStepState>;
  outputs: Record<string, unknown>;
}

/** What a task step's handler receives. */
export interface FlowTaskInput<RunInput = unknown, Data = unknown> {
  /** The input the run was started with. */
  runInput: RunInput;
  /** The step's constant inputData (undefined when it has none). */
  inputData: Data;
  /** Outputs of the step's dependencies that completed, by step name (a signal step's: its payload). */
  deps: Record<string, unknown>;
  /**
   * Outputs of every completed step upstream of this one (dependencies, their dependencies, ..., and
   * the wait whose onTimeout this is), by step name: data passes across a wait or timer step.
   */
  upstream: Record<string, unknown>;
}
