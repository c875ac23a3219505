/** What the coordinator's gateway answers about workflow runs (/v1/workflows/:name/runs, /v1/runs/:runId/...). */

/** The seed's workflow statuses: a run blocked on a timer, signal or child call (or suspended) is "waiting". */
export type RunStatus = "pending" | "running" | "waiting" | "completed" | "failed" | "cancelled" | (string & {});

export interface RunError {
  code: string;
  message: string;
  type?: string;
  details?: unknown;
}

/** The journal entry a run is at: its last recorded one, or the one it waits on. */
export interface RunStep {
  index: number;
  kind: JournalEntryKind;
  name: string;
  status: "pending" | "completed" | (string & {});
}

/** GET /v1/runs/:runId. */
/** One step of a flow run, as GET /v1/runs/:runId shows it. */
export interface RunFlowStep {
  name: string;
  stepType: "task" | "wait_signal" | "wait_timer";
  state: "pending" | "running" | "waiting" | "completed" | "skipped" | "failed" | "timed_out";
  /** A completed step's output (a signal step's: the signal's payload). */
  output?: unknown;
  error?: { code: string; message: string };
  /** Timer retries of a task step: the retry attempt under way. */
  attempt?: number;
}

export interface RunInfo<Output = unknown> {
  runId: string;
  /** The workflow's name. */
  workflow: string;
  /** The service that hosts it. */
  service: string;
  status: RunStatus;
  attempt: number;
  /** Cancellation was asked for (the run ends cancelled once the handler has seen it). */
  cancelRequested?: boolean;
  currentStep?: RunStep;
  /** Runs of a declarative flow (@agnt5/flows): every step, in definition order. */
  steps?: RunFlowStep[];
  output?: Output;
  error?: RunError;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601, once the run has ended. */
  completedAt?: string;
}

export interface StartWorkflowOptions {
  /**
   * The run's id: starting a run whose id exists returns that run (`created: false`) instead of
   * starting another, so retries of the same start are safe. Default: one chosen by the coordinator.
   * 1-200 characters of A-Z a-z 0-9 _ . : -
   */
  runId?: string;
  /** Forwarded to the handler (ctx.headers), like an invocation's headers. */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface StartedRun {
  runId: string;
  /** false when a run with this runId already existed. */
  created: boolean;
}

export interface WorkflowResultOptions {
  /** How long the gateway waits for the run to end before answering TIMEOUT (504). Default: the gateway's. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface RunWorkflowOptions extends StartWorkflowOptions {
  /** How long to wait for the run's result (see WorkflowResultOptions.timeoutMs). */
  timeoutMs?: number;
}

export interface ApprovalRequest {
  decision: "approved" | "rejected";
  /** Who decides (recorded with the decision). With authentication on, the API key's name is recorded instead. */
  by: string;
  comment?: string;
  /** Dev mode only: the approver's roles (sent as x-agnt5-roles). With authentication on, the API key's roles count. */
  roles?: readonly string[];
  /** Approve with edited arguments (an agent's confirmation tool then runs with them; the journal keeps both). */
  edits?: unknown;
  signal?: AbortSignal;
}

export interface SignalResult {
  runId: string;
  signal: string;
  /** true: a ctx.signal() was waiting and received it; false: it is kept until one waits. */
  delivered: boolean;
}

export interface ApprovalResult {
  runId: string;
  approval: string;
  decision: "approved" | "rejected";
}

export interface CancelResult {
  runId: string;
  /** The run's status when the cancellation was recorded (it ends "cancelled" once the handler sees it). */
  status: RunStatus;
  cancelRequested: boolean;
}

export type JournalEntryKind =
  | "step"
  | "deterministic"
  | "timer"
  | "signal_wait"
  | "signal_emit"
  | "call"
  | (string & {});

/** One entry of GET /v1/runs/:runId/journal. */
export interface RunJournalEntry {
  index: number;
  kind: JournalEntryKind;
  /** The step name; now/random/uuid; sleep/timer/cron; the signal name; `<service>/<handler>`. */
  name: string;
  request: unknown;
  status: "pending" | "completed" | "failed" | (string & {});
  /** The recorded value, when completed. */
  result?: unknown;
  /** The recorded failure, when failed. */
  failure?: RunError;
}

export interface RunJournal {
  runId: string;
  entries: RunJournalEntry[];
}
