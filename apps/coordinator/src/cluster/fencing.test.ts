// Fencing and takeover of replica leases in real PostgreSQL (migration 0008, lease-sql.ts): a
// replica whose lease was taken over commits nothing on any fenced table; a takeover waits for the
// dead replica's transaction in flight (and PostgreSQL ends one left idle); hand-overs to a replica
// taken over move nothing; one owner per entity key; a single coordinator (no token) is unfenced.
import { createSqlEntityStore } from "@agnt5/entity-store";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore, type Store } from "../store/open-store.js";
import { pollUntil } from "../test-support/http.js";
import { dropTestSchema, TEST_DATABASE_URL, testSchemaName } from "../test-support/test-coordinator.js";
import { replicaSessionSettings } from "./cluster.js";
import {
  adoptOrphans,
  claimKey,
  expireLease,
  fenceEntityTables,
  handOff,
  joinCluster,
  renewLease,
  takeOver,
} from "./lease-sql.js";

/** agnt5_fence()'s SQLSTATE. */
const FENCED = "AG5FN";
/** The advisory-lock class of leases (lease-sql.ts). */
const LEASE_LOCK_CLASS = 1095185740;
const LONG_LEASE_MS = 60_000;

interface Replica {
  token: string;
  store: Store;
}

let schema: string;
/** No token: migrates, sets up and inspects, like a single coordinator would. */
let plain: Store;
const opened: Store[] = [];
const clients: pg.Client[] = [];

const storeConfig = () => ({ databaseUrl: TEST_DATABASE_URL, databaseSchema: schema, dataDir: "/nonexistent-agnt5" });

async function join(name: string, leaseMs = LONG_LEASE_MS): Promise<Replica> {
  const token = await joinCluster(plain.db, name, leaseMs);
  const store = await openStore({ ...storeConfig(), sessionSettings: replicaSessionSettings(token, leaseMs) });
  opened.push(store);
  return { token, store };
}

/** A connection of its own carrying a replica's settings: a transaction the test holds open. */
async function replicaConnection(token: string, leaseMs = LONG_LEASE_MS): Promise<pg.Client & { lost: Error[] }> {
  const settings = Object.entries(replicaSessionSettings(token, leaseMs)).map(([name, value]) => `-c ${name}=${value}`);
  const client = Object.assign(
    new pg.Client({
      connectionString: TEST_DATABASE_URL,
      options: [`-c search_path=${schema}`, ...settings].join(" "),
    }),
    { lost: [] as Error[] },
  );
  // PostgreSQL ends an idle transaction's session: the error arrives with no query to fail.
  client.on("error", (error) => client.lost.push(error));
  await client.connect();
  clients.push(client);
  return client;
}

/** The SQLSTATE of a rejection (the entity store wraps the driver's error in `cause`). */
async function sqlState(action: Promise<unknown>): Promise<string | undefined> {
  try {
    await action;
  } catch (error) {
    for (let e = error as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
      if (typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
    }
    throw error;
  }
  return undefined;
}

async function insertInvocation(db: Store["db"], id: string, extra: { objectKey?: string } = {}): Promise<void> {
  await db.query(`INSERT INTO invocations (id, service, handler, input, object_key) VALUES ($1, 'svc', 'h', '1', $2)`, [
    id,
    extra.objectKey ?? null,
  ]);
}

const count = async (sql: string, params: unknown[] = []) =>
  Number((await plain.db.query<{ n: number }>(`SELECT count(*) AS n FROM ${sql}`, params))[0]!.n);

const ownerOf = async (id: string) =>
  (
    await plain.db.query<{ owner: string | null }>(`SELECT owner_token::text AS owner FROM invocations WHERE id = $1`, [
      id,
    ])
  )[0]?.owner;

/** Waits until `waiters` transactions queue for the lease lock of `token` (the event the test orders on). */
function lockWaiters(token: string, waiters: number) {
  return pollUntil(
    () =>
      plain.db.query<{ n: number }>(
        `SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = $1::oid AND objid = $2::oid AND NOT granted`,
        [LEASE_LOCK_CLASS, token],
      ),
    (rows) => Number(rows[0]!.n) >= waiters,
    { timeoutMs: 20_000, what: `${waiters} transaction(s) waiting for the lease lock of token ${token}` },
  );
}

beforeEach(async () => {
  schema = testSchemaName("agnt5_fence_test");
  plain = await openStore(storeConfig());
  // The entity tables, created by @agnt5/entity-store as a coordinator does, then fenced.
  await createSqlEntityStore(plain.db, { backend: "postgres" }).migrate();
  await fenceEntityTables(plain.db);
});

afterEach(async () => {
  for (const client of clients.splice(0)) await client.end().catch(() => {});
  for (const store of opened.splice(0)) await store.close().catch(() => {});
  await plain.close();
  await dropTestSchema(schema);
});

describe("a replica whose lease was taken over", () => {
  it("fails with AG5FN on every fenced table and stores nothing", async () => {
    const dead = await join("dead");
    const live = await join("live");
    const db = dead.store.db;
    const entities = createSqlEntityStore(db, { backend: "postgres", migrate: false });
    // While its lease holds, every table takes its writes (and new invocations are its own).
    await insertInvocation(db, "inv-1");
    await db.query(
      `INSERT INTO journal_entries (invocation_id, idx, kind, name, request) VALUES ('inv-1', 0, 'sleep', 's', '1')`,
    );
    await db.query(
      `INSERT INTO timers (invocation_id, entry_index, fire_at, kind) VALUES ('inv-1', 0, now(), 'timer')`,
    );
    await db.query(`INSERT INTO signals (run_id, name, payload) VALUES ('inv-1', 'go', '1')`);
    expect(await entities.commit("Tally", "k1", { expectedVersion: 0, sets: { n: "1" }, deletes: [] })).toEqual({
      ok: true,
      version: 1,
    });
    expect(await claimKey(db, "Tally", "k1", dead.token)).toBe(dead.token);
    expect(await ownerOf("inv-1")).toBe(dead.token);

    await expireLease(plain.db, dead.token);
    expect(await takeOver(live.store.db, dead.token, live.token, 5_000)).toEqual(["inv-1"]);
    expect(await ownerOf("inv-1")).toBe(live.token);

    const attempts: Record<string, () => Promise<unknown>> = {
      "invocations insert": () => insertInvocation(db, "inv-2"),
      "invocations update": () =>
        db.query(`UPDATE invocations SET status = 'completed', output = '2' WHERE id = 'inv-1'`),
      "invocations delete": () => db.query(`DELETE FROM invocations WHERE id = 'inv-1'`),
      journal_entries: () =>
        db.query(
          `INSERT INTO journal_entries (invocation_id, idx, kind, name, request) VALUES ('inv-1', 1, 'step', 's', '1')`,
        ),
      timers: () => db.query(`UPDATE timers SET fire_at = now() + interval '1 hour'`),
      signals: () => db.query(`INSERT INTO signals (run_id, name, payload) VALUES ('inv-1', 'go', '2')`),
      entity_key_owners: () => claimKey(db, "Tally", "k2", dead.token),
      "entity commit": () => entities.commit("Tally", "k1", { expectedVersion: 1, sets: { n: "2" }, deletes: [] }),
      entity_state: () => db.query(`DELETE FROM entity_state`),
      entity_field: () =>
        db.query(`INSERT INTO entity_field (type, key, field, value) VALUES ('Tally', 'k3', 'n', '1')`),
    };
    const codes: Record<string, string | undefined> = {};
    for (const [what, attempt] of Object.entries(attempts)) codes[what] = await sqlState(attempt());
    expect(codes).toEqual(Object.fromEntries(Object.keys(attempts).map((what) => [what, FENCED])));

    // Nothing of it was stored: the database holds what it held at the takeover.
    expect(
      await plain.db.query(`SELECT id, status, output, owner_token::text AS owner FROM invocations ORDER BY id`),
    ).toEqual([{ id: "inv-1", status: "pending", output: null, owner: live.token }]);
    expect(await count(`journal_entries`)).toBe(1);
    expect(await count(`timers WHERE fire_at <= now()`)).toBe(1);
    expect(await count(`signals`)).toBe(1);
    expect(
      await createSqlEntityStore(plain.db, { backend: "postgres", migrate: false }).load("Tally", "k1"),
    ).toMatchObject({
      state: { n: "1" },
      version: 1,
    });
    expect(await count(`entity_field WHERE key <> 'k1'`)).toBe(0);
    expect(await plain.db.query(`SELECT object_key, owner_token::text AS owner FROM entity_key_owners`)).toEqual([
      { object_key: "k1", owner: live.token },
    ]);
    // Its renewal finds the lease gone (the replica then stops).
    expect(await renewLease(db, dead.token, LONG_LEASE_MS, [])).toBe(false);
  });
});

describe("a takeover and the dead replica's transactions in flight", () => {
  it("waits for one: its writes commit before the takeover and move to the new owner; a later one fails", async () => {
    const dead = await join("dead");
    const live = await join("live");
    const inFlight = await replicaConnection(dead.token);
    await inFlight.query("BEGIN");
    await inFlight.query(
      `INSERT INTO invocations (id, service, handler, input) VALUES ('inv-flight', 'svc', 'h', '1')`,
    );

    await expireLease(plain.db, dead.token);
    const takingOver = takeOver(live.store.db, dead.token, live.token, 20_000);
    await lockWaiters(dead.token, 1);
    // A transaction of the dead replica that starts now queues behind the takeover.
    const later = await replicaConnection(dead.token);
    const laterWrite = later.query(
      `INSERT INTO invocations (id, service, handler, input) VALUES ('inv-later', 'svc', 'h', '1')`,
    );
    const laterCode = sqlState(laterWrite);
    await lockWaiters(dead.token, 2);
    expect(await count(`coordinator_replicas WHERE token = $1`, [dead.token])).toBe(1);

    await inFlight.query("COMMIT");
    expect(await takingOver).toEqual(["inv-flight"]);
    expect(await laterCode).toBe(FENCED);
    expect(await ownerOf("inv-flight")).toBe(live.token);
    expect(await ownerOf("inv-later")).toBeUndefined();
  });

  it("is not held up by one left idle: idle_in_transaction_session_timeout ends it and nothing of it is stored", async () => {
    // A lease of 2 s: its connections' idle-in-transaction timeout is 1 s.
    const dead = await join("dead", 2_000);
    const live = await join("live");
    const frozen = await replicaConnection(dead.token, 2_000);
    await frozen.query("BEGIN");
    await frozen.query(`INSERT INTO invocations (id, service, handler, input) VALUES ('inv-frozen', 'svc', 'h', '1')`);

    await expireLease(plain.db, dead.token);
    // Waits for the lock (far longer than the timeout) until PostgreSQL ends the idle session.
    expect(await takeOver(live.store.db, dead.token, live.token, 30_000)).toEqual([]);
    await pollUntil(
      async () => frozen.lost.length,
      (n) => n > 0,
      { what: "the idle session to be ended" },
    );
    expect((frozen.lost[0] as { code?: string }).code).toBe("25P03");
    await expect(frozen.query("COMMIT")).rejects.toThrow();
    expect(await ownerOf("inv-frozen")).toBeUndefined();
    expect(await count(`coordinator_replicas WHERE token = $1`, [dead.token])).toBe(0);
  });

  it("leaves a renewed lease alone", async () => {
    const one = await join("one", 2_000);
    const two = await join("two");
    await insertInvocation(one.store.db, "inv-1");
    await expireLease(plain.db, one.token);
    expect(await renewLease(one.store.db, one.token, LONG_LEASE_MS, ["svc"])).toBe(true);
    expect(await takeOver(two.store.db, one.token, two.token, 5_000)).toBeUndefined();
    expect(await ownerOf("inv-1")).toBe(one.token);
    await insertInvocation(one.store.db, "inv-2");
    expect(await ownerOf("inv-2")).toBe(one.token);
  });
});

describe("ownership between live replicas", () => {
  it("hands nothing to a replica whose lease was taken over", async () => {
    const from = await join("from");
    const gone = await join("gone");
    const heir = await join("heir");
    await insertInvocation(from.store.db, "inv-1");
    await expireLease(plain.db, gone.token);
    expect(await takeOver(heir.store.db, gone.token, heir.token, 5_000)).toEqual([]);
    expect(await handOff(from.store.db, ["inv-1"], from.token, gone.token)).toEqual([]);
    expect(await ownerOf("inv-1")).toBe(from.token);
    // To a live one it moves.
    expect(await handOff(from.store.db, ["inv-1"], from.token, heir.token)).toEqual(["inv-1"]);
    expect(await ownerOf("inv-1")).toBe(heir.token);
  });

  it("gives an entity key one owner when replicas claim it at once", async () => {
    const replicas = await Promise.all(["a", "b", "c"].map((name) => join(name)));
    for (let round = 0; round < 5; round++) {
      const claims = await Promise.all(
        replicas.flatMap((replica) =>
          [1, 2].map(() => claimKey(replica.store.db, "Tally", `k${round}`, replica.token)),
        ),
      );
      expect(new Set(claims).size).toBe(1);
      expect(replicas.map((replica) => replica.token)).toContain(claims[0]);
    }
    expect(await count(`entity_key_owners`)).toBe(5);
  });
});

describe("a single coordinator (no token)", () => {
  it("is not fenced and owns nothing; a replica joining adopts its unfinished invocations", async () => {
    await insertInvocation(plain.db, "inv-single");
    await insertInvocation(plain.db, "inv-done");
    await plain.db.query(`UPDATE invocations SET status = 'completed', output = '1' WHERE id = 'inv-done'`);
    await plain.db.query(
      `INSERT INTO journal_entries (invocation_id, idx, kind, name, request) VALUES ('inv-single', 0, 'step', 's', '1')`,
    );
    expect(await ownerOf("inv-single")).toBeNull();
    // Leases in the table change nothing for a connection without a token.
    await join("replica");
    await plain.db.query(`UPDATE journal_entries SET result = '2' WHERE invocation_id = 'inv-single'`);
    expect(await count(`journal_entries WHERE result = '2'`)).toBe(1);

    const joining = await join("joining");
    expect(await adoptOrphans(joining.store.db)).toEqual(["inv-single"]);
    expect(await ownerOf("inv-single")).toBe(joining.token);
    expect(await ownerOf("inv-done")).toBeNull();
  });
});
