import type { AdminHandlers } from "../admin-handler.js";
import { runDetail } from "../detail/run-detail.js";

export const runDetailHandlers: AdminHandlers<"getRun"> = {
  getRun: ({ params }, ctx) =>
    runDetail({ db: ctx.admin.db, live: ctx.invocations, services: ctx.services }, params.runId),
};
