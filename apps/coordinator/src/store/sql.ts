// SQL helpers shared by the stores.
import { storableJsonValue, storableText } from "./storable-text.js";

/** A serializable error. Never carries a stack trace. */
export interface StoredError {
  code: string;
  message: string;
  type?: string;
  details?: unknown;
}

/** A journal entry's outcome: the JSON text of its value, or its failure. */
export type EntryResultRow = { ok: true; value: string } | { ok: false; failure: StoredError };

/**
 * Builds `($1::t1, $2::t2), ($3::t1, $4::t2)` and appends the values to
 * `params`. Every parameter is cast explicitly: VALUES lists are otherwise
 * typed `text`/`unknown`, which breaks `UPDATE ... FROM (VALUES ...)` joins.
 */
export function valuesList(params: unknown[], casts: readonly string[], rows: readonly unknown[][]): string {
  return rows.map((row) => `(${row.map((v, c) => `$${params.push(v)}::${casts[c]}`).join(", ")})`).join(", ");
}

/**
 * Keeps only the documented fields (drops e.g. a stack that slipped in), storable in jsonb: U+0000
 * and lone surrogates, which PostgreSQL refuses there, become U+FFFD. Idempotent.
 */
export function toStoredError(e: StoredError): StoredError {
  const out: StoredError = { code: storableText(String(e.code)), message: storableText(String(e.message)) };
  if (e.type !== undefined) out.type = storableText(String(e.type));
  if (e.details !== undefined) out.details = storableJsonValue(e.details);
  return out;
}

/** The `result` / `failure` column values of an entry outcome. */
export function resultColumns(result: EntryResultRow): [result: string | null, failure: string | null] {
  return result.ok ? [result.value, null] : [null, JSON.stringify(toStoredError(result.failure))];
}

/** An entry's outcome from its columns; undefined while it is awaiting. */
export function toEntryResult(row: {
  result: string | null;
  failure: StoredError | null;
  completed_at: Date | null;
}): EntryResultRow | undefined {
  if (row.completed_at === null) return undefined;
  if (row.failure !== null) return { ok: false, failure: row.failure };
  return { ok: true, value: row.result ?? "null" };
}

/**
 * In cluster mode (the connection carries the replica's token in agnt5.replica_token) a row of
 * `alias` (invocations) owned by this replica; otherwise (one coordinator) every row.
 */
export function ownedHere(alias: string): string {
  const token = `nullif(current_setting('agnt5.replica_token', true), '')`;
  return `(${token} IS NULL OR ${alias}.owner_token = ${token}::bigint)`;
}
