import { z } from "zod";
import { PageLimit, Timestamp } from "./common.js";

export const EntityTypeInfo = z.object({
  service: z.string().nullable(),
  type: z.string(),
  keys: z.number().int(),
});
export type EntityTypeInfo = z.infer<typeof EntityTypeInfo>;

export const EntityTypesResponse = z.object({ types: z.array(EntityTypeInfo) });
export type EntityTypesResponse = z.infer<typeof EntityTypesResponse>;

export const EntityKeysQuery = z.object({
  prefix: z.string().optional().describe("Keys starting with this text"),
  limit: PageLimit.optional().describe("Page size (default 50)"),
  cursor: z.string().optional().describe("The nextCursor of the previous page"),
});
export type EntityKeysQuery = z.input<typeof EntityKeysQuery>;

export const EntityKeySummary = z.object({
  key: z.string(),
  version: z.number().int(),
  /** Null when the entity store does not record it (only the SQL stores do). */
  updatedAt: Timestamp.nullable(),
  /** Writes waiting for this key in the coordinator's entity scheduler. */
  queued: z.number().int(),
});
export type EntityKeySummary = z.infer<typeof EntityKeySummary>;

export const EntityKeysResponse = z.object({
  keys: z.array(EntityKeySummary),
  nextCursor: z.string().nullable(),
});
export type EntityKeysResponse = z.infer<typeof EntityKeysResponse>;

export const QueuedEntityWrite = z.object({
  invocationId: z.string(),
  method: z.string(),
  since: Timestamp,
});
export type QueuedEntityWrite = z.infer<typeof QueuedEntityWrite>;

export const EntityKeyDetail = z.object({
  type: z.string(),
  key: z.string(),
  state: z.unknown(),
  version: z.number().int(),
  updatedAt: Timestamp.nullable(),
  /** Writes waiting for this key, oldest first (the first one runs next). */
  queue: z.array(QueuedEntityWrite),
});
export type EntityKeyDetail = z.infer<typeof EntityKeyDetail>;

export const StuckKeysQuery = z.object({
  /** A key is stuck when its oldest queued write has waited longer than this (default 60000). */
  olderThanMs: z.coerce
    .number<string | number>()
    .int()
    .min(0)
    .optional()
    .describe("Stuck when the oldest queued write has waited longer than this (default 60000)"),
});
export type StuckKeysQuery = z.input<typeof StuckKeysQuery>;

export const StuckKey = z.object({
  type: z.string(),
  key: z.string(),
  queued: z.number().int(),
  oldestSince: Timestamp,
});
export type StuckKey = z.infer<typeof StuckKey>;

export const StuckKeysResponse = z.object({ keys: z.array(StuckKey) });
export type StuckKeysResponse = z.infer<typeof StuckKeysResponse>;
