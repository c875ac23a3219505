/** Test-only: start a run and read it back through the CLI itself. */
import { expect } from "vitest";
import { runCli } from "./cli-harness.js";

/** Starts `target` without waiting (agnt5 call --async) and returns the run's id. */
export async function startRun(url: string, target: string, input: string): Promise<string> {
  const result = await runCli(["--json", "call", target, input, "--async"], url);
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as { invocationId: string }).invocationId;
}

/** Reads the run (agnt5 --json runs show) until `predicate` holds: the coordinator's state is the event awaited. */
export async function showUntil(url: string, id: string, predicate: (run: any) => boolean): Promise<any> {
  let last: unknown;
  for (let delay = 50; delay < 60_000; delay = Math.min(delay * 2, 1000)) {
    const result = await runCli(["--json", "runs", "show", id], url);
    last = result.stdout || result.stderr;
    if (result.code === 0 && predicate(JSON.parse(result.stdout))) return JSON.parse(result.stdout);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  throw new Error(`run ${id} never reached the expected state; last: ${String(last)}`);
}
