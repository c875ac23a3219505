import { Memory, type MemoryWrite } from "@agnt5/adk";
import { MockEmbeddingModel } from "@agnt5/llm/test";
import type { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VectorMemoryService } from "./index.js";
import { pgliteWithVector } from "./test-support/databases.js";
import { topicEmbeddingModel } from "./test-support/topic-embedding.js";

const MEMORIES: Array<[string, string]> = [
  ["decision", "Chose PostgreSQL for transactional data, Redis for caching"],
  ["expertise", "PhD in machine learning, specializes in NLP with PyTorch"],
  ["style", "Writes React components in TypeScript"],
  ["lunch", "Vegetarian, likes pizza and pasta"],
];

async function planOf(db: PGlite, sql: string): Promise<string> {
  // A handful of rows: the planner would scan them; with scans priced out, the index must be valid to be used.
  await db.exec("SET enable_seqscan = off; SET enable_bitmapscan = off");
  try {
    return (await db.query<{ "QUERY PLAN": string }>(`EXPLAIN ${sql}`)).rows.map((row) => row["QUERY PLAN"]).join("\n");
  } finally {
    await db.exec("RESET enable_seqscan; RESET enable_bitmapscan");
  }
}

describe("VectorMemoryService's HNSW index on PGlite", () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await pgliteWithVector();
  });
  afterAll(() => db.close());

  it("the write crossing the threshold schedules the build and returns; searches scan meanwhile, then use the index", async () => {
    const service = new VectorMemoryService({
      model: topicEmbeddingModel(),
      database: { pglite: db },
      table: "hnsw_background",
      hnswThreshold: 4,
    });
    const memory = new Memory({ service });
    for (const [key, content] of MEMORIES.slice(0, 3)) await memory.store(key, content);
    expect(service.indexStatus).toBe("none");
    await memory.store(...MEMORIES[3]!);
    // The crossing write has returned: the build is scheduled, not done; the catalog has no index yet.
    expect(service.indexStatus).toBe("building");
    const catalog = db.query("SELECT to_regclass('hnsw_background_embedding_hnsw')::text AS index");
    // A search issued during the build answers from an exact scan.
    const during = memory.search("Redis or PostgreSQL?", { limit: 1 });
    expect((await catalog).rows).toEqual([{ index: null }]);
    expect((await during)[0]?.key).toBe("decision");
    await service.buildIndex();
    expect(service.indexStatus).toBe("ready");
    expect(await planOf(db, "SELECT key FROM hnsw_background ORDER BY embedding <=> '[1,0,0,0,0]' LIMIT 2")).toMatch(
      /Index Scan using hnsw_background_embedding_hnsw/,
    );
    expect((await memory.search("Redis or PostgreSQL?", { limit: 1 }))[0]?.key).toBe("decision");
    // A service opening the table later finds the valid index.
    const reopened = new VectorMemoryService({
      model: topicEmbeddingModel(),
      database: { pglite: db },
      table: "hnsw_background",
    });
    await reopened.start();
    expect(reopened.indexed).toBe(true);
  });

  it("close() during a scheduled build ends it cleanly; the next service builds the index", async () => {
    const options = { model: topicEmbeddingModel(), database: { pglite: db }, table: "hnsw_closed", hnswThreshold: 2 };
    const service = new VectorMemoryService(options);
    const memory = new Memory({ service });
    await memory.store(...MEMORIES[0]!);
    await memory.store(...MEMORIES[1]!);
    expect(service.indexStatus).toBe("building");
    await service.close();
    expect(service.indexStatus).not.toBe("building");
    const next = new VectorMemoryService(options);
    await next.buildIndex();
    expect(next.indexed).toBe(true);
    expect((await new Memory({ service: next }).search("Redis or PostgreSQL?", { limit: 1 }))[0]?.key).toBe("decision");
  });

  it("a failed background build is reported and retried on the next write; buildIndex() throws its error", async () => {
    const errors: Error[] = [];
    let reported: () => void = () => {};
    const service = new VectorMemoryService({
      model: topicEmbeddingModel(),
      database: { pglite: db },
      table: "hnsw_failing",
      hnswThreshold: 2,
      // pgvector refuses m = 1 (its minimum is 2): every build fails.
      hnsw: { m: 1 },
      onIndexError: (error) => {
        errors.push(error);
        reported();
      },
    });
    const memory = new Memory({ service });
    const firstFailure = new Promise<void>((resolve) => {
      reported = resolve;
    });
    await memory.store(...MEMORIES[0]!);
    await memory.store(...MEMORIES[1]!);
    await firstFailure;
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/"m"/);
    expect(service.indexStatus).toBe("none");
    // The exact scan still serves searches.
    expect((await memory.search("which database?", { limit: 1 }))[0]?.key).toBe("decision");
    const secondFailure = new Promise<void>((resolve) => {
      reported = resolve;
    });
    await memory.store(...MEMORIES[2]!);
    await secondFailure;
    expect(errors).toHaveLength(2);
    await expect(service.buildIndex()).rejects.toThrow(/"m"/);
  });

  it("a filtered search through the index goes on past ef_search candidates until it has `limit` matches", async () => {
    // 300 memories of user "a" right around the query, 20 of user "b" far from it: ef_search 10
    // candidates are all "a"; filtering them alone would leave user "b" with nothing.
    const vectors = new Map<string, number[]>([["query", [1, 0, 0]]]);
    const writes: MemoryWrite[] = [];
    for (let i = 0; i < 320; i++) {
      const near = i < 300;
      const content = `memory ${i}`;
      vectors.set(content, near ? [1, i / 3000, 0.01] : [0.01, 1, i / 3000]);
      writes.push({ key: `m${i}`, content, metadata: { userId: near ? "a" : "b" } });
    }
    const service = new VectorMemoryService({
      model: new MockEmbeddingModel({ dimensions: 3, embedValue: (text) => vectors.get(text) ?? [0, 0, 1] }),
      database: { pglite: db },
      table: "hnsw_filtered",
      hnswThreshold: 1_000,
      hnsw: { efSearch: 10 },
    });
    await service.upsert(writes);
    await service.buildIndex();
    const sql = `SELECT key FROM hnsw_filtered WHERE metadata @> '{"userId":"b"}' ORDER BY embedding <=> '[1,0,0]' LIMIT 5`;
    expect(await planOf(db, sql)).toMatch(/Index Scan using hnsw_filtered_embedding_hnsw/);
    await db.exec("SET enable_seqscan = off; SET enable_bitmapscan = off");
    try {
      const hits = await service.search("query", { limit: 5, filter: { userId: "b" } });
      expect(hits.map((hit) => hit.metadata.userId)).toEqual(["b", "b", "b", "b", "b"]);
      // Re-sorted: nearest first.
      expect(hits.map((hit) => hit.score)).toEqual([...hits.map((hit) => hit.score)].sort((x, y) => y - x));
    } finally {
      await db.exec("RESET enable_seqscan; RESET enable_bitmapscan");
    }
  });
});
