import { Cron } from "croner";
import { StepType, type WorkflowStep } from "../model/step.js";
import type { FlowProblem, FlowRule } from "./flow-validation-error.js";

const NAME = /^[A-Za-z_][A-Za-z0-9_.:-]*$/;
const STEP_TYPES = new Set<string>(Object.values(StepType));

/**
 * Every problem of a list of steps, in definition order (empty when the flow is valid). The seed's
 * rules: at least one step; unique names; dependencies that exist and appear earlier; the fields
 * each step type requires. Added here: well-formed values (durations, counts, cron expressions),
 * and onTimeout naming a later step that no other wait already claims.
 */
export function flowProblems(steps: readonly WorkflowStep[]): FlowProblem[] {
  const problems: FlowProblem[] = [];
  const report = (step: string | undefined, rule: FlowRule, message: string) => problems.push({ step, rule, message });
  if (steps.length === 0) report(undefined, "at_least_one_step", "a flow needs at least one step");

  const position = new Map<string, number>();
  steps.forEach((step, i) => {
    const label = stepLabel(step, i);
    if (typeof step.name !== "string" || !NAME.test(step.name)) {
      report(
        label,
        "valid_value",
        'a step name uses letters, digits, "_", ".", ":" and "-", not starting with a digit',
      );
    } else if (position.has(step.name)) {
      report(label, "unique_names", `the name is already used by step #${position.get(step.name)! + 1}`);
    } else {
      position.set(step.name, i);
    }
  });

  const timeoutTargets = new Map<string, string>();
  steps.forEach((step, i) => {
    const label = stepLabel(step, i);
    const seen = new Set<string>();
    for (const dependency of step.dependencies) {
      if (seen.has(dependency)) report(label, "valid_value", `dependency "${dependency}" is listed twice`);
      seen.add(dependency);
      const at = position.get(dependency);
      if (at === undefined) report(label, "dependency_exists", `dependency "${dependency}" is not a step of this flow`);
      else if (at >= i) {
        report(
          label,
          "causal_order",
          at === i ? "a step cannot depend on itself" : `dependency "${dependency}" must appear before this step`,
        );
      }
    }
    checkFields(step, label, report);
    const target = step.stepType === StepType.WAIT_SIGNAL ? step.signal?.onTimeout : undefined;
    if (target !== undefined) {
      const at = position.get(target);
      if (at === undefined) report(label, "dependency_exists", `onTimeout "${target}" is not a step of this flow`);
      else if (at <= i) report(label, "causal_order", `onTimeout "${target}" must appear after this step`);
      else if (timeoutTargets.has(target)) {
        report(
          label,
          "valid_value",
          `onTimeout "${target}" is already the timeout path of "${timeoutTargets.get(target)}"`,
        );
      } else timeoutTargets.set(target, step.name);
      if (step.signal?.timeoutMs === undefined) report(label, "required_fields", "onTimeout needs timeoutMs");
    }
  });
  return problems;
}

function stepLabel(step: WorkflowStep, index: number): string {
  return typeof step.name === "string" && step.name ? step.name : `#${index + 1}`;
}

type Report = (step: string | undefined, rule: FlowRule, message: string) => void;

function checkFields(step: WorkflowStep, label: string, report: Report): void {
  if (!STEP_TYPES.has(step.stepType)) {
    report(label, "required_fields", `stepType must be one of ${[...STEP_TYPES].join(", ")}`);
    return;
  }
  const isTask = step.stepType === StepType.TASK;
  const present = (value: unknown) => value !== undefined;
  // Fields of another step type are refused: they would be silently ignored otherwise.
  const foreign: Array<[string, boolean]> = [
    ["serviceName", !isTask && present(step.serviceName)],
    ["handlerName", !isTask && present(step.handlerName)],
    ["inputData", !isTask && present(step.inputData)],
    ["objectKeys", !isTask && present(step.objectKeys)],
    ["signal", step.stepType !== StepType.WAIT_SIGNAL && present(step.signal)],
    ["timer", step.stepType !== StepType.WAIT_TIMER && present(step.timer)],
  ];
  for (const [field, wrong] of foreign) {
    if (wrong) report(label, "required_fields", `${field} does not apply to a ${step.stepType} step`);
  }

  if (isTask) {
    for (const field of ["serviceName", "handlerName"] as const) {
      if (!isNonEmpty(step[field])) report(label, "required_fields", `a task step needs ${field}`);
    }
    if (step.objectKeys !== undefined) {
      if (step.objectKeys.length === 0) report(label, "valid_value", "objectKeys, when given, lists at least one key");
      for (const key of step.objectKeys) {
        if (!isNonEmpty(key)) report(label, "valid_value", "every objectKeys entry is a non-empty string");
      }
    }
  } else if (step.stepType === StepType.WAIT_SIGNAL) {
    const signal = step.signal;
    if (!isNonEmpty(signal?.name)) report(label, "required_fields", "a wait_signal step needs a signal name");
    if (signal?.timeoutMs !== undefined && !isDuration(signal.timeoutMs, false)) {
      report(label, "valid_value", "timeoutMs is a positive number of milliseconds");
    }
  } else {
    const timer = step.timer;
    if (!isNonEmpty(timer?.key)) report(label, "required_fields", "a wait_timer step needs a timerKey");
    const hasDelay = timer?.delayMs !== undefined;
    const hasCron = timer?.cronExpr !== undefined;
    if (hasDelay === hasCron) {
      report(label, "required_fields", "a wait_timer step needs exactly one of delayMs and cronExpr");
    }
    if (hasDelay && !isDuration(timer!.delayMs, true)) {
      report(label, "valid_value", "delayMs is a non-negative number of milliseconds");
    }
    if (hasCron) {
      const problem = cronProblem(timer!.cronExpr, timer!.timezone);
      if (problem) report(label, "valid_value", problem);
    } else if (timer?.timezone !== undefined) {
      report(label, "required_fields", "timezone applies to cronExpr only");
    }
    if (timer && (!Number.isInteger(timer.maxRetries) || timer.maxRetries < 0)) {
      report(label, "valid_value", "maxRetries is a non-negative integer");
    }
  }
}

function isNonEmpty(value: unknown): value is string {
  return typeof value === "string" && value.trim() !== "";
}

function isDuration(value: unknown, zeroAllowed: boolean): boolean {
  return typeof value === "number" && Number.isFinite(value) && (zeroAllowed ? value >= 0 : value > 0);
}

function cronProblem(expression: unknown, timezone: string | undefined): string | undefined {
  if (!isNonEmpty(expression)) return "cronExpr is a non-empty cron expression";
  try {
    const next = new Cron(expression, { paused: true, ...(timezone === undefined ? {} : { timezone }) }).nextRun();
    return next ? undefined : `cronExpr "${expression}" has no future match`;
  } catch (error) {
    return `cronExpr "${expression}" is invalid: ${(error as Error).message}`;
  }
}
