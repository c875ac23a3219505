import { type RetryPolicy, resolveRetryPolicy, StepFailedError, type StepOptions, serializeError } from "@agnt5/core";
import type { EngineEnvironment } from "./engine-environment.js";
import { failureFromError } from "./entry-failure.js";
import type { ExecutionCore } from "./execution-core.js";
import { invalidArgument, isName } from "./invalid-argument.js";
import type { EntryResult } from "./journal-entry.js";
import { toJsonValue } from "./json-value.js";
import type { Operation } from "./operation.js";
import { runIn } from "./operation-spans.js";
import { decideStepRetry } from "./step-retry.js";
import { stepScope } from "./step-scope.js";

/**
 * ctx.step(name, fn, options): on replay, the recorded result (or failure); otherwise runs `fn`
 * (retrying per the step's policy), proposes the entry with its result, and resolves on the ack.
 */
export function step<T>(
  core: ExecutionCore,
  env: EngineEnvironment,
  name: string,
  fn: () => T | Promise<T>,
  options: StepOptions = {},
): Promise<T> {
  if (!isName(name)) return Promise.reject(invalidArgument("ctx.step() needs a non-empty name"));
  if (typeof fn !== "function") return Promise.reject(invalidArgument(`ctx.step("${name}") needs a function`));
  let policy: RetryPolicy;
  try {
    policy = stepPolicy(env.defaultStepRetry, options.retry);
  } catch (error) {
    return Promise.reject(error);
  }
  const operation = core.begin<T>("step", name, stepResult, `ctx.step("${name}")`);
  if (operation.state === "new") {
    core.markRunning(operation);
    execute(core, env, operation, fn, policy).catch((error: unknown) => core.fail(error));
  }
  return operation.promise;
}

function stepResult<T>(result: EntryResult, operation: Operation<T>): T {
  if (result.ok) return result.value as T;
  const cause = operation.localError;
  throw new StepFailedError(operation.name, result.failure, cause === undefined ? {} : { cause });
}

async function execute<T>(
  core: ExecutionCore,
  env: EngineEnvironment,
  operation: Operation<T>,
  fn: () => T | Promise<T>,
  policy: RetryPolicy,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    let result: EntryResult;
    try {
      // The step's own spans (a model call, ctx.traceSpan()) hang under the step's span.
      const value = await runIn(core.spans.contextOf(operation.index), () =>
        stepScope.run({ owner: core, name: operation.name }, fn),
      );
      result = { ok: true, value: toJsonValue(value, `The result of step "${operation.name}"`, "INVALID_OUTPUT") };
    } catch (error) {
      if (core.closed) return;
      const decision = decideStepRetry(policy, attempt, env.attempt, error);
      if (decision.type === "retry-in-process") {
        env.logger.debug(
          { step: operation.name, index: operation.index, attempt, retryInMs: decision.delayMs },
          `Step "${operation.name}" failed; retrying in process`,
        );
        await env.sleep(decision.delayMs);
        if (core.closed) return;
        continue;
      }
      if (decision.type === "retry-invocation") {
        core.finish(stepRetryOutcome(operation, attempt, decision.delayMs, error));
        return;
      }
      operation.localError = error;
      result = { ok: false, failure: failureFromError(error) };
    }
    core.propose(operation, null, result);
    return;
  }
}

/** The invocation fails with STEP_RETRY: the coordinator re-dispatches it after the backoff. */
function stepRetryOutcome(operation: Operation<any>, attempt: number, delayMs: number, error: unknown) {
  const cause = serializeError(error);
  return {
    type: "failed" as const,
    failure: {
      code: "STEP_RETRY",
      message: `Step "${operation.name}" failed on attempt ${attempt} and is retried after ${delayMs} ms: ${cause.message}`,
      type: cause.type,
      retryable: true,
      retryAfterMs: delayMs,
      details: {
        step: operation.name,
        index: operation.index,
        attempt,
        error: { code: cause.code, message: cause.message, type: cause.type },
      },
      ...(cause.stack === undefined ? {} : { stack: cause.stack }),
    },
  };
}

/** The step's policy: its own fields over the component's. */
function stepPolicy(base: RetryPolicy, overrides: Partial<RetryPolicy> | undefined): RetryPolicy {
  const defined = Object.fromEntries(Object.entries(overrides ?? {}).filter(([, value]) => value !== undefined));
  return resolveRetryPolicy({ ...base, ...defined });
}
