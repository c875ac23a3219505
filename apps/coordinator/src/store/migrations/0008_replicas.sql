-- 0008: several coordinator replicas on one database (AGNT5_CLUSTER=1, docs/replicas.md).
--
-- Each replica holds a lease: a row here whose token (from a sequence, so never reused) is its
-- fencing token. Every unfinished invocation is owned by one replica (invocations.owner_token);
-- entity keys are owned the same way (entity_key_owners). A replica renews its lease every few
-- seconds; when a lease expires another replica takes it over: it deletes the row and moves the
-- dead replica's invocations and keys to itself, then recovers them from their journals.
--
-- Fencing: a replica's connections carry its token in the session setting agnt5.replica_token.
-- A statement-level trigger on every table that holds a journal or state runs agnt5_fence(), which
-- takes a shared transaction-scoped advisory lock on the token and checks the lease row still
-- exists. The takeover takes the same lock exclusively before it deletes the row, so it waits for
-- the dead replica's transactions in flight, and any transaction the dead replica starts after it
-- fails: a replica that lost its lease (paused past it, partitioned) can never commit again.
-- Without the setting (one coordinator, PGlite) the trigger returns at once and owner_token stays
-- NULL.

CREATE SEQUENCE coordinator_replica_tokens;

CREATE TABLE coordinator_replicas (
  token      bigint PRIMARY KEY,
  name       text NOT NULL,
  -- Services with at least one worker connected to this replica: where runs are handed.
  services   text[] NOT NULL DEFAULT '{}',
  started_at timestamptz NOT NULL DEFAULT now(),
  renewed_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);

-- No default on ADD COLUMN (that would rewrite the table); new rows get the writer's token below.
ALTER TABLE invocations ADD COLUMN owner_token bigint;
ALTER TABLE invocations ALTER COLUMN owner_token
  SET DEFAULT nullif(current_setting('agnt5.replica_token', true), '')::bigint;
-- What a takeover moves and what a replica recovers: its unfinished invocations.
CREATE INDEX invocations_owner_unfinished ON invocations (owner_token)
  WHERE status IN ('pending', 'running', 'suspended');

CREATE TABLE entity_key_owners (
  entity_type text COLLATE "C" NOT NULL,
  object_key  text COLLATE "C" NOT NULL,
  owner_token bigint NOT NULL,
  PRIMARY KEY (entity_type, object_key)
);
CREATE INDEX entity_key_owners_owner ON entity_key_owners (owner_token);

-- The advisory-lock namespace of leases ("AG5L"); the second key is the token (tokens stay far
-- below 2^31: one per replica start).
CREATE FUNCTION agnt5_fence() RETURNS trigger LANGUAGE plpgsql AS $agnt5_fence$
DECLARE
  setting text := current_setting('agnt5.replica_token', true);
BEGIN
  IF setting IS NULL OR setting = '' THEN
    RETURN NULL;
  END IF;
  PERFORM pg_advisory_xact_lock_shared(1095185740, setting::int);
  -- A fresh snapshot (volatile function, READ COMMITTED): sees a takeover that committed while
  -- we waited for the lock.
  IF NOT EXISTS (SELECT 1 FROM coordinator_replicas WHERE token = setting::bigint) THEN
    RAISE EXCEPTION 'agnt5: the lease of replica token % was taken over; this replica may not write', setting
      USING ERRCODE = 'AG5FN';
  END IF;
  RETURN NULL;
END
$agnt5_fence$;

CREATE TRIGGER invocations_fence BEFORE INSERT OR UPDATE OR DELETE ON invocations
  FOR EACH STATEMENT EXECUTE FUNCTION agnt5_fence();
CREATE TRIGGER journal_entries_fence BEFORE INSERT OR UPDATE OR DELETE ON journal_entries
  FOR EACH STATEMENT EXECUTE FUNCTION agnt5_fence();
CREATE TRIGGER timers_fence BEFORE INSERT OR UPDATE OR DELETE ON timers
  FOR EACH STATEMENT EXECUTE FUNCTION agnt5_fence();
CREATE TRIGGER signals_fence BEFORE INSERT OR UPDATE OR DELETE ON signals
  FOR EACH STATEMENT EXECUTE FUNCTION agnt5_fence();
CREATE TRIGGER entity_key_owners_fence BEFORE INSERT OR UPDATE OR DELETE ON entity_key_owners
  FOR EACH STATEMENT EXECUTE FUNCTION agnt5_fence();
-- The entity tables are created by @agnt5/entity-store (they may not exist yet): the cluster
-- installs their triggers when a replica joins (cluster/fencing-sql.ts).
