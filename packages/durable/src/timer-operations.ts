import type { TimerOptions } from "@agnt5/core";
import { Cron } from "croner";
import type { EngineEnvironment } from "./engine-environment.js";
import { errorFromFailure } from "./entry-failure.js";
import type { ExecutionCore } from "./execution-core.js";
import { invalidArgument, isDuration } from "./invalid-argument.js";
import type { EntryResult } from "./journal-entry.js";

function fired(result: EntryResult): undefined {
  if (!result.ok) throw errorFromFailure(result.failure);
  return undefined;
}

/** ctx.sleep(seconds): a `timer` entry named "sleep", `{ fireAtMs }`. */
export function sleep(core: ExecutionCore, env: EngineEnvironment, seconds: number): Promise<void> {
  if (!isDuration(seconds)) {
    return Promise.reject(
      invalidArgument(`ctx.sleep() needs a finite, non-negative number of seconds, got ${seconds}`),
    );
  }
  const request = { fireAtMs: Math.ceil(env.now() + seconds * 1000) };
  return core.awaitEntry("timer", "sleep", request, fired, "ctx.sleep()").promise;
}

/**
 * ctx.timer({ delayMs }): a `timer` entry named "timer", `{ fireAtMs }`.
 * ctx.timer({ cron, timezone? }): a `timer` entry named "cron", `{ fireAtMs, cron, timezone? }`, where
 * fireAtMs is the next match after now, computed on the first run (a replay keeps the recorded one).
 */
export function timer(core: ExecutionCore, env: EngineEnvironment, options: TimerOptions): Promise<void> {
  if (typeof options === "object" && options !== null && "cron" in options) {
    const next = nextCronMatch(options.cron, options.timezone, env.now());
    if (next instanceof Error) return Promise.reject(next);
    const request = {
      fireAtMs: next,
      cron: options.cron,
      ...(options.timezone === undefined ? {} : { timezone: options.timezone }),
    };
    return core.awaitEntry("timer", "cron", request, fired, "ctx.timer({ cron })").promise;
  }
  const delayMs = (options as { delayMs?: unknown } | undefined)?.delayMs;
  if (!isDuration(delayMs)) {
    return Promise.reject(
      invalidArgument(
        `ctx.timer() needs { delayMs } (finite, non-negative) or { cron }, got ${JSON.stringify(options)}`,
      ),
    );
  }
  const request = { fireAtMs: Math.ceil(env.now() + delayMs) };
  return core.awaitEntry("timer", "timer", request, fired, "ctx.timer()").promise;
}

/** The next match of `expression` strictly after `afterMs` (unix ms), or the error explaining why there is none. */
export function nextCronMatch(expression: unknown, timezone: string | undefined, afterMs: number): number | Error {
  if (typeof expression !== "string" || expression.trim() === "") {
    return invalidArgument("ctx.timer({ cron }) needs a cron expression");
  }
  let next: Date | null;
  try {
    next = new Cron(expression, { paused: true, ...(timezone === undefined ? {} : { timezone }) }).nextRun(
      new Date(afterMs),
    );
  } catch (error) {
    return invalidArgument(`Invalid cron expression "${expression}": ${(error as Error).message}`);
  }
  if (!next) return invalidArgument(`The cron expression "${expression}" has no future match`);
  return next.getTime();
}
