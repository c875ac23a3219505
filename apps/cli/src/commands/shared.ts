import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { CliContext, type GlobalOptions, type Streams } from "../context.js";
import { usageError } from "../errors.js";

/** The streams commands write to: process stdout/stderr unless a test or embedder swaps them. */
export const streams: Streams = { out: process.stdout, err: process.stderr };

/**
 * Wraps a command's action: builds the context from the global options (--url, --json) and
 * passes the command's own arguments and options through. Errors propagate to main.ts, which
 * prints them and exits with their code.
 */
export function withContext<A extends unknown[]>(
  run: (context: CliContext, ...args: A) => Promise<void>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args.at(-1) as Command;
    const context = new CliContext(command.optsWithGlobals<GlobalOptions>(), streams);
    await run(context, ...(args.slice(0, -1) as A));
  };
}

/** A JSON argument (`'{"a":1}'`), `-` for standard input, or undefined when absent. */
export function parseJsonArgument(text: string | undefined, what: string): string | undefined {
  if (text === undefined) return undefined;
  const source = text === "-" ? readFileSync(0, "utf8") : text;
  try {
    JSON.parse(source);
  } catch (error) {
    throw usageError(
      `${what} is not valid JSON (${(error as Error).message}). Quote it for the shell: '{"name": "Alice"}', or pass - to read standard input.`,
    );
  }
  return source;
}

export function positiveInteger(name: string): (value: string) => number {
  return (value: string) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed <= 0)
      throw usageError(`${name} must be a positive integer, got "${value}"`);
    return parsed;
  };
}

export function nonNegativeInteger(name: string): (value: string) => number {
  return (value: string) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0) throw usageError(`${name} must be an integer >= 0, got "${value}"`);
    return parsed;
  };
}

/** `--since 1h` / `30m` / `2d` / `45s`, or an ISO-8601 time: the ISO time it means. */
export function sinceTime(value: string, now = Date.now()): string {
  const relative = /^(\d+)\s*(s|m|h|d)$/.exec(value.trim());
  if (relative) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as "s" | "m" | "h" | "d"];
    return new Date(now - Number(relative[1]) * unit).toISOString();
  }
  const time = Date.parse(value);
  if (Number.isNaN(time)) {
    throw usageError(`--since must be a duration (45s, 30m, 2h, 7d) or an ISO-8601 time, got "${value}"`);
  }
  return new Date(time).toISOString();
}
