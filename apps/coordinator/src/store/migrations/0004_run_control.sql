-- 0004: run control. A paused run is not dispatched and its timers do not fire until it is
-- resumed; kept apart from status (a run is paused whatever it was doing: pending, running,
-- suspended), so pause survives a restart and its status stays the truth.
-- Runs on PostgreSQL >= 13 and PGlite; keep to portable SQL (no extensions).
ALTER TABLE invocations ADD COLUMN paused boolean NOT NULL DEFAULT false;
