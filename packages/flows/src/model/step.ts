/** The three kinds of step a FlowDefinition holds (the seed's StepType). */
export const StepType = {
  /** Calls a handler of a service as a child invocation. */
  TASK: "task",
  /** Waits for a signal sent to the run. */
  WAIT_SIGNAL: "wait_signal",
  /** Waits for a delay or the next match of a cron expression. */
  WAIT_TIMER: "wait_timer",
} as const;
export type StepType = (typeof StepType)[keyof typeof StepType];

export interface SignalConfigInit {
  /** The signal's name: `POST /v1/runs/:runId/signals/<name>` sends it. */
  name: string;
  /** Give up waiting after this long (the coordinator's durable timer fires it). */
  timeoutMs?: number;
  /** The step that runs when the wait times out (it runs only then). */
  onTimeout?: string;
}

/** What a wait-signal step waits for (the seed's SignalConfig). */
export class SignalConfig {
  readonly name: string;
  readonly timeoutMs: number | undefined;
  readonly onTimeout: string | undefined;

  constructor(init: SignalConfigInit) {
    this.name = init.name;
    this.timeoutMs = init.timeoutMs;
    this.onTimeout = init.onTimeout;
  }

  toDict(): SignalConfigInit {
    return {
      name: this.name,
      ...(this.timeoutMs === undefined ? {} : { timeoutMs: this.timeoutMs }),
      ...(this.onTimeout === undefined ? {} : { onTimeout: this.onTimeout }),
    };
  }
}

export interface TimerConfigInit {
  /** Names the timer in the graph (and the step view); need not be unique across runs. */
  key: string;
  /** Fires this long after the step starts. Exactly one of delayMs and cronExpr. */
  delayMs?: number;
  /** Fires at the next match of this 5- or 6-field cron expression after the step starts. */
  cronExpr?: string;
  /** IANA time zone of cronExpr (default: the worker's local time zone). */
  timezone?: string;
  /**
   * How many times a task step that depends on this timer step is run again after it fails, each
   * retry waiting this timer again first (the same delay, or the next cron match). Default 0.
   */
  maxRetries?: number;
}

/** What a wait-timer step waits for (the seed's TimerConfig). */
export class TimerConfig {
  readonly key: string;
  readonly delayMs: number | undefined;
  readonly cronExpr: string | undefined;
  readonly timezone: string | undefined;
  readonly maxRetries: number;

  constructor(init: TimerConfigInit) {
    this.key = init.key;
    this.delayMs = init.delayMs;
    this.cronExpr = init.cronExpr;
    this.timezone = init.timezone;
    this.maxRetries = init.maxRetries ?? 0;
  }

  toDict(): TimerConfigInit {
    return {
      key: this.key,
      ...(this.delayMs === undefined ? {} : { delayMs: this.delayMs }),
      ...(this.cronExpr === undefined ? {} : { cronExpr: this.cronExpr }),
      ...(this.timezone === undefined ? {} : { timezone: this.timezone }),
      maxRetries: this.maxRetries,
    };
  }
}

export interface WorkflowStepInit {
  name: string;
  stepType: StepType;
  /** Task steps: the service hosting the handler. */
  serviceName?: string;
  /** Task steps: the handler (function or workflow) to call. */
  handlerName?: string;
  /** Steps that must settle before this one starts; each must appear earlier in the definition. */
  dependencies?: readonly string[];
  /** Task steps: constant data given to the handler as `inputData`. */
  inputData?: unknown;
  /** Task steps: entity keys the task writes; tasks sharing a key run one at a time. */
  objectKeys?: readonly string[];
  /** Wait-signal steps. */
  signal?: SignalConfig | SignalConfigInit;
  /** Wait-timer steps. */
  timer?: TimerConfig | TimerConfigInit;
}

/** The dictionary form of a step (the seed's to_dict(); JSON-safe). */
export interface WorkflowStepDict {
  name: string;
  stepType: StepType;
  serviceName?: string;
  handlerName?: string;
  dependencies: string[];
  inputData?: unknown;
  objectKeys?: string[];
  signal?: SignalConfigInit;
  timer?: TimerConfigInit;
}

/**
 * One step of a flow (the seed's WorkflowStep). Usually made by taskStep(), waitSignalStep() or
 * waitTimerStep(); constructing one does not validate it: FlowDefinition validation does, with
 * every problem of the flow reported at once.
 */
export class WorkflowStep {
  readonly name: string;
  readonly stepType: StepType;
  readonly serviceName: string | undefined;
  readonly handlerName: string | undefined;
  readonly dependencies: readonly string[];
  readonly inputData: unknown;
  readonly objectKeys: readonly string[] | undefined;
  readonly signal: SignalConfig | undefined;
  readonly timer: TimerConfig | undefined;

  constructor(init: WorkflowStepInit) {
    this.name = init.name;
    this.stepType = init.stepType;
    this.serviceName = init.serviceName;
    this.handlerName = init.handlerName;
    this.dependencies = [...(init.dependencies ?? [])];
    this.inputData = init.inputData;
    this.objectKeys = init.objectKeys ? [...init.objectKeys] : undefined;
    this.signal = init.signal
      ? init.signal instanceof SignalConfig
        ? init.signal
        : new SignalConfig(init.signal)
      : undefined;
    this.timer = init.timer
      ? init.timer instanceof TimerConfig
        ? init.timer
        : new TimerConfig(init.timer)
      : undefined;
  }

  toDict(): WorkflowStepDict {
    return {
      name: this.name,
      stepType: this.stepType,
      ...(this.serviceName === undefined ? {} : { serviceName: this.serviceName }),
      ...(this.handlerName === undefined ? {} : { handlerName: this.handlerName }),
      dependencies: [...this.dependencies],
      ...(this.inputData === undefined ? {} : { inputData: this.inputData }),
      ...(this.objectKeys === undefined ? {} : { objectKeys: [...this.objectKeys] }),
      ...(this.signal ? { signal: this.signal.toDict() } : {}),
      ...(this.timer ? { timer: this.timer.toDict() } : {}),
    };
  }
}
