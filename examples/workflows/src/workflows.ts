import { fn, TerminalError, workflow } from "@agnt5/sdk";
import { z } from "zod";

/**
 * A multi-step pipeline: each ctx.step is journaled, so a crash after "transform" resumes at
 * "load" without extracting or transforming again.
 */
export const etlPipeline = workflow(
  { name: "etl_pipeline", input: z.object({ source: z.string(), rows: z.number().int().positive() }) },
  async (ctx, { source, rows }) => {
    const extracted = await ctx.step("extract", () =>
      Array.from({ length: rows }, (_, i) => ({ id: i + 1, source, value: (i + 1) * 10 })),
    );
    const transformed = await ctx.step("transform", () =>
      extracted.map((row) => ({ ...row, value: row.value * 1.1, loadedBy: ctx.runId })),
    );
    const loaded = await ctx.step("load", async () => ({ table: `warehouse.${source}`, count: transformed.length }));
    return { ...loaded, total: transformed.reduce((sum, row) => sum + row.value, 0) };
  },
);

/**
 * The seed's deployment workflow: tests run as a child invocation; a big change waits for a
 * human approval (roles checked by the gateway), with a timeout after which it is not deployed.
 */
export const deployment = workflow(
  {
    name: "deployment",
    input: z.object({ version: z.string(), linesChanged: z.number().int().nonnegative() }),
  },
  async (ctx, { version, linesChanged }) => {
    const tests = await ctx.task<{ passed: boolean }>("workflow-service", "run_tests", { version });
    if (!tests.passed) return { status: "tests_failed", version };
    if (linesChanged > 100) {
      const approval = await ctx.human
        .approval("deploy_production", {
          payload: { version, linesChanged },
          timeoutMs: 30 * 60_000,
          requiredRoles: ["admin", "devops"],
        })
        .catch((error: unknown) => {
          if (TerminalError.isInstance(error) && error.code === "SIGNAL_TIMEOUT") return undefined;
          throw error;
        });
      if (!approval) return { status: "approval_timed_out", version };
      if (!approval.approved) return { status: "rejected", version, by: approval.by, comment: approval.comment };
    }
    const deployedAt = await ctx.step("deploy", () => new Date().toISOString());
    return { status: "deployed", version, deployedAt };
  },
);

/** The function the deployment calls: a child invocation, journaled in the parent. */
export const runTests = fn("run_tests", ({ version }: { version: string }) => ({
  passed: !version.includes("broken"),
  version,
}));

/** A durable timer: the run leaves the worker while it sleeps and wakes on any worker. */
export const reminder = workflow(
  { name: "reminder", input: z.object({ message: z.string(), delaySeconds: z.number().nonnegative() }) },
  async (ctx, { message, delaySeconds }) => {
    const scheduledAt = await ctx.now();
    await ctx.sleep(delaySeconds);
    const sentAt = await ctx.now();
    return { message, scheduledAt, sentAt };
  },
);
