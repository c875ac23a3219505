// A replica that cannot reach Redis at its start refuses to start with one line naming
// AGNT5_REDIS_URL, closes what it opened and gives its lease up (no other replica waits it out).
import pg from "pg";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../config-error.js";
import { startCoordinator } from "../coordinator.js";
import { dropTestSchema, TEST_DATABASE_URL, testConfig, testSchemaName } from "../test-support/test-coordinator.js";

describe("replica start-up", () => {
  it("refuses to start when Redis is unreachable, naming AGNT5_REDIS_URL, and gives its lease up", async () => {
    const schema = testSchemaName("agnt5_replica_startup");
    try {
      const start = startCoordinator(
        testConfig({
          databaseUrl: TEST_DATABASE_URL,
          databaseSchema: schema,
          // Port 1: nothing listens there.
          cluster: { redisUrl: "redis://:secret@127.0.0.1:1", replicaName: "no-redis", leaseMs: 60_000 },
        }),
      );
      const error = await start.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).code).toBe("REDIS_UNREACHABLE");
      expect((error as Error).message).toContain("AGNT5_REDIS_URL");
      expect((error as Error).message).not.toContain("secret");
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        const { rows } = await client.query(
          `SELECT expires_at < now() AS expired FROM ${schema}.coordinator_replicas WHERE name = 'no-redis'`,
        );
        expect(rows).toEqual([{ expired: true }]);
      } finally {
        await client.end();
      }
    } finally {
      await dropTestSchema(schema);
    }
  });
});
