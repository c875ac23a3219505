import { DEFAULT_PAGE_LIMIT, RunStatus } from "@agnt5/admin-client";
import { CoordinatorError } from "../../errors.js";
import type { ServiceRegistry } from "../../workers/service-registry.js";
import type { AdminHandlers } from "../admin-handler.js";
import { decodeCursor, encodeCursor } from "../cursor.js";
import { listRunRows, type RunFilters } from "../queries/run-rows.js";
import { runSummaries } from "../run-summaries.js";
import { isFlowComponent } from "../run-summary.js";

export const runListHandlers: AdminHandlers<"listRuns"> = {
  async listRuns({ query }, ctx) {
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const filters: RunFilters = {
      limit: limit + 1,
      ...statusFilter(query.status),
      ...kindFilter(query.kind, ctx.services),
      ...(query.service === undefined ? {} : { service: query.service }),
      ...(query.component === undefined ? {} : { component: query.component }),
      ...(query.since === undefined ? {} : { since: new Date(query.since) }),
      ...(query.until === undefined ? {} : { until: new Date(query.until) }),
      ...(query.idPrefix === undefined ? {} : { idPrefix: query.idPrefix }),
      ...(query.parentId === undefined ? {} : { parentId: query.parentId }),
    };
    if (query.cursor !== undefined) {
      const [createdUs, id] = decodeCursor(query.cursor, 2) as [string, string];
      if (!/^-?\d{1,19}$/.test(createdUs)) decodeCursor("", 2);
      filters.after = { createdUs, id };
    }
    const rows = await listRunRows(ctx.admin.db, filters);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      runs: await runSummaries({ db: ctx.admin.db, live: ctx.invocations, services: ctx.services }, page),
      nextCursor: rows.length > limit && last ? encodeCursor([last.created_us, last.id]) : null,
    };
  },
};

/** `status=failed,cancelled`: each must be a RunStatus ("suspended" also matches what the store calls it). */
function statusFilter(text: string | undefined): Pick<RunFilters, "statuses"> {
  if (text === undefined || text.trim() === "") return {};
  const statuses = text.split(",").map((s) => s.trim());
  for (const status of statuses) {
    if (!RunStatus.safeParse(status).success) {
      throw new CoordinatorError(
        "INVALID_REQUEST",
        `Query parameter "status": "${status}" is not a run status (${RunStatus.options.join(", ")})`,
        { details: { field: "status" } },
      );
    }
  }
  return { statuses };
}

/**
 * Kinds the store records (function, workflow, entity, agent; a tool is a function) plus the one
 * only the registry knows: a flow is a component whose metadata marks it as one.
 */
function kindFilter(kind: string | undefined, services: ServiceRegistry): Partial<RunFilters> {
  if (kind === undefined) return {};
  const flows: Array<[string, string]> = [];
  for (const service of services.list()) {
    for (const component of service.components.values()) {
      if (isFlowComponent(component.metadata)) flows.push([service.name, component.name]);
    }
  }
  if (kind === "flow") return { kinds: [], components: flows };
  return { kinds: kind === "function" ? ["function", "tool"] : [kind], excludeComponents: flows };
}
