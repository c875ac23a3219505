import type { Database } from "./database.js";

/**
 * A new run of the same component and input as `sourceId`, whose journal starts with a copy of
 * the source's entries below `fromEntry` (they replay; the run goes on from there). The record
 * and the copied entries commit together, so a restart never finds the run without its journal.
 */
export async function restartRun<Row>(
  db: Database,
  sourceId: string,
  newId: string,
  fromEntry: number,
): Promise<{ created: boolean; row: Row } | undefined> {
  return db.transaction(async (tx) => {
    const inserted = await tx.query<Row>(
      `INSERT INTO invocations (id, service, handler, kind, object_key, input, headers, run_key, method_name)
       SELECT $2::text, service, handler, kind, object_key, input, headers, run_key, method_name
       FROM invocations WHERE id = $1::text
       ON CONFLICT DO NOTHING
       RETURNING *`,
      [sourceId, newId],
    );
    const row = inserted[0];
    if (!row) {
      const existing = await tx.query<Row>(`SELECT * FROM invocations WHERE id = $1::text`, [newId]);
      return existing[0] ? { created: false, row: existing[0] } : undefined;
    }
    await tx.query(
      `INSERT INTO journal_entries (invocation_id, idx, kind, name, request, result, failure, completed_at)
       SELECT $2::text, idx, kind, name, request, result, failure, completed_at
       FROM journal_entries WHERE invocation_id = $1::text AND idx < $3::int AND completed_at IS NOT NULL`,
      [sourceId, newId, fromEntry],
    );
    return { created: true, row };
  });
}
