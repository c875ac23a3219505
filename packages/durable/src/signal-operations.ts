import { type DurableSignal, type SignalEmitOptions, SignalTimeoutError, type SignalWaitOptions } from "@agnt5/core";
import type { EngineEnvironment } from "./engine-environment.js";
import { errorFromFailure } from "./entry-failure.js";
import type { ExecutionCore } from "./execution-core.js";
import { invalidArgument, isDuration, isName } from "./invalid-argument.js";
import type { EntryResult } from "./journal-entry.js";
import { toJsonValue } from "./json-value.js";

/** The result the coordinator writes into a signal_wait entry. */
export type SignalWaitResult = { payload: unknown } | { timedOut: true };

/** `{ timeoutMs, fireAtMs }` for a wait with a timeout, `{}` without. */
export function timeoutRequest(env: EngineEnvironment, timeoutMs: number | undefined): object {
  return timeoutMs === undefined ? {} : { timeoutMs, fireAtMs: Math.ceil(env.now() + timeoutMs) };
}

/**
 * Reads a signal_wait result: the payload, or on timeout what `onTimeout` returns (it throws when
 * there is no default).
 */
export function signalPayload<T>(result: EntryResult, onTimeout: () => T): unknown {
  if (!result.ok) throw errorFromFailure(result.failure);
  const value = result.value as Partial<{ payload: unknown; timedOut: boolean }> | null;
  if (value?.timedOut === true) return onTimeout();
  return value?.payload;
}

/** ctx.signal: callable to wait (`signal_wait`), with emit (`signal_emit`). */
export function createSignal(core: ExecutionCore, env: EngineEnvironment): DurableSignal {
  const wait = <T>(name: string, options: SignalWaitOptions<T> = {}): Promise<T> => {
    if (!isName(name)) return Promise.reject(invalidArgument("ctx.signal() needs a non-empty signal name"));
    const { timeoutMs } = options;
    if (timeoutMs !== undefined && !isDuration(timeoutMs)) {
      return Promise.reject(invalidArgument(`ctx.signal("${name}") needs a finite, non-negative timeoutMs`));
    }
    const hasDefault = Object.hasOwn(options, "default");
    const convert = (result: EntryResult): T =>
      signalPayload(result, () => {
        if (hasDefault) return options.default as T;
        throw new SignalTimeoutError(name, timeoutMs);
      }) as T;
    return core.awaitEntry("signal_wait", name, timeoutRequest(env, timeoutMs), convert, `ctx.signal("${name}")`)
      .promise;
  };

  const emit = (name: string, payload?: unknown, options: SignalEmitOptions = {}): Promise<void> => {
    if (!isName(name)) return Promise.reject(invalidArgument("ctx.signal.emit() needs a non-empty signal name"));
    let request: { runId: string; payload: unknown };
    try {
      request = { runId: options.runId ?? env.runId, payload: toJsonValue(payload, `The payload of signal "${name}"`) };
    } catch (error) {
      return Promise.reject(error);
    }
    const operation = core.begin(
      "signal_emit",
      name,
      (result): void => {
        if (!result.ok) throw errorFromFailure(result.failure);
      },
      `ctx.signal.emit("${name}")`,
    );
    if (operation.state === "new") core.propose(operation, request, { ok: true, value: null });
    return operation.promise;
  };

  return Object.assign(wait, { emit }) as DurableSignal;
}
