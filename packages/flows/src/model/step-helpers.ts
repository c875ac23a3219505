import { StepType, WorkflowStep } from "./step.js";

export interface TaskStepOptions {
  serviceName: string;
  handlerName: string;
  dependencies?: readonly string[];
  /** Constant data the handler receives as `inputData`. */
  inputData?: unknown;
  /** Entity keys the task writes ("user:123"): tasks of any flow run sharing a key run one at a time. */
  objectKeys?: readonly string[];
}

export interface WaitSignalStepOptions {
  signalName: string;
  dependencies?: readonly string[];
  timeoutMs?: number;
  /** The step to run when the wait times out; it runs only then. */
  onTimeout?: string;
}

export type WaitTimerStepOptions = {
  timerKey: string;
  dependencies?: readonly string[];
  /** See TimerConfig.maxRetries. */
  maxRetries?: number;
  /** IANA time zone of cronExpr. */
  timezone?: string;
} & ({ delayMs: number; cronExpr?: undefined } | { cronExpr: string; delayMs?: undefined });

type Named<O> = O & { name: string };

function split<O>(first: string | Named<O>, second: O | undefined): Named<O> {
  return typeof first === "string" ? ({ ...(second as O), name: first } as Named<O>) : first;
}

/**
 * A step that calls `handlerName` on `serviceName` (the seed's task_step). Both forms work:
 * `taskStep({ name, serviceName, handlerName })` and `taskStep(name, { serviceName, handlerName })`.
 */
export function taskStep(options: Named<TaskStepOptions>): WorkflowStep;
export function taskStep(name: string, options: TaskStepOptions): WorkflowStep;
export function taskStep(first: string | Named<TaskStepOptions>, second?: TaskStepOptions): WorkflowStep {
  const o = split(first, second);
  return new WorkflowStep({
    name: o.name,
    stepType: StepType.TASK,
    serviceName: o.serviceName,
    handlerName: o.handlerName,
    ...(o.dependencies ? { dependencies: o.dependencies } : {}),
    ...(o.inputData === undefined ? {} : { inputData: o.inputData }),
    ...(o.objectKeys ? { objectKeys: o.objectKeys } : {}),
  });
}

/** A step that waits for the signal `signalName` (the seed's wait_signal_step). */
export function waitSignalStep(options: Named<WaitSignalStepOptions>): WorkflowStep;
export function waitSignalStep(name: string, options: WaitSignalStepOptions): WorkflowStep;
export function waitSignalStep(
  first: string | Named<WaitSignalStepOptions>,
  second?: WaitSignalStepOptions,
): WorkflowStep {
  const o = split(first, second);
  return new WorkflowStep({
    name: o.name,
    stepType: StepType.WAIT_SIGNAL,
    ...(o.dependencies ? { dependencies: o.dependencies } : {}),
    signal: {
      name: o.signalName,
      ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
      ...(o.onTimeout === undefined ? {} : { onTimeout: o.onTimeout }),
    },
  });
}

/** A step that waits `delayMs`, or until the next match of `cronExpr` (the seed's wait_timer_step). */
export function waitTimerStep(options: Named<WaitTimerStepOptions>): WorkflowStep;
export function waitTimerStep(name: string, options: WaitTimerStepOptions): WorkflowStep;
export function waitTimerStep(
  first: string | Named<WaitTimerStepOptions>,
  second?: WaitTimerStepOptions,
): WorkflowStep {
  const o = split(first, second);
  return new WorkflowStep({
    name: o.name,
    stepType: StepType.WAIT_TIMER,
    ...(o.dependencies ? { dependencies: o.dependencies } : {}),
    timer: {
      key: o.timerKey,
      ...(o.delayMs === undefined ? {} : { delayMs: o.delayMs }),
      ...(o.cronExpr === undefined ? {} : { cronExpr: o.cronExpr }),
      ...(o.timezone === undefined ? {} : { timezone: o.timezone }),
      ...(o.maxRetries === undefined ? {} : { maxRetries: o.maxRetries }),
    },
  });
}
