-- 0007: entity state as one row per field (@agnt5/entity-store's second layout). The first layout
-- kept every field of an entity in one jsonb column, entity_state.state, which each write rewrote
-- whole: a session append cost in proportion to the session's length. Now a write touches only the
-- fields it changed. The store creates both tables when they are missing (a database that never
-- held an entity); this moves the fields of a database that did, then drops the column. The store's
-- own migrate() runs the same statements (entityStoreSchemaSql), so either may come first.
-- Runs on PostgreSQL >= 13 and PGlite.
DO $agnt5_entity_fields$
BEGIN
  IF to_regclass('entity_state') IS NULL THEN
    RETURN;
  END IF;
  CREATE TABLE IF NOT EXISTS entity_field (
    type  text COLLATE "C" NOT NULL,
    key   text COLLATE "C" NOT NULL,
    field text COLLATE "C" NOT NULL,
    value text NOT NULL,
    PRIMARY KEY (type, key, field)
  );
  IF EXISTS (SELECT 1 FROM pg_attribute
              WHERE attrelid = to_regclass('entity_state') AND attname = 'state' AND NOT attisdropped) THEN
    INSERT INTO entity_field (type, key, field, value)
      SELECT s.type, s.key, f.key, f.value FROM entity_state s, jsonb_each_text(s.state) f
      ON CONFLICT (type, key, field) DO NOTHING;
    ALTER TABLE entity_state DROP COLUMN state;
  END IF;
END
$agnt5_entity_fields$;
