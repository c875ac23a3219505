// Unit tests of the group-commit logic against a fake in-memory Database.
import { describe, expect, it } from "vitest";
import type { Database, Queryable } from "./database.js";
import { WriteBatcher } from "./write-batcher.js";

/** Fake database: a transaction "commits" after a short delay, or fails if fn throws. */
function fakeDb(commitDelayMs = 5) {
  const committed: number[][] = [];
  const db: Database = {
    kind: "pglite",
    query: async () => [],
    exec: async () => {},
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const result = await fn(db);
      await new Promise((r) => setTimeout(r, commitDelayMs));
      committed.push(result as number[]);
      return result;
    },
    close: async () => {},
  };
  return { db, committed };
}

describe("WriteBatcher", () => {
  it("batches ops enqueued together and returns results in order", async () => {
    const { db } = fakeDb();
    const batches: number[][] = [];
    const b = new WriteBatcher<number, number>(db, async (_tx, ops) => {
      batches.push([...ops]);
      return ops.map((n) => n * 10);
    });
    const results = await Promise.all([1, 2, 3].map((n) => b.enqueue(n)));
    expect(results).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
    expect(b.stats).toMatchObject({ flushes: 1, ops: 3, maxBatchSize: 3, fallbacks: 0 });
  });

  it("queues ops while a flush runs and takes them all in the next flush", async () => {
    const { db } = fakeDb(20);
    const batches: number[][] = [];
    const b = new WriteBatcher<number, number>(db, async (_tx, ops) => {
      batches.push([...ops]);
      return [...ops];
    });
    const first = b.enqueue(0);
    await new Promise((r) => setTimeout(r, 5)); // flush of [0] is now in flight
    const rest = Array.from({ length: 50 }, (_, i) => b.enqueue(i + 1));
    await Promise.all([first, ...rest]);
    expect(batches.map((x) => x.length)).toEqual([1, 50]);
  });

  it("resolves only after the transaction committed", async () => {
    const { db, committed } = fakeDb(10);
    const b = new WriteBatcher<number, number>(db, async (_tx, ops) => [...ops]);
    await b.enqueue(7);
    expect(committed).toEqual([[7]]);
  });

  it("caps the batch size", async () => {
    const { db } = fakeDb(1);
    const sizes: number[] = [];
    const b = new WriteBatcher<number, number>(
      db,
      async (_tx, ops) => {
        sizes.push(ops.length);
        return [...ops];
      },
      {
        maxBatch: 4,
      },
    );
    await Promise.all(Array.from({ length: 10 }, (_, i) => b.enqueue(i)));
    expect(sizes).toEqual([4, 4, 2]);
  });

  it("replays a failed batch op by op so only the bad op fails", async () => {
    const { db } = fakeDb(1);
    const b = new WriteBatcher<number, number>(db, async (_tx, ops) => {
      if (ops.includes(13)) throw new Error("unlucky");
      return ops.map((n) => n + 1);
    });
    const settled = await Promise.allSettled([1, 13, 2].map((n) => b.enqueue(n)));
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(settled[0]).toMatchObject({ value: 2 });
    expect(settled[1]).toMatchObject({ reason: new Error("unlucky") });
    expect(b.stats.fallbacks).toBe(1);
  });

  it("rejects all ops if the writer returns too few results", async () => {
    const { db } = fakeDb(1);
    const b = new WriteBatcher<number, number>(db, async () => [1]);
    const settled = await Promise.allSettled([b.enqueue(1), b.enqueue(2)]);
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected"]);
  });

  it("close() waits for queued ops and rejects new ones", async () => {
    const { db, committed } = fakeDb(10);
    const b = new WriteBatcher<number, number>(db, async (_tx, ops) => [...ops]);
    const pending = [b.enqueue(1), b.enqueue(2)];
    await b.close();
    expect(committed.flat()).toEqual([1, 2]);
    await expect(Promise.all(pending)).resolves.toEqual([1, 2]);
    await expect(b.enqueue(3)).rejects.toThrow(/closed/);
  });
});
