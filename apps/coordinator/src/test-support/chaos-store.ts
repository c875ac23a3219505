/**
 * Test-only: what the chaos tests read from the replicas' PostgreSQL schema directly (the store is
 * the proof): step journals, and an audit of which replica token wrote each journal entry.
 */
import pg from "pg";
import { TEST_DATABASE_URL } from "./test-coordinator.js";

export async function withSchema<T>(schema: string, body: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`SET search_path TO ${schema}`);
    return await body(client);
  } finally {
    await client.end();
  }
}

/** Each run (id LIKE `pattern`) with its step entries in journal order: name and decoded result. */
export function stepJournals(
  schema: string,
  pattern: string,
): Promise<Map<string, { name: string; result: unknown }[]>> {
  return withSchema(schema, async (client) => {
    const { rows } = await client.query<{ id: string; name: string | null; result: string | null }>(
      `SELECT i.id, j.name, j.result
         FROM invocations i LEFT JOIN journal_entries j ON j.invocation_id = i.id AND j.kind = 'step'
        WHERE i.id LIKE $1
        ORDER BY i.id, j.idx`,
      [pattern],
    );
    const journals = new Map<string, { name: string; result: unknown }[]>();
    for (const row of rows) {
      const steps = journals.get(row.id) ?? [];
      if (row.name !== null)
        steps.push({ name: row.name, result: row.result === null ? null : JSON.parse(row.result) });
      journals.set(row.id, steps);
    }
    return journals;
  });
}

/**
 * Installs a test-only audit of journal writes: every inserted or updated journal entry is logged
 * with the writing connection's replica token and a sequence number, in the writer's own
 * transaction (a fenced write leaves no audit row), and so is every deleted lease row (a
 * takeover). The sequence orders them: a takeover takes the lease's lock exclusively before it
 * deletes the row, so every write of that replica that committed drew its number before.
 */
export function installJournalAudit(schema: string): Promise<void> {
  return withSchema(schema, async (client) => {
    await client.query(`
      CREATE SEQUENCE chaos_audit_seq;
      CREATE TABLE chaos_audit (
        seq bigint NOT NULL DEFAULT nextval('chaos_audit_seq'),
        what text NOT NULL,
        invocation_id text,
        idx integer,
        token text,
        at timestamptz NOT NULL DEFAULT clock_timestamp()
      );
      CREATE FUNCTION chaos_audit_journal() RETURNS trigger LANGUAGE plpgsql AS $f$
      BEGIN
        INSERT INTO chaos_audit (what, invocation_id, idx, token)
          VALUES (lower(TG_OP), NEW.invocation_id, NEW.idx, current_setting('agnt5.replica_token', true));
        RETURN NULL;
      END $f$;
      CREATE TRIGGER chaos_audit_journal AFTER INSERT OR UPDATE ON journal_entries
        FOR EACH ROW EXECUTE FUNCTION chaos_audit_journal();
      CREATE FUNCTION chaos_audit_lease() RETURNS trigger LANGUAGE plpgsql AS $f$
      BEGIN
        INSERT INTO chaos_audit (what, token) VALUES ('lease-deleted', OLD.token::text);
        RETURN NULL;
      END $f$;
      CREATE TRIGGER chaos_audit_lease AFTER DELETE ON coordinator_replicas
        FOR EACH ROW EXECUTE FUNCTION chaos_audit_lease();
    `);
  });
}

export interface AuditRow {
  seq: number;
  what: string;
  invocationId: string | null;
  idx: number | null;
  token: string | null;
}

export function journalAudit(schema: string): Promise<AuditRow[]> {
  return withSchema(schema, async (client) => {
    const { rows } = await client.query<{
      seq: string;
      what: string;
      invocation_id: string | null;
      idx: number | null;
      token: string | null;
    }>("SELECT seq, what, invocation_id, idx, token FROM chaos_audit ORDER BY seq");
    return rows.map((row) => ({
      seq: Number(row.seq),
      what: row.what,
      invocationId: row.invocation_id,
      idx: row.idx,
      token: row.token,
    }));
  });
}

/** The lease token of each replica name in the coordinator_replicas table right now. */
export function leaseTokens(schema: string): Promise<Map<string, string>> {
  return withSchema(schema, async (client) => {
    const { rows } = await client.query<{ name: string; token: string }>(
      "SELECT name, token::text AS token FROM coordinator_replicas",
    );
    return new Map(rows.map((row) => [row.name, row.token]));
  });
}
