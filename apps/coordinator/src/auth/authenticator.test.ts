// The authenticator's cache over a real database (PostgreSQL): a verified key costs no query until
// the cache period ends; a replica that revokes forgets the key at once, another replica within
// AUTH_CACHE_TTL_MS. Time is a clock the test moves, not a sleep.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openPostgres } from "../store/database.js";
import { migrate } from "../store/migrate.js";
import { TEST_DATABASE_URL } from "../test-support/test-coordinator.js";
import { AUTH_CACHE_TTL_MS, Authenticator } from "./authenticator.js";
import { KeyStore } from "./key-store.js";
import { generateSecret } from "./secret-format.js";

describe("Authenticator cache and revocation (PostgreSQL)", () => {
  const schema = `agnt5_auth_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  let db: Database;
  let queries = 0;

  beforeAll(async () => {
    db = await openPostgres({ url: TEST_DATABASE_URL, schema });
    await migrate(db);
  });
  afterAll(async () => {
    await db?.close();
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  /** A KeyStore whose lookups are counted (the database is real). */
  function countingStore(): KeyStore {
    const store = new KeyStore(db);
    const useActive = store.useActive.bind(store);
    store.useActive = (hash) => {
      queries += 1;
      return useActive(hash);
    };
    return store;
  }

  it("asks the database once per key per cache period, and revocation is seen as documented", async () => {
    let now = 1_000_000;
    const clock = () => now;
    const store = countingStore();
    const replicaA = new Authenticator(store, undefined, clock);
    const replicaB = new Authenticator(store, undefined, clock);
    const secret = generateSecret("api_key");
    const record = await store.create(
      { kind: "api_key", name: "cached", scopes: ["read"], roles: [], services: [] },
      secret,
    );
    const header = `Bearer ${secret}`;

    queries = 0;
    await Promise.all([replicaA.authenticate(header), replicaA.authenticate(header), replicaA.authenticate(header)]);
    await replicaB.authenticate(header);
    expect(queries).toBe(2);
    await replicaA.authenticate(header);
    expect(queries).toBe(2);

    await store.revoke(record.id);
    replicaA.evict(record.id);
    await expect(replicaA.authenticate(header)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    // Replica B has not heard of the revocation: it trusts its cache until the period ends.
    await expect(replicaB.authenticate(header)).resolves.toMatchObject({ id: record.id });
    now += AUTH_CACHE_TTL_MS + 1;
    await expect(replicaB.authenticate(header)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("caches an unknown key too, so repeating it does not query each time", async () => {
    const now = 5_000_000;
    const authenticator = new Authenticator(countingStore(), undefined, () => now);
    queries = 0;
    const unknown = `Bearer ${generateSecret("api_key")}`;
    for (let i = 0; i < 5; i++) await expect(authenticator.authenticate(unknown)).rejects.toThrow(/not valid/);
    expect(queries).toBe(1);
  });
});
