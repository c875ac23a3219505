// Durable timers: fired by the timer service through the journal store's group commit. A paused
// run's timers wait: neither fired nor counted as the next one due.
import type { Queryable } from "./database.js";
import type { FiredTimer, FireOp, TimerKind } from "./journal-types.js";

const TIMER_RESULT: Record<TimerKind, string> = { timer: "null", signal_timeout: '{"timedOut":true}' };

/** The earliest timer that may fire (a paused run's are not). */
export const NEXT_TIMER_SQL = `SELECT min(fire_at) AS at FROM timers AS t
       WHERE NOT EXISTS (SELECT 1 FROM invocations AS i WHERE i.id = t.invocation_id AND i.paused)`;

export /**
 * Locks due timers, then their entries, both SKIP LOCKED: a timer or entry another transaction
 * holds (another timer service, or a completer about to drop the timer) is left to it.
 */
async function fireTimers(tx: Queryable, op: FireOp): Promise<FiredTimer[]> {
  const rows = await tx.query<{ invocation_id: string; idx: number; result: string }>(
    `WITH due AS (
       SELECT invocation_id, entry_index FROM timers AS t
       WHERE fire_at <= $1::timestamptz
         -- A paused run's timers wait for its resume.
         AND NOT EXISTS (SELECT 1 FROM invocations AS i WHERE i.id = t.invocation_id AND i.paused)
       ORDER BY fire_at, invocation_id, entry_index
       LIMIT $2::int
       FOR UPDATE OF t SKIP LOCKED
     ),
     held AS (
       SELECT e.invocation_id, e.idx FROM journal_entries AS e, due AS d
       WHERE e.invocation_id = d.invocation_id AND e.idx = d.entry_index
       FOR UPDATE OF e SKIP LOCKED
     ),
     gone AS (
       DELETE FROM timers AS t USING held AS h
       WHERE t.invocation_id = h.invocation_id AND t.entry_index = h.idx
       RETURNING t.invocation_id, t.entry_index, t.kind, t.fire_at
     ),
     done AS (
       UPDATE journal_entries AS e
       SET result = CASE g.kind WHEN 'timer' THEN $3::text ELSE $4::text END,
           failure = NULL, completed_at = clock_timestamp()
       FROM gone AS g
       WHERE e.invocation_id = g.invocation_id AND e.idx = g.entry_index AND e.completed_at IS NULL
       RETURNING e.invocation_id, e.idx, e.result, g.fire_at
     )
     SELECT invocation_id, idx, result FROM done ORDER BY fire_at, invocation_id, idx`,
    [op.now.toISOString(), op.limit, TIMER_RESULT.timer, TIMER_RESULT.signal_timeout],
  );
  return rows.map((r) => ({ invocationId: r.invocation_id, index: r.idx, result: { ok: true, value: r.result } }));
}
