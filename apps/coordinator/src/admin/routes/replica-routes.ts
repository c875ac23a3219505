import type { AdminHandlers } from "../admin-handler.js";
import { listReplicaRows } from "../queries/replica-rows.js";

/** The replicas sharing this database (AGNT5_CLUSTER=1): who is alive, with what, owning how much. */
export const replicaHandlers: AdminHandlers<"listReplicas"> = {
  async listReplicas(_request, ctx) {
    const rows = await listReplicaRows(ctx.admin.db);
    return {
      cluster: ctx.admin.replicaToken !== undefined,
      self: ctx.admin.replicaToken ?? null,
      replicas: rows.map((row) => ({
        name: row.name,
        token: row.token,
        services: row.services,
        startedAt: row.started_at.toISOString(),
        renewedAt: row.renewed_at.toISOString(),
        expiresAt: row.expires_at.toISOString(),
        expired: row.expired,
        unfinishedInvocations: Number(row.unfinished),
        entityKeys: Number(row.entity_keys),
      })),
    };
  },
};
