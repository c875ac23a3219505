-- 0009: agnt5_fence() (0008) checks a replica's lease once per transaction instead of once per
-- statement. An entity write fired it seven times (about 50 µs of PostgreSQL CPU per write, measured
-- by bench/replicas.mjs). Checking once is as safe: the check takes the lease's advisory lock in
-- shared mode, held to the end of the transaction, so a takeover (which takes it exclusively)
-- waits for the whole transaction; a later statement of it cannot come after the takeover.
-- The mark is a transaction-local setting (set_config(..., true)): it ends with the transaction.
CREATE OR REPLACE FUNCTION agnt5_fence() RETURNS trigger LANGUAGE plpgsql AS $agnt5_fence$
DECLARE
  setting text := current_setting('agnt5.replica_token', true);
BEGIN
  IF setting IS NULL OR setting = '' THEN
    RETURN NULL;
  END IF;
  IF current_setting('agnt5.fence_checked', true) = setting THEN
    RETURN NULL;
  END IF;
  PERFORM pg_advisory_xact_lock_shared(1095185740, setting::int);
  -- A fresh snapshot (volatile function, READ COMMITTED): sees a takeover that committed while
  -- we waited for the lock.
  IF NOT EXISTS (SELECT 1 FROM coordinator_replicas WHERE token = setting::bigint) THEN
    RAISE EXCEPTION 'agnt5: the lease of replica token % was taken over; this replica may not write', setting
      USING ERRCODE = 'AG5FN';
  END IF;
  PERFORM set_config('agnt5.fence_checked', setting, true);
  RETURN NULL;
END
$agnt5_fence$;
