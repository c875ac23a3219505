// The statements both SQL backends share: one table keyed by the memory's key (an upsert per write),
// metadata as jsonb, times as UTC ISO text. Every operation is one statement, so no transactions.
import { type MemoryFilter, type MemoryRecord, memoryStoreError } from "./memory-store-errors.js";

const NAME_RE = /^[a-z_][a-z0-9_]{0,62}$/;

/** `"schema".table` or `table`, each checked to be a plain lowercase identifier. */
export function qualifiedTable(table: string, schema: string | undefined, service: string): string {
  for (const [what, name] of [
    ["table", table],
    ["schema", schema],
  ] as const) {
    if (name !== undefined && !NAME_RE.test(name)) {
      throw memoryStoreError(
        "INVALID_ARGUMENT",
        `${service}: ${what} ${JSON.stringify(name)} is not a valid name: use [a-z_][a-z0-9_]*, at most 63 characters`,
      );
    }
  }
  return schema === undefined ? `"${table}"` : `"${schema}"."${table}"`;
}

/** The SELECT list of a MemoryRecord row. */
export const RECORD_COLUMNS = `key, content, metadata::text AS metadata,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at,
  to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS updated_at`;

export interface RecordRow {
  key: string;
  content: string;
  metadata: string;
  created_at: string;
  updated_at: string;
}

export function toRecord(row: RecordRow): MemoryRecord {
  return {
    key: row.key,
    content: row.content,
    metadata: JSON.parse(row.metadata) as MemoryRecord["metadata"],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * The filter as SQL on `metadata` (jsonb containment, so the GIN index serves it): each field must
 * equal a wanted value or be an array holding it. Parameters are appended to `params`.
 */
export function filterSql(filter: MemoryFilter | undefined, params: unknown[]): string {
  const clauses = Object.entries(filter ?? {}).map(([field, wanted]) => {
    const choices = Array.isArray(wanted) ? wanted : [wanted];
    if (choices.length === 0) return "false";
    const alternatives = choices.flatMap((choice) => {
      params.push(JSON.stringify({ [field]: choice }), JSON.stringify({ [field]: [choice] }));
      return [`metadata @> $${params.length - 1}::jsonb`, `metadata @> $${params.length}::jsonb`];
    });
    return `(${alternatives.join(" OR ")})`;
  });
  return clauses.length === 0 ? "true" : clauses.join(" AND ");
}

type Query = <T>(sql: string, params?: unknown[]) => Promise<T[]>;

export async function getRecords(query: Query, table: string, keys: readonly string[]): Promise<MemoryRecord[]> {
  if (keys.length === 0) return [];
  const rows = await query<RecordRow>(`SELECT ${RECORD_COLUMNS} FROM ${table} WHERE key = ANY($1::text[])`, [
    [...keys],
  ]);
  const byKey = new Map(rows.map((row) => [row.key, toRecord(row)]));
  return keys.flatMap((key) => {
    const record = byKey.get(key);
    return record ? [record] : [];
  });
}

export async function deleteRecords(query: Query, table: string, keys: readonly string[]): Promise<number> {
  if (keys.length === 0) return 0;
  const rows = await query<{ key: string }>(`DELETE FROM ${table} WHERE key = ANY($1::text[]) RETURNING key`, [
    [...new Set(keys)],
  ]);
  return rows.length;
}

export async function listRecordKeys(
  query: Query,
  table: string,
  options: { prefix?: string; filter: MemoryFilter; limit?: number },
): Promise<string[]> {
  const params: unknown[] = [];
  const where = [filterSql(options.filter, params)];
  if (options.prefix !== undefined) {
    params.push(options.prefix);
    // starts_with, not LIKE: a prefix holding % or _ means itself.
    where.push(`starts_with(key, $${params.length})`);
  }
  let limit = "";
  if (options.limit !== undefined) {
    params.push(options.limit);
    limit = ` LIMIT $${params.length}`;
  }
  const rows = await query<{ key: string }>(
    `SELECT key FROM ${table} WHERE ${where.join(" AND ")} ORDER BY key${limit}`,
    params,
  );
  return rows.map((row) => row.key);
}
