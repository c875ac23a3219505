import type { RunSummary } from "@agnt5/admin-client";
import { CoordinatorError } from "../../errors.js";
import { approverOf, decideApproval } from "../../http/approval-decision.js";
import type { AdminContext } from "../admin-deps.js";
import type { AdminHandlers } from "../admin-handler.js";
import { getRunRows } from "../queries/run-rows.js";
import { runControl } from "../run-control.js";
import { runSummaries } from "../run-summaries.js";

type ActionRoute = "cancelRun" | "pauseRun" | "resumeRun" | "retryRun" | "restartRun" | "signalRun" | "decideApproval";

export const runActionHandlers: AdminHandlers<ActionRoute> = {
  async cancelRun({ params }, ctx) {
    await ctx.invocations.cancel(params.runId);
    return summaryOf(ctx, params.runId);
  },
  async pauseRun({ params }, ctx) {
    const record = await runControl(ctx.invocations, "pause")(params.runId);
    return summaryOf(ctx, record.id);
  },
  async resumeRun({ params }, ctx) {
    const record = await runControl(ctx.invocations, "resume")(params.runId);
    return summaryOf(ctx, record.id);
  },
  async retryRun({ params }, ctx) {
    const record = await runControl(ctx.invocations, "retry")(params.runId);
    return summaryOf(ctx, record.id);
  },
  async restartRun({ params, body }, ctx) {
    const record = await runControl(ctx.invocations, "restartFrom")(
      params.runId,
      body.fromEntry,
      body.runId === undefined ? {} : { newRunId: body.runId },
    );
    return summaryOf(ctx, record.id);
  },
  async signalRun({ params, bodyText }, ctx) {
    return ctx.invocations.signal(params.runId, params.name, bodyText);
  },
  async decideApproval({ params, body, headers, identity }, ctx) {
    const approver = approverOf(identity, {
      by: body.by,
      rolesHeader: headers["x-agnt5-roles"],
      bodyRoles: body.roles,
    });
    return decideApproval(ctx, params.runId, params.name, {
      decision: body.decision,
      ...approver,
      ...(body.comment === undefined ? {} : { comment: body.comment }),
      ...(body.edits === undefined ? {} : { edits: body.edits }),
    });
  },
};

/** The run as it is now (after an action: the store's view plus the engine's). */
async function summaryOf(ctx: AdminContext, runId: string): Promise<RunSummary> {
  const [row] = await getRunRows(ctx.admin.db, [runId]);
  if (!row) throw new CoordinatorError("RUN_NOT_FOUND", `No run with id "${runId}"`);
  const [summary] = await runSummaries({ db: ctx.admin.db, live: ctx.invocations, services: ctx.services }, [row]);
  return summary as RunSummary;
}
