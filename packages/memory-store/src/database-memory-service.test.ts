import { InMemoryMemoryService, Memory } from "@agnt5/adk";
import { ScriptedModel } from "@agnt5/llm/test";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabaseMemoryService } from "./index.js";
import { DATABASE_URL, dropSchema, uniqueSchema } from "./test-support/databases.js";

const schema = uniqueSchema("memfts");
afterAll(() => dropSchema(schema));

// One PGlite for the file, each test on its own table: a new one per test costs seconds of initdb.
// A service opening its own PGlite ({ pglite: {} }) is tested by vector-memory-service.test.ts.
let pglite: PGlite;
beforeAll(async () => {
  pglite = await PGlite.create();
});
afterAll(() => pglite?.close());

const targets = [
  {
    name: "PostgreSQL",
    open: (table: string) => new DatabaseMemoryService({ database: { postgres: DATABASE_URL }, schema, table }),
  },
  { name: "PGlite", open: (table: string) => new DatabaseMemoryService({ database: { pglite }, table }) },
];

describe.each(targets)("DatabaseMemoryService on $name", ({ open }) => {
  it("finds memories by full-text search (stemmed, any of the query's words), best first, with metadata and a filter", async () => {
    const service = open("fts_search");
    const memory = new Memory({ service });
    try {
      await memory.store("technical_decision_001", "Chose PostgreSQL for transactional data, Redis for caching", {
        type: "decision",
        category: "architecture",
        source_session: "planning-session-789",
        tags: ["storage", "cache"],
      });
      await memory.store("user_expertise", "Expert in database indexing and query planning", { type: "expertise" });
      await memory.store("coding_style", "Prefers functional programming", { type: "preference" });

      const results = await memory.search("What does the user know about databases?", { limit: 5 });
      expect(results.map((r) => r.key)).toEqual(["user_expertise"]);
      expect(results[0]!.score).toBeGreaterThan(0);
      expect(results[0]!.score).toBeLessThan(1);

      const both = await memory.search("database caching decisions", { limit: 5 });
      expect(both.map((r) => r.key).sort()).toEqual(["technical_decision_001", "user_expertise"]);
      expect(both[0]!.score).toBeGreaterThanOrEqual(both[1]!.score);

      const decisions = await memory.search("database caching decisions", {
        filter: { type: "decision", category: "architecture" },
      });
      expect(decisions).toEqual([
        expect.objectContaining({
          key: "technical_decision_001",
          metadata: {
            type: "decision",
            category: "architecture",
            source_session: "planning-session-789",
            tags: ["storage", "cache"],
          },
          createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        }),
      ]);
      // An array field matches a value it holds; an array filter is any-of.
      expect((await memory.search("caching", { filter: { tags: "cache" } })).map((r) => r.key)).toEqual([
        "technical_decision_001",
      ]);
      expect(await memory.search("caching", { filter: { type: ["expertise", "preference"] } })).toEqual([]);
      expect(await memory.search("the of and")).toEqual([]);
    } finally {
      await service.close();
    }
  });

  it("stores by key (an upsert), updates in one write, lists keys, and forget is permanent", async () => {
    const service = open("fts_crud");
    const memory = new Memory({ service });
    try {
      const first = await memory.store("u1_pref", "Likes PostgreSQL", { userId: "u1", type: "preference", stale: 1 });
      await memory.store("u1_pref", "Likes PostgreSQL and Redis", { userId: "u1", type: "preference", stale: 1 });
      await memory.store("u2_pref", "Likes MySQL", { userId: "u2", type: "preference" });
      await memory.store("u1_100%", "odd key", { userId: "u1" });
      const [again] = await memory.recall(["u1_pref"]);
      expect(again).toMatchObject({ content: "Likes PostgreSQL and Redis", createdAt: first.createdAt });
      expect(await memory.listKeys({ userId: "u1" })).toEqual(["u1_100%", "u1_pref"]);
      expect(await memory.listKeys({ prefix: "u1_1" })).toEqual(["u1_100%"]);
      expect(await memory.listKeys({ type: "preference", limit: 1 })).toEqual(["u1_pref"]);

      const updated = await memory.update("u1_pref", {
        content: "Likes SQLite",
        metadata: { confidence: 0.4, stale: null },
      });
      expect(updated).toMatchObject({
        content: "Likes SQLite",
        metadata: { userId: "u1", type: "preference", confidence: 0.4 },
      });
      expect(updated.metadata).not.toHaveProperty("stale");
      expect((await memory.search("sqlite")).map((r) => r.key)).toEqual(["u1_pref"]);
      expect(await memory.search("redis")).toEqual([]);
      await expect(memory.update("nobody", { content: "x" })).rejects.toMatchObject({ code: "MEMORY_NOT_FOUND" });

      expect(await memory.forget(["u1_pref", "u2_pref"])).toBe(2);
      expect(await memory.search("likes")).toEqual([]);
      expect(await memory.recall(["u1_pref"])).toEqual([]);
      expect(await memory.listKeys()).toEqual(["u1_100%"]);
      expect(await memory.forget("u1_pref")).toBe(0);
    } finally {
      await service.close();
    }
  });

  it("re-running a smart ingestion leaves the same memories, no duplicates", async () => {
    const service = open("fts_ingest");
    const facts = {
      facts: [
        { content: "User building recommendation system for e-commerce", type: "project_info" },
        { content: "Team expertise: Python, Go", type: "expertise" },
      ],
    };
    const memory = new Memory({ service, model: new ScriptedModel([{ object: facts }, { object: facts }]) });
    const session = {
      id: "consultation-123",
      userId: "user-456",
      history: () => [
        { role: "user", content: "I'm building a recommendation system for e-commerce" },
        { role: "user", content: "Our team is experienced with Python and Go" },
      ],
    };
    try {
      const first = await memory.ingestFromSession(session, { strategy: "smart" });
      const before = await memory.recall(first);
      const second = await memory.ingestFromSession(session, { strategy: "smart" });
      expect(second).toEqual(first);
      expect(await memory.listKeys({ userId: "user-456" })).toEqual([...first].sort());
      expect((await memory.recall(second)).map((m) => [m.key, m.content, m.metadata, m.createdAt])).toEqual(
        before.map((m) => [m.key, m.content, m.metadata, m.createdAt]),
      );
      expect((await memory.search("Which languages does the team know? Python?")).map((r) => r.content)).toEqual([
        "Team expertise: Python, Go",
      ]);
    } finally {
      await service.close();
    }
  });
});

describe("DatabaseMemoryService on PostgreSQL, started by several processes at once", () => {
  it("creates its table once: every service starts and sees the others' writes", async () => {
    const services = Array.from(
      { length: 6 },
      () => new DatabaseMemoryService({ database: { postgres: DATABASE_URL }, schema, table: "fts_concurrent" }),
    );
    try {
      await Promise.all(services.map((service) => service.start()));
      await Promise.all(services.map((service, i) => new Memory({ service }).store(`k${i}`, `note ${i}`)));
      expect(await new Memory({ service: services[0]! }).listKeys()).toEqual(["k0", "k1", "k2", "k3", "k4", "k5"]);
    } finally {
      await Promise.all(services.map((service) => service.close()));
    }
  });
});

describe("DatabaseMemoryService options", () => {
  it("refuses a table name that is not a plain identifier, naming it", () => {
    expect(() => new DatabaseMemoryService({ database: { pglite: {} }, table: 'x"; drop' })).toThrow(
      /table "x\\"; drop" is not a valid name/,
    );
  });

  it("keeps memories in a PGlite data directory across instances", async () => {
    const one = new Memory({ service: new DatabaseMemoryService({ database: { pglite } }) });
    await one.store("k", "kept across services");
    const two = new Memory({ service: new DatabaseMemoryService({ database: { pglite } }) });
    expect((await two.search("kept")).map((r) => r.key)).toEqual(["k"]);
    // InMemory stays a drop-in for tests of the same code.
    expect(new Memory({ service: new InMemoryMemoryService() }).service.name).toBe("in-memory (keywords)");
  });
});
