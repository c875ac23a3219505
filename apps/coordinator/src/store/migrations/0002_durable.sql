-- 0002: durable execution: child calls, cancellation, completion of journal
-- entries, timers and the signal mailbox (docs/durable-execution.md).
-- Runs on PostgreSQL >= 13 and PGlite; keep to portable SQL (no extensions).

-- `attempt` is the attempt running or about to run: a new invocation's first attempt is 1, so a
-- restart that finds it unfinished runs attempt 2 (as ctx.attempt reports).
ALTER TABLE invocations ALTER COLUMN attempt SET DEFAULT 1;

-- Child invocations point at the parent's `call` entry that awaits them.
-- run_key: optional id of the workflow run an invocation belongs to.
ALTER TABLE invocations
  ADD COLUMN parent_id          text,
  ADD COLUMN parent_entry_index integer,
  ADD COLUMN cancel_requested   boolean NOT NULL DEFAULT false,
  ADD COLUMN run_key            text,
  -- A suspended invocation's awaited entry indexes: recovery re-dispatches it when one is complete.
  ADD COLUMN waiting_on         jsonb;

-- At most one child per parent entry (child ids are derived from it).
CREATE UNIQUE INDEX invocations_parent_entry_uq
  ON invocations (parent_id, parent_entry_index)
  WHERE parent_id IS NOT NULL;

-- An entry is complete when completed_at IS NOT NULL. Then either `result`
-- holds the JSON text of the value (JSON null is the text 'null') or
-- `failure` holds a StoredError. Awaiting entries are inserted without one.
ALTER TABLE journal_entries ADD COLUMN completed_at timestamptz;
-- Requests are optional (steps and deterministic draws have none).
ALTER TABLE journal_entries ALTER COLUMN request DROP NOT NULL;
-- Entries written under 0001 carrying a result are complete.
UPDATE journal_entries SET completed_at = created_at WHERE result IS NOT NULL OR failure IS NOT NULL;

-- Open (awaiting) entries: the signal-wait lookup of an emitted signal, and
-- reconciliation of calls whose child finished. Small: entries close fast.
CREATE INDEX journal_entries_open_idx
  ON journal_entries (invocation_id, kind, name, idx)
  WHERE completed_at IS NULL;

-- One timer per awaiting entry: a sleep/timer (completes with null) or the
-- timeout of a signal wait (completes with {"timedOut":true}). Deleted when
-- the entry completes, whatever completed it.
CREATE TABLE timers (
  invocation_id text        NOT NULL,
  entry_index   integer     NOT NULL,
  fire_at       timestamptz NOT NULL,
  kind          text        NOT NULL CHECK (kind IN ('timer', 'signal_timeout')),
  PRIMARY KEY (invocation_id, entry_index),
  FOREIGN KEY (invocation_id, entry_index) REFERENCES journal_entries (invocation_id, idx) ON DELETE CASCADE
);

CREATE INDEX timers_fire_at_idx ON timers (fire_at);

-- Signal mailbox. A signal emitted while its run waits for it is recorded
-- already consumed by the waiting entry; otherwise it waits here (consumed_by
-- NULL) until a signal_wait entry of that run and name consumes it, oldest
-- (lowest id) first. run_id is the id of the run's invocation; the run need
-- not exist yet, hence no foreign key.
CREATE TABLE signals (
  id             bigserial   PRIMARY KEY,
  run_id         text        NOT NULL,
  name           text        NOT NULL,
  payload        text        NOT NULL,   -- JSON text
  created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
  consumed_by    text,                   -- invocation id of the consuming entry
  consumed_index integer                 -- its entry index
);

CREATE INDEX signals_unconsumed_idx
  ON signals (run_id, name, id)
  WHERE consumed_by IS NULL;
