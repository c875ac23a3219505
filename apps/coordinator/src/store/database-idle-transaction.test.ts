// A transaction the server ends while the coordinator pauses inside it (a replica's
// idle_in_transaction_session_timeout after a long GC pause or SIGSTOP) fails that transaction;
// it must not crash the process with an unhandled 'error' event, and the pool stays usable.
import { describe, expect, it } from "vitest";
import { dropTestSchema, TEST_DATABASE_URL, testSchemaName } from "../test-support/test-coordinator.js";
import { openPostgres } from "./database.js";

describe("PostgreSQL transactions ended by the server", () => {
  it("fail the transaction and keep the pool usable when idle_in_transaction_session_timeout ends them", async () => {
    const schema = testSchemaName("agnt5_idle_tx");
    const db = await openPostgres({
      url: TEST_DATABASE_URL,
      schema,
      sessionSettings: { idle_in_transaction_session_timeout: "100" },
    });
    try {
      const ended = db.transaction(async (tx) => {
        await tx.query("SELECT 1");
        // Idle inside the transaction past the timeout: the server terminates the session.
        await new Promise((resolve) => setTimeout(resolve, 600));
        await tx.query("SELECT 2");
      });
      await expect(ended).rejects.toThrow();
      expect(await db.query<{ one: number }>("SELECT 1 AS one")).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
      await dropTestSchema(schema);
    }
  });
});
