-- 0005: indexes for the admin API (apps/coordinator/src/admin/queries/).
-- Runs on PostgreSQL >= 13 and PGlite; keep to portable SQL (no extensions).

-- GET /admin/v1/runs: newest first, keyset-paginated on (created_at, id). Without it every page
-- sorts the whole table.
CREATE INDEX invocations_created_idx ON invocations (created_at DESC, id DESC);

-- The retention sweeper: finished runs oldest-finished first.
CREATE INDEX invocations_finished_idx
  ON invocations (completed_at)
  WHERE status IN ('completed', 'failed', 'cancelled');
