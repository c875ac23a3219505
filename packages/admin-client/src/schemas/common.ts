import { z } from "zod";

/** An ISO-8601 instant as the coordinator writes it (`Date.prototype.toISOString`). */
export const Timestamp = z.iso.datetime({ offset: true });

/** The gateway's error shape; every 4xx/5xx answer of the admin API has this body. */
export const ErrorInfo = z.object({
  code: z.string(),
  message: z.string(),
});
export type ErrorInfo = z.infer<typeof ErrorInfo>;

export const ErrorResponse = z.object({ error: ErrorInfo });
export type ErrorResponse = z.infer<typeof ErrorResponse>;

/** Page sizes: every list endpoint takes `limit` (default 50, at most 500). */
export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 500;

/** `limit` as it arrives in a query string (text) or from a typed caller (number). */
export const PageLimit = z.coerce.number<string | number>().int().min(1).max(MAX_PAGE_LIMIT);
