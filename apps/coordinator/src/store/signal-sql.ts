// The signal mailbox: signals consumed by the waits appended for them, and emits delivered to the
// wait awaiting them or kept until one does. Run by the journal store inside its group commit.
import type { Queryable } from "./database.js";
import { type EmitOp, entryKey, type NewJournalEntry, type SignalDelivery } from "./journal-types.js";
import type { EntryResultRow } from "./sql.js";
import { valuesList } from "./sql.js";

export /** For new signal-wait entries: takes the oldest waiting signal of each (distinct) run and name. */
async function consumeSignals(tx: Queryable, waits: NewJournalEntry[]): Promise<Array<EntryResultRow | undefined>> {
  const params: unknown[] = [];
  const values = valuesList(
    params,
    ["text", "int", "text", "text"],
    waits.map((e) => [e.invocationId, e.index, e.signalWait?.runId, e.signalWait?.name]),
  );
  const rows = await tx.query<{ invocation_id: string; idx: number; result: string }>(
    `WITH w(inv, idx, run_id, name) AS (VALUES ${values}),
     oldest AS (
       SELECT w.inv, w.idx, s.id
       FROM w CROSS JOIN LATERAL (
         SELECT id FROM signals
         WHERE run_id = w.run_id AND name = w.name AND consumed_by IS NULL
         ORDER BY id LIMIT 1
       ) AS s
     ),
     taken AS (
       UPDATE signals AS s SET consumed_by = o.inv, consumed_index = o.idx
       FROM oldest AS o
       WHERE s.id = o.id AND s.consumed_by IS NULL
       RETURNING o.inv, o.idx, s.payload
     ),
     done AS (
       UPDATE journal_entries AS e
       SET result = '{"payload":' || t.payload || '}', failure = NULL, completed_at = clock_timestamp()
       FROM taken AS t
       WHERE e.invocation_id = t.inv AND e.idx = t.idx AND e.completed_at IS NULL
       RETURNING e.invocation_id, e.idx, e.result
     ),
     dropped AS (
       DELETE FROM timers AS t USING done AS d
       WHERE t.invocation_id = d.invocation_id AND t.entry_index = d.idx
     )
     SELECT invocation_id, idx, result FROM done`,
    params,
  );
  const byKey = new Map(rows.map((r) => [entryKey(r.invocation_id, r.idx), r.result]));
  return waits.map((e) => {
    const value = byKey.get(entryKey(e.invocationId, e.index));
    return value === undefined ? undefined : { ok: true, value };
  });
}

export /**
 * Emits to distinct (run, name) pairs: each completes the lowest awaiting wait, or goes to the
 * mailbox when none waits. A wait seen awaiting but completed meanwhile by someone else (a timeout
 * firing) makes that emit try again with a fresh snapshot, so the signal is neither lost nor
 * parked while a later wait awaits it.
 */
async function deliverSignals(tx: Queryable, ops: EmitOp[]): Promise<SignalDelivery[]> {
  const out: SignalDelivery[] = new Array<SignalDelivery>(ops.length);
  let remaining = ops.map((op, k) => ({ op, k }));
  for (let round = 0; remaining.length > 0; round++) {
    if (round >= 100) throw new Error("signal delivery kept losing races with concurrent completions");
    const params: unknown[] = [];
    const values = valuesList(
      params,
      ["int", "text", "text", "text"],
      remaining.map(({ op, k }) => [k, op.runId, op.name, op.payload]),
    );
    const rows = await tx.query<{
      k: number;
      invocation_id: string | null;
      idx: number | null;
      had_target: boolean;
    }>(
      `WITH v(k, run_id, name, payload) AS (VALUES ${values}),
       target AS (
         SELECT v.k, e.invocation_id, e.idx
         FROM v CROSS JOIN LATERAL (
           SELECT invocation_id, idx FROM journal_entries
           WHERE invocation_id = v.run_id AND kind = 'signal_wait' AND name = v.name AND completed_at IS NULL
           ORDER BY idx LIMIT 1
         ) AS e
       ),
       done AS (
         UPDATE journal_entries AS e
         SET result = '{"payload":' || v.payload || '}', failure = NULL, completed_at = clock_timestamp()
         FROM target AS t JOIN v ON v.k = t.k
         WHERE e.invocation_id = t.invocation_id AND e.idx = t.idx AND e.completed_at IS NULL
         RETURNING t.k, e.invocation_id, e.idx
       ),
       dropped AS (
         DELETE FROM timers AS t USING done AS d
         WHERE t.invocation_id = d.invocation_id AND t.entry_index = d.idx
       ),
       stored AS (
         INSERT INTO signals (run_id, name, payload, consumed_by, consumed_index)
         SELECT v.run_id, v.name, v.payload, d.invocation_id, d.idx
         FROM v LEFT JOIN done AS d ON d.k = v.k
         WHERE d.k IS NOT NULL OR NOT EXISTS (SELECT 1 FROM target AS t WHERE t.k = v.k)
         ORDER BY v.k
       )
       SELECT v.k, d.invocation_id, d.idx, (t.k IS NOT NULL) AS had_target
       FROM v LEFT JOIN done AS d ON d.k = v.k LEFT JOIN target AS t ON t.k = v.k`,
      params,
    );
    const retry = new Set<number>();
    for (const r of rows) {
      if (r.invocation_id !== null && r.idx !== null) {
        out[r.k] = { deliveredTo: { invocationId: r.invocation_id, index: r.idx } };
      } else if (r.had_target) {
        retry.add(r.k);
      } else {
        out[r.k] = {};
      }
    }
    remaining = remaining.filter(({ k }) => retry.has(k));
  }
  return out;
}
