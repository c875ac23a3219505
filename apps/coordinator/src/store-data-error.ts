/**
 * PostgreSQL (and PGlite) errors caused by the data a caller sent, not by the store being down:
 * bytes the database cannot encode (U+0000 in text or jsonb, invalid UTF-8), a value too long for
 * its column or for a b-tree entry. Retrying the same request fails the same way, so they are the
 * caller's 400, never a 500 or a 503 that invites a retry.
 */
const CLIENT_DATA_SQLSTATES: Record<string, string> = {
  "22021": "invalid byte sequence for the encoding",
  "22P05": "character the store cannot represent",
  "22001": "value too long",
  "54000": "value too large for the store (program limit exceeded)",
};

/** The SQLSTATE's description when `error` is a store error caused by the caller's data. */
export function storeDataProblem(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? CLIENT_DATA_SQLSTATES[code] : undefined;
}
