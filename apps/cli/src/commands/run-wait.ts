import { FINISHED_RUN_STATUSES, type RunDetail } from "@agnt5/admin-client";
import type { CliContext } from "../context.js";
import { Progress } from "../output/progress.js";

/**
 * Polls the run until it finishes (or `timeoutSeconds` pass), showing its state on stderr: a
 * spinner line on a terminal, one line per change elsewhere. Returns the last detail seen.
 */
export async function waitForRun(context: CliContext, runId: string, timeoutSeconds?: number): Promise<RunDetail> {
  const deadline = timeoutSeconds === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutSeconds * 1000;
  const progress = new Progress(context.streams.err);
  try {
    for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
      const run = await context.adminCall((admin) => admin.getRun(runId));
      if (FINISHED_RUN_STATUSES.includes(run.status) || Date.now() >= deadline) return run;
      progress.update(describe(run));
      await new Promise((resolve) => setTimeout(resolve, Math.min(delay, Math.max(0, deadline - Date.now()))));
    }
  } finally {
    progress.stop();
  }
}

function describe(run: RunDetail): string {
  const last = run.timeline.at(-1);
  const where = run.waitingOn
    ? `waiting on ${run.waitingOn}`
    : last
      ? `entry ${last.index} ${last.kind} ${last.name} ${last.status}`
      : "no journal entry yet";
  return `run ${run.id} ${run.status}: ${where}`;
}
