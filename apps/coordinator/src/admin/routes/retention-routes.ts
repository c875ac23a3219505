import type { AdminHandlers } from "../admin-handler.js";

export const retentionHandlers: AdminHandlers<"getRetention" | "sweepRetention"> = {
  async getRetention(_request, ctx) {
    const { config, lastSweep } = ctx.admin.retention;
    return {
      maxAgeMs: config.maxAgeMs,
      overrides: config.overrides,
      sweepIntervalMs: config.sweepIntervalMs,
      lastSweep,
    };
  },
  sweepRetention: (_request, ctx) => ctx.admin.retention.sweepOnce(),
};
