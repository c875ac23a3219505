import { ConfigError } from "./config-error.js";

export const RECONNECT_INITIAL_DELAY_MS = 100;
export const RECONNECT_MAX_DELAY_MS = 5_000;

/** Delays between the worker's attempts to (re)open its stream to the coordinator. */
export interface ReconnectBackoff {
  /** Before the second attempt (the first retry); doubles after each failure. Default 100. */
  initialDelayMs: number;
  /** The ceiling, also the delay after the coordinator refused the registration. Default 5000. */
  maxDelayMs: number;
}

/** Fills in the defaults; throws ConfigError for a delay that is not a positive number. */
export function resolveReconnectBackoff(options: Partial<ReconnectBackoff> = {}): ReconnectBackoff {
  const initialDelayMs = positive("initialDelayMs", options.initialDelayMs ?? RECONNECT_INITIAL_DELAY_MS);
  const maxDelayMs = positive("maxDelayMs", options.maxDelayMs ?? RECONNECT_MAX_DELAY_MS);
  return { initialDelayMs, maxDelayMs: Math.max(initialDelayMs, maxDelayMs) };
}

function positive(name: keyof ReconnectBackoff, value: number): number {
  if (typeof value === "number" && Number.isFinite(value) && value > 0) return value;
  throw new ConfigError(
    `reconnectBackoff.${name}`,
    `Invalid reconnectBackoff.${name} ${JSON.stringify(value)}: expected a number of milliseconds above 0`,
  );
}

/**
 * Delay before reconnect attempt `failures` (0-based): 100 ms doubling to 5 s by default, with
 * "equal jitter" (half fixed, half random) so a fleet of workers does not reconnect in lockstep
 * after a coordinator restart.
 */
export function reconnectDelayMs(
  failures: number,
  backoff: ReconnectBackoff = resolveReconnectBackoff(),
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(backoff.maxDelayMs, backoff.initialDelayMs * 2 ** Math.max(0, failures));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Resolves after `ms`, or at once when `signal` aborts (shutdown must not wait out a backoff). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
