-- 0001: invocations, their journals, and registered services.
-- Runs on PostgreSQL >= 13 and PGlite; keep to portable SQL (no extensions).
-- Timestamps are always timestamptz; JSON payloads the coordinator only
-- passes through (input/output, journal request/result) are stored as text
-- so they round-trip byte-for-byte; structured metadata is jsonb.

CREATE TABLE invocations (
  id              text        PRIMARY KEY,
  service         text        NOT NULL,
  handler         text        NOT NULL,
  kind            text        NOT NULL DEFAULT 'function',  -- function | workflow | entity ...
  object_key      text,                                    -- entity key / workflow run id (later)
  idempotency_key text,
  status          text        NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'running', 'suspended', 'completed', 'failed', 'cancelled')),
  input           text        NOT NULL,                    -- JSON text
  output          text,                                    -- JSON text
  error           jsonb,                                   -- StoredError: last error (also while retrying)
  attempt         integer     NOT NULL DEFAULT 0,
  headers         jsonb       NOT NULL DEFAULT '{}'::jsonb,
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  completed_at    timestamptz,
  next_attempt_at timestamptz
);

-- Idempotent submission: at most one invocation per (service, handler, key).
CREATE UNIQUE INDEX invocations_idempotency_uq
  ON invocations (service, handler, idempotency_key)
  WHERE idempotency_key IS NOT NULL;

-- Recovery after restart scans unfinished work oldest-first; the partial
-- index stays small because finished invocations dominate the table.
CREATE INDEX invocations_unfinished_idx
  ON invocations (created_at, id)
  WHERE status IN ('pending', 'running', 'suspended');

-- Durable execution journal (used by workflows later): one row per step.
CREATE TABLE journal_entries (
  invocation_id text        NOT NULL REFERENCES invocations (id) ON DELETE CASCADE,
  idx           integer     NOT NULL,
  kind          text        NOT NULL,   -- step | sleep | signal | call ...
  name          text        NOT NULL,
  request       text        NOT NULL,   -- JSON text
  result        text,                   -- JSON text, null until resolved
  failure       jsonb,                  -- StoredError
  created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (invocation_id, idx)
);

-- Last registration of each service, so that after a restart calls to a
-- known service wait for a worker instead of answering 404.
CREATE TABLE services (
  name       text        PRIMARY KEY,
  version    text        NOT NULL,
  components jsonb       NOT NULL DEFAULT '[]'::jsonb,
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
