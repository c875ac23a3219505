// The replicas' leases, ownership hand-overs and takeovers in PostgreSQL (migration 0008). Every
// statement here that moves invocations or keys runs on a connection carrying this replica's
// token, so agnt5_fence() checks this replica's own lease before it may write.
import { entityStoreSchemaSql } from "@agnt5/entity-store";
import type { Database, Queryable } from "../store/database.js";

/** The advisory-lock namespace of leases ("AG5L"), the same constant agnt5_fence() uses. */
const LEASE_LOCK_CLASS = 1095185740;
/** Unfinished: what an owner drives (pending, running) or parks (suspended). */
const UNFINISHED = `('pending', 'running', 'suspended')`;

export interface ReplicaRow {
  token: string;
  name: string;
  services: string[];
  /** Its lease ran out (by the database's clock): it may be taken over. */
  expired: boolean;
}

/**
 * A new lease with a fresh fencing token: a restarted replica never reuses its old one. A lease
 * under the same name is an earlier life of this replica (names are unique: the default has the
 * pid): it is expired now, so the first round takes its runs over without waiting a lease.
 */
export async function joinCluster(
  db: Queryable,
  name: string,
  leaseMs: number,
  /** How long the first lease lasts: the rounds start only once the replica has started. */
  firstLeaseMs = leaseMs,
): Promise<string> {
  const [row] = await db.query<{ token: string }>(
    `INSERT INTO coordinator_replicas (token, name, expires_at)
     VALUES (nextval('coordinator_replica_tokens'), $1, now() + $2::int * interval '1 millisecond')
     RETURNING token::text`,
    [name, firstLeaseMs],
  );
  await db.query(
    `UPDATE coordinator_replicas SET expires_at = now() - interval '1 millisecond'
     WHERE name = $1 AND token <> $2::bigint AND expires_at >= now()`,
    [name, row!.token],
  );
  return row!.token;
}

/** Extends the lease and says which services have workers here; false once it was taken over. */
export async function renewLease(db: Queryable, token: string, leaseMs: number, services: string[]): Promise<boolean> {
  const rows = await db.query(
    `UPDATE coordinator_replicas
     SET renewed_at = now(), expires_at = now() + $2::int * interval '1 millisecond', services = $3::text[]
     WHERE token = $1::bigint RETURNING token`,
    [token, leaseMs, services],
  );
  return rows.length === 1;
}

export async function listReplicas(db: Queryable): Promise<ReplicaRow[]> {
  return db.query<ReplicaRow>(
    `SELECT token::text, name, services, expires_at < now() AS expired FROM coordinator_replicas ORDER BY token`,
  );
}

/** A replica stopping cleanly gives its lease up: its runs move at the next takeover, not after the lease. */
export async function expireLease(db: Queryable, token: string): Promise<void> {
  await db.query(`UPDATE coordinator_replicas SET expires_at = now() - interval '1 second' WHERE token = $1::bigint`, [
    token,
  ]);
}

/**
 * Takes over an expired lease: waits (up to `lockTimeoutMs`) for the dead replica's transactions
 * in flight, deletes its lease (from then on agnt5_fence() refuses its writes) and moves its
 * unfinished invocations and its entity keys here, in one transaction. Returns the invocations
 * moved, or undefined when the lease was renewed meanwhile (it was not dead) or another replica
 * took it first.
 */
export async function takeOver(
  db: Database,
  dead: string,
  me: string,
  lockTimeoutMs: number,
): Promise<string[] | undefined> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT set_config('lock_timeout', $1, true)`, [`${lockTimeoutMs}ms`]);
    await tx.query(`SELECT pg_advisory_xact_lock($1::int, $2::int)`, [LEASE_LOCK_CLASS, Number(dead)]);
    const gone = await tx.query(
      `DELETE FROM coordinator_replicas WHERE token = $1::bigint AND expires_at < now() RETURNING token`,
      [dead],
    );
    if (gone.length === 0) return undefined;
    const moved = await tx.query<{ id: string }>(
      `UPDATE invocations SET owner_token = $2::bigint
       WHERE owner_token = $1::bigint AND status IN ${UNFINISHED} RETURNING id`,
      [dead, me],
    );
    await tx.query(`UPDATE entity_key_owners SET owner_token = $2::bigint WHERE owner_token = $1::bigint`, [dead, me]);
    return moved.map((row) => row.id);
  });
}

/**
 * Unfinished invocations no replica owns (written by a single coordinator before the cluster was
 * configured, or whose owner's lease row is gone): moved here. Run at join and by the sweep.
 */
export async function adoptOrphans(db: Queryable): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `UPDATE invocations AS i SET owner_token = nullif(current_setting('agnt5.replica_token', true), '')::bigint
     WHERE i.status IN ${UNFINISHED}
       AND (i.owner_token IS NULL
            OR NOT EXISTS (SELECT 1 FROM coordinator_replicas AS r WHERE r.token = i.owner_token))
     RETURNING i.id`,
  );
  return rows.map((row) => row.id);
}

/**
 * Hands invocations this replica owns to a live replica. The target's lease row is locked (key
 * share) so a takeover of it waits for this, and a target taken over already gets nothing.
 */
export async function handOff(db: Queryable, ids: readonly string[], from: string, to: string): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `WITH target AS (SELECT token FROM coordinator_replicas WHERE token = $3::bigint FOR KEY SHARE)
     UPDATE invocations SET owner_token = (SELECT token FROM target)
     WHERE id = ANY($1::text[]) AND owner_token = $2::bigint AND EXISTS (SELECT 1 FROM target)
     RETURNING id`,
    [ids, from, to],
  );
  return rows.map((row) => row.id);
}

/** The owner of an invocation: undefined when there is no such invocation, null when unowned. */
export async function ownerOf(
  db: Queryable,
  id: string,
): Promise<{ owner: string | null; finished: boolean } | undefined> {
  const [row] = await db.query<{ owner: string | null; finished: boolean }>(
    `SELECT owner_token::text AS owner, status IN ('completed', 'failed', 'cancelled') AS finished
     FROM invocations WHERE id = $1`,
    [id],
  );
  return row;
}

/** The replica that writes an entity key: this one if nobody did yet. */
export async function claimKey(db: Queryable, type: string, key: string, me: string): Promise<string> {
  const inserted = await db.query<{ owner: string }>(
    `INSERT INTO entity_key_owners (entity_type, object_key, owner_token) VALUES ($1, $2, $3::bigint)
     ON CONFLICT (entity_type, object_key) DO NOTHING RETURNING owner_token::text AS owner`,
    [type, key, me],
  );
  if (inserted[0]) return inserted[0].owner;
  // Read in a statement of its own: it sees the row a concurrent claim committed.
  const [row] = await db.query<{ owner: string }>(
    `SELECT owner_token::text AS owner FROM entity_key_owners WHERE entity_type = $1 AND object_key = $2`,
    [type, key],
  );
  return row?.owner ?? (await claimKey(db, type, key, me));
}

/**
 * Moves an idle entity key (nothing of it running or suspended here) and its waiting invocations
 * to a live replica, in one transaction; false (nothing moved) when the target is gone.
 */
export async function transferKey(
  db: Database,
  key: { type: string; key: string },
  ids: readonly string[],
  from: string,
  to: string,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const target = await tx.query(`SELECT token FROM coordinator_replicas WHERE token = $1::bigint FOR KEY SHARE`, [
      to,
    ]);
    if (target.length === 0) return false;
    const moved = await tx.query(
      `UPDATE entity_key_owners SET owner_token = $4::bigint
       WHERE entity_type = $1 AND object_key = $2 AND owner_token = $3::bigint RETURNING owner_token`,
      [key.type, key.key, from, to],
    );
    if (moved.length === 0) return false;
    await tx.query(
      `UPDATE invocations SET owner_token = $3::bigint WHERE id = ANY($1::text[]) AND owner_token = $2::bigint`,
      [ids, from, to],
    );
    return true;
  });
}

/**
 * The fencing triggers on the entity tables, which @agnt5/entity-store creates after our
 * migrations. They are created here first when missing (a fresh database): the entity store would
 * create them on its first use, after this, and its writes would go unfenced until a replica
 * restarted.
 */
export async function fenceEntityTables(db: Database): Promise<void> {
  // Replicas starting together would race on the catalog: one at a time, like migrations.
  await db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock($1::int, 0)`, [LEASE_LOCK_CLASS]);
    // The entity store's own schema script (idempotent; tables named by the search_path).
    await tx.exec(entityStoreSchemaSql());
    for (const table of ["entity_state", "entity_field"]) {
      const [exists] = await tx.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [table]);
      if (!exists?.t) continue;
      await tx.query(
        `CREATE OR REPLACE TRIGGER ${table}_fence BEFORE INSERT OR UPDATE OR DELETE ON ${table}
         FOR EACH STATEMENT EXECUTE FUNCTION agnt5_fence()`,
      );
    }
  });
}
