import { Memory } from "@agnt5/adk";
import { ScriptedModel } from "@agnt5/llm/test";
import type { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VectorMemoryService } from "./index.js";
import { DATABASE_URL, dropSchema, pgliteWithVector, uniqueSchema } from "./test-support/databases.js";
import { topicEmbeddingModel } from "./test-support/topic-embedding.js";

const MEMORIES: Array<[string, string, Record<string, unknown>]> = [
  ["decision", "Chose PostgreSQL for transactional data, Redis for caching", { type: "decision", userId: "u1" }],
  ["expertise", "PhD in machine learning, specializes in NLP with PyTorch", { type: "expertise", userId: "u1" }],
  ["style", "Writes React components in TypeScript", { type: "preference", userId: "u2" }],
  ["lunch", "Vegetarian, likes pizza and pasta", { type: "preference", userId: "u2" }],
];

async function fill(memory: Memory) {
  for (const [key, content, metadata] of MEMORIES) await memory.store(key, content, metadata);
}

describe("VectorMemoryService on PGlite (pgvector)", () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await pgliteWithVector();
  });
  afterAll(() => db.close());

  it("returns the nearest memory for a deterministic embedding model, with cosine scores, metadata and filters", async () => {
    const service = new VectorMemoryService({
      model: topicEmbeddingModel(),
      database: { pglite: db },
      table: "vec_nearest",
    });
    const memory = new Memory({ service });
    await fill(memory);
    const results = await memory.search("Which SQL database should we use?", { limit: 2 });
    expect(results.map((r) => r.key)).toEqual(["decision", expect.any(String)]);
    expect(results[0]!.score).toBeGreaterThan(0.99);
    expect(results[1]!.score).toBeLessThan(0.1);
    expect(results[0]!.metadata).toEqual({ type: "decision", userId: "u1" });
    expect((await memory.search("attention in a transformer", { limit: 1 }))[0]?.key).toBe("expertise");
    expect((await memory.search("pizza", { limit: 1, filter: { userId: "u1" } }))[0]?.key).not.toBe("lunch");
    expect((await memory.search("pizza", { filter: { type: "preference" }, minScore: 0.5 })).map((r) => r.key)).toEqual(
      ["lunch"],
    );
    expect(service.indexed).toBe(false);
  });

  it("upserts by key, re-embeds updated content, and forget is permanent", async () => {
    const service = new VectorMemoryService({
      model: topicEmbeddingModel(),
      database: { pglite: db },
      table: "vec_crud",
    });
    const memory = new Memory({ service });
    expect(await memory.search("anything")).toEqual([]);
    expect(await memory.listKeys()).toEqual([]);
    await fill(memory);
    await fill(memory);
    expect(await memory.listKeys()).toEqual(["decision", "expertise", "lunch", "style"]);
    expect(await memory.listKeys({ userId: "u2", type: "preference" })).toEqual(["lunch", "style"]);

    await memory.update("style", { content: "Tunes SQL queries", metadata: { type: "expertise" } });
    const [hit] = await memory.search("slow database queries", { limit: 1, filter: { userId: "u2" } });
    expect(hit).toMatchObject({
      key: "style",
      content: "Tunes SQL queries",
      metadata: { type: "expertise", userId: "u2" },
    });
    expect(hit!.score).toBeGreaterThan(0.99);

    expect(await memory.forget(["decision", "style"])).toBe(2);
    const after = await memory.search("SQL database", { limit: 10 });
    expect(after.map((r) => r.key).sort()).toEqual(["expertise", "lunch"]);
    expect(await memory.recall(["decision"])).toEqual([]);
    // A new service on the same table (a restart) finds the same rows.
    const reopened = new Memory({
      service: new VectorMemoryService({ model: topicEmbeddingModel(), database: { pglite: db }, table: "vec_crud" }),
    });
    expect(await reopened.listKeys()).toEqual(["expertise", "lunch"]);
  });

  it("refuses a model whose dimensions differ from the stored vectors, and a PGlite created without pgvector", async () => {
    const service = new VectorMemoryService({
      model: topicEmbeddingModel(),
      database: { pglite: db },
      table: "vec_dims",
    });
    await new Memory({ service }).store("a", "sql");
    const { MockEmbeddingModel } = await import("@agnt5/llm/test");
    const other = new VectorMemoryService({
      model: new MockEmbeddingModel({ dimensions: 3 }),
      database: { pglite: db },
      table: "vec_dims",
    });
    await expect(new Memory({ service: other }).search("sql")).rejects.toMatchObject({
      code: "EMBEDDING_DIMENSION_MISMATCH",
      message: expect.stringMatching(/returned 3 dimensions but "vec_dims" holds vectors of 5/),
    });
    const { PGlite } = await import("@electric-sql/pglite");
    const plain = await PGlite.create();
    try {
      const without = new VectorMemoryService({ model: topicEmbeddingModel(), database: { pglite: plain } });
      await expect(without.start()).rejects.toMatchObject({
        code: "VECTOR_EXTENSION_MISSING",
        message: expect.stringMatching(/PGlite.create\(\{ extensions: \{ vector \} \}\)/),
      });
    } finally {
      await plain.close();
    }
  });

  it("the seed's learning agent: learns from a session, re-learning leaves no duplicate, recalls similar past work", async () => {
    const service = new VectorMemoryService({ model: topicEmbeddingModel(), database: { pglite: {} } });
    const facts = { facts: [{ content: "Slow PostgreSQL queries were fixed with an index", type: "learning" }] };
    const memory = new Memory({ service, model: new ScriptedModel([{ object: facts }, { object: facts }]) });
    const session = {
      id: "debug-1",
      userId: "dev-7",
      history: () => [
        { role: "user", content: "Debug this performance issue: slow database queries" },
        { role: "assistant", content: "Added an index on orders.customer_id; queries are fast now." },
      ],
    };
    try {
      const runAndLearn = async (prompt: string, output: string) => {
        const keys = await memory.ingestFromSession(session, { strategy: "smart" });
        await memory.store(`interaction_${session.id}`, `Task: ${prompt}\nOutcome: ${output}`, {
          type: "interaction_history",
          success: true,
        });
        return keys;
      };
      const first = await runAndLearn("Debug this performance issue", "Added an index");
      const second = await runAndLearn("Debug this performance issue", "Added an index");
      expect(second).toEqual(first);
      expect(await memory.listKeys()).toHaveLength(2);
      const similar = await memory.search("Similar to: Another SQL query performance problem", { limit: 5 });
      expect(similar[0]).toMatchObject({ key: first[0], metadata: { type: "learning", userId: "dev-7" } });
    } finally {
      await service.close();
    }
  });
});

describe("VectorMemoryService on PostgreSQL", () => {
  const schema = uniqueSchema("memvec");
  afterAll(() => dropSchema(schema));

  it("searches with pgvector where the server has it; where it does not, says so at start with how to install it", async () => {
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    const { rows } = await client.query("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'");
    const { rows: version } = await client.query("SELECT current_setting('server_version_num')::int / 10000 AS major");
    await client.end();
    const service = new VectorMemoryService({
      model: topicEmbeddingModel(),
      database: { postgres: DATABASE_URL },
      schema,
    });
    try {
      if (rows.length === 0) {
        // This machine's Debian PostgreSQL has no pgvector package installed: the message must say so.
        const failure = service.start();
        await expect(failure).rejects.toMatchObject({ code: "VECTOR_EXTENSION_MISSING" });
        const message = await failure.then(
          () => "",
          (error: Error) => error.message,
        );
        expect(message).toContain(`PostgreSQL at ${DATABASE_URL}`);
        expect(message).toContain("has no pgvector extension");
        expect(message).toContain(`apt-get install postgresql-${version[0].major}-pgvector`);
        expect(message).toContain("DatabaseMemoryService");
        // Every operation gives the same answer, not a SQL error about a missing type.
        await expect(new Memory({ service }).store("a", "sql")).rejects.toMatchObject({
          code: "VECTOR_EXTENSION_MISSING",
        });
        return;
      }
      const memory = new Memory({ service });
      await fill(memory);
      expect((await memory.search("Which SQL database should we use?", { limit: 1 }))[0]?.key).toBe("decision");
      await memory.forget("decision");
      expect((await memory.search("Which SQL database should we use?", { limit: 4 })).map((r) => r.key)).not.toContain(
        "decision",
      );
    } finally {
      await service.close();
    }
  });
});
