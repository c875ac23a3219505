// The one write the admin module makes: deleting finished runs past their retention, in batches.
import type { Queryable } from "../../store/index.js";

const TERMINAL = `('completed', 'failed', 'cancelled')`;

export interface RetentionBatch {
  /** Runs that finished before this instant are deleted. */
  cutoff: Date;
  /** Only this component's runs... */
  only?: [service: string, component: string];
  /** ...or every run except these components' (they have their own retention). */
  except?: Array<[service: string, component: string]>;
  limit: number;
}

/**
 * Deletes up to `limit` finished runs that finished before `cutoff`, oldest first, with their
 * journals and timers (foreign keys cascade) and signals sent to them. Never a run that has not
 * finished, a child whose parent has not finished (the parent's call entry still awaits it), or a
 * run with an unfinished child. Rows are locked and re-checked (FOR UPDATE), so a run a retry
 * brings back to life meanwhile is skipped. Returns the deleted ids.
 */
export async function deleteExpiredRuns(db: Queryable, batch: RetentionBatch): Promise<string[]> {
  const params: unknown[] = [batch.cutoff.toISOString(), batch.limit];
  const where: string[] = [];
  if (batch.only) {
    params.push(batch.only[0], batch.only[1]);
    where.push(`i.service = $3::text AND i.handler = $4::text`);
  } else if (batch.except?.length) {
    params.push(
      batch.except.map(([service]) => service),
      batch.except.map(([, component]) => component),
    );
    where.push(`(i.service, i.handler) NOT IN (SELECT * FROM unnest($3::text[], $4::text[]))`);
  }
  const rows = await db.query<{ id: string }>(
    `WITH doomed AS (
       SELECT i.id FROM invocations i
       WHERE i.status IN ${TERMINAL} AND i.completed_at < $1::timestamptz
         ${where.map((w) => `AND ${w}`).join(" ")}
         AND NOT EXISTS (SELECT 1 FROM invocations p WHERE p.id = i.parent_id AND p.status NOT IN ${TERMINAL})
         AND NOT EXISTS (SELECT 1 FROM invocations c WHERE c.parent_id = i.id AND c.status NOT IN ${TERMINAL})
       ORDER BY i.completed_at
       LIMIT $2::int
       FOR UPDATE OF i SKIP LOCKED
     ),
     signals_gone AS (DELETE FROM signals s USING doomed d WHERE s.run_id = d.id)
     DELETE FROM invocations i USING doomed d
     WHERE i.id = d.id AND i.status IN ${TERMINAL}
     RETURNING i.id`,
    params,
  );
  return rows.map((r) => r.id);
}
