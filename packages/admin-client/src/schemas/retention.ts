import { z } from "zod";
import { Timestamp } from "./common.js";

export const RetentionOverride = z.object({
  service: z.string(),
  component: z.string(),
  /** Finished runs of this component are deleted this long after they finished; null keeps them. */
  maxAgeMs: z.number().int().nullable(),
});
export type RetentionOverride = z.infer<typeof RetentionOverride>;

export const RetentionSweepResult = z.object({
  /** Runs deleted (with their journals, timers and signals). */
  deletedRuns: z.number().int(),
  startedAt: Timestamp,
  finishedAt: Timestamp,
});
export type RetentionSweepResult = z.infer<typeof RetentionSweepResult>;

export const RetentionInfo = z.object({
  /** Default age after which finished runs are deleted; null keeps them forever. */
  maxAgeMs: z.number().int().nullable(),
  overrides: z.array(RetentionOverride),
  sweepIntervalMs: z.number().int(),
  lastSweep: RetentionSweepResult.nullable(),
});
export type RetentionInfo = z.infer<typeof RetentionInfo>;
