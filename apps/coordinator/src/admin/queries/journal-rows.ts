// Read-only SQL over journal_entries and timers for the admin API's run detail and summaries.
import type { Queryable } from "../../store/index.js";
import type { StoredError } from "../../store/sql.js";

export interface JournalRow {
  idx: number;
  kind: string;
  name: string;
  request: string | null;
  result: string | null;
  failure: StoredError | null;
  created_at: Date;
  completed_at: Date | null;
  /** The entry's timer (a sleep, or a signal wait's timeout), while it is open. */
  fire_at: Date | null;
  timer_kind: string | null;
  /** For a `call` entry: the child invocation it started. */
  child_id: string | null;
}

export async function journalRows(db: Queryable, invocationId: string): Promise<JournalRow[]> {
  return db.query<JournalRow>(
    `SELECT j.idx, j.kind, j.name, j.request, j.result, j.failure, j.created_at, j.completed_at,
            t.fire_at, t.kind AS timer_kind, c.id AS child_id
     FROM journal_entries j
     LEFT JOIN timers t ON t.invocation_id = j.invocation_id AND t.entry_index = j.idx
     LEFT JOIN invocations c ON c.parent_id = j.invocation_id AND c.parent_entry_index = j.idx
     WHERE j.invocation_id = $1::text
     ORDER BY j.idx`,
    [invocationId],
  );
}

export interface OpenEntryRow {
  invocation_id: string;
  idx: number;
  kind: string;
  name: string;
  fire_at: Date | null;
  child_id: string | null;
}

/** The open (awaiting) entries of several runs: what a page of runs waits on. Uses journal_entries_open_idx. */
export async function openEntryRows(db: Queryable, invocationIds: readonly string[]): Promise<OpenEntryRow[]> {
  if (invocationIds.length === 0) return [];
  return db.query<OpenEntryRow>(
    `SELECT j.invocation_id, j.idx, j.kind, j.name, t.fire_at, c.id AS child_id
     FROM journal_entries j
     LEFT JOIN timers t ON t.invocation_id = j.invocation_id AND t.entry_index = j.idx
     LEFT JOIN invocations c ON c.parent_id = j.invocation_id AND c.parent_entry_index = j.idx
     WHERE j.invocation_id = ANY($1::text[]) AND j.completed_at IS NULL
     ORDER BY j.invocation_id, j.idx`,
    [[...invocationIds]],
  );
}
