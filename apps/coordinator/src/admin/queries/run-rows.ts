// Read-only SQL over the invocations table for the admin API. The engine's stores own every write;
// these queries only read, so they can run on any coordinator (or a replica) at any time.
import type { Queryable } from "../../store/index.js";
import type { StoredError } from "../../store/sql.js";

/** The columns of a run summary (no input/output: a page of 500 runs stays small). */
export interface RunRow {
  id: string;
  service: string;
  handler: string;
  kind: string;
  status: string;
  attempt: number;
  error: StoredError | null;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
  parent_id: string | null;
  parent_entry_index: number | null;
  object_key: string | null;
  method_name: string | null;
  /** Paused by an operator (migration 0004): not dispatched, its timers held, whatever its status. */
  paused: boolean;
  /** created_at in microseconds since the epoch, exact: the keyset cursor (a Date keeps milliseconds only). */
  created_us: string;
}

/** A run with its payloads, for the detail page. */
export interface FullRunRow extends RunRow {
  input: string;
  output: string | null;
  headers: Record<string, string>;
  cancel_requested: boolean;
}

const TERMINAL = `('completed', 'failed', 'cancelled')`;

const SUMMARY_COLUMNS = `i.id, i.service, i.handler, i.kind, i.status, i.attempt, i.error, i.created_at, i.updated_at,
  i.completed_at, i.parent_id, i.parent_entry_index, i.object_key, i.method_name, i.paused,
  ((extract(epoch FROM i.created_at) * 1000000)::bigint)::text AS created_us`;

export interface RunFilters {
  statuses?: string[];
  service?: string;
  component?: string;
  /** Stored kinds (invocations.kind) to include. */
  kinds?: string[];
  /** (service, component) pairs to include besides `kinds` (agents and flows known from the registry). */
  components?: Array<[service: string, component: string]>;
  /** (service, component) pairs to leave out (flows, when listing workflows). */
  excludeComponents?: Array<[service: string, component: string]>;
  since?: Date;
  until?: Date;
  idPrefix?: string;
  parentId?: string;
  /** The last row of the previous page: (created_us, id). */
  after?: { createdUs: string; id: string };
  limit: number;
}

/**
 * Runs newest first, keyset-paginated on (created_at, id): a page never skips or repeats a row
 * however many runs are created meanwhile (new runs sort before the cursor).
 */
export async function listRunRows(db: Queryable, f: RunFilters): Promise<RunRow[]> {
  const params: unknown[] = [];
  const p = (value: unknown, cast: string) => `$${params.push(value)}::${cast}`;
  const where: string[] = [];
  if (f.statuses?.length) {
    // "paused" is the paused flag of an unfinished run; the other statuses are the column's, for
    // runs not paused (a paused run shows as paused whatever its status).
    const stored = f.statuses.filter((status) => status !== "paused");
    const any: string[] = [];
    if (stored.length > 0)
      any.push(`(i.status = ANY(${p(stored, "text[]")}) AND (NOT i.paused OR i.status IN ${TERMINAL}))`);
    if (stored.length < f.statuses.length) any.push(`(i.paused AND i.status NOT IN ${TERMINAL})`);
    where.push(`(${any.join(" OR ")})`);
  }
  if (f.service !== undefined) where.push(`i.service = ${p(f.service, "text")}`);
  if (f.component !== undefined) where.push(`i.handler = ${p(f.component, "text")}`);
  if (f.kinds !== undefined || f.components !== undefined) {
    const any: string[] = [];
    if (f.kinds?.length) any.push(`i.kind = ANY(${p(f.kinds, "text[]")})`);
    if (f.components?.length) any.push(pairsIn(f.components, p));
    where.push(any.length > 0 ? `(${any.join(" OR ")})` : "false");
  }
  if (f.excludeComponents?.length) where.push(`NOT ${pairsIn(f.excludeComponents, p)}`);
  if (f.since) where.push(`i.created_at >= ${p(f.since.toISOString(), "timestamptz")}`);
  if (f.until) where.push(`i.created_at < ${p(f.until.toISOString(), "timestamptz")}`);
  // LIKE with the prefix's own wildcards escaped: "a_b" matches itself, not "aXb".
  if (f.idPrefix) where.push(`i.id LIKE ${p(`${f.idPrefix.replace(/[\\%_]/g, "\\$&")}%`, "text")}`);
  if (f.parentId !== undefined) where.push(`i.parent_id = ${p(f.parentId, "text")}`);
  if (f.after) {
    where.push(
      `(i.created_at, i.id) < ('epoch'::timestamptz + ${p(f.after.createdUs, "bigint")} * interval '1 microsecond', ${p(f.after.id, "text")})`,
    );
  }
  return db.query<RunRow>(
    `SELECT ${SUMMARY_COLUMNS} FROM invocations i
     ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
     ORDER BY i.created_at DESC, i.id DESC
     LIMIT ${p(f.limit, "int")}`,
    params,
  );
}

function pairsIn(pairs: Array<[string, string]>, p: (value: unknown, cast: string) => string): string {
  return `(i.service, i.handler) IN (SELECT * FROM unnest(${p(
    pairs.map(([service]) => service),
    "text[]",
  )}, ${p(
    pairs.map(([, component]) => component),
    "text[]",
  )}))`;
}

export async function getRunRow(db: Queryable, id: string): Promise<FullRunRow | undefined> {
  const rows = await db.query<FullRunRow>(
    `SELECT ${SUMMARY_COLUMNS}, i.input, i.output, i.headers, i.cancel_requested FROM invocations i WHERE i.id = $1::text`,
    [id],
  );
  return rows[0];
}

/** Several runs by id (a page's parents). */
export async function getRunRows(db: Queryable, ids: readonly string[]): Promise<RunRow[]> {
  if (ids.length === 0) return [];
  return db.query<RunRow>(`SELECT ${SUMMARY_COLUMNS} FROM invocations i WHERE i.id = ANY($1::text[])`, [[...ids]]);
}

/** A run's children (its ctx calls), in the order of the entries that started them. */
export async function childRunRows(db: Queryable, parentId: string): Promise<RunRow[]> {
  return db.query<RunRow>(
    `SELECT ${SUMMARY_COLUMNS} FROM invocations i WHERE i.parent_id = $1::text ORDER BY i.parent_entry_index, i.id`,
    [parentId],
  );
}
