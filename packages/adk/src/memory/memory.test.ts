import type { DurableContext } from "@agnt5/core";
import { MockEmbeddingModel, ScriptedModel } from "@agnt5/llm/test";
import { describe, expect, it } from "vitest";
import { InMemoryMemoryService, Memory, type MemorySearchResult, type MemoryWrite } from "../index.js";
import { runDurable } from "../test-support/durable-run.js";

/** A deterministic embedding model: one dimension per topic, counting the topic's words in the text. */
const TOPICS: Record<string, string[]> = {
  databases: ["database", "databases", "postgresql", "sql", "redis", "transactional"],
  ml: ["machine", "learning", "nlp", "pytorch", "tensorflow", "attention", "transformer"],
  frontend: ["react", "typescript", "component", "css"],
  food: ["pizza", "pasta", "vegetarian"],
};
function topicEmbedding() {
  return new MockEmbeddingModel({
    dimensions: Object.keys(TOPICS).length + 1,
    embedValue: (text) => {
      const words = text.toLowerCase().match(/[a-z]+/g) ?? [];
      const vector = Object.values(TOPICS).map((topic) => words.filter((word) => topic.includes(word)).length);
      return [...vector, 0.01];
    },
  });
}

const keywordMemory = () => new Memory({ service: new InMemoryMemoryService() });
const vectorMemory = () =>
  new Memory({ service: new InMemoryMemoryService({ embedding: { model: topicEmbedding() } }) });

describe("Memory on InMemoryMemoryService", () => {
  it("stores, recalls in the order asked, and replaces a key on a second store (an upsert)", async () => {
    const memory = keywordMemory();
    await memory.store("user_role", "Senior Software Engineer specializing in distributed systems", {
      type: "user_info",
      confidence: 0.95,
    });
    await memory.store("project_context", "Building a real-time analytics platform for financial data", {
      type: "project_info",
    });
    const recalled = await memory.recall(["project_context", "missing", "user_role"]);
    expect(recalled.map((m) => [m.key, m.metadata.type])).toEqual([
      ["project_context", "project_info"],
      ["user_role", "user_info"],
    ]);
    const first = recalled[1]!;
    await memory.store("user_role", "Staff engineer", { type: "user_info" });
    const [again] = await memory.recall(["user_role"]);
    expect(again).toMatchObject({ content: "Staff engineer", createdAt: first.createdAt });
    expect(await memory.listKeys()).toEqual(["project_context", "user_role"]);
  });

  it("ranks by cosine similarity over embeddings: the nearest memory first, with its score and metadata", async () => {
    const memory = vectorMemory();
    await memory.store("technical_decision_001", "Chose PostgreSQL for transactional data, Redis for caching", {
      type: "decision",
      category: "architecture",
      source_session: "planning-session-789",
    });
    await memory.store("user_expertise", "PhD in machine learning, specializes in NLP", { type: "expertise" });
    await memory.store("coding_style", "Writes React components in TypeScript", { type: "preference" });
    const results = await memory.search("What does the user know about databases and SQL?", { limit: 2 });
    expect(results).toHaveLength(2);
    expect(results[0]).toMatchObject({
      key: "technical_decision_001",
      metadata: { source_session: "planning-session-789" },
    });
    expect(results[0]!.score).toBeGreaterThan(0.9);
    expect(results[0]!.score).toBeGreaterThan(results[1]!.score);
    // The seed's metadata filter.
    const decisions = await memory.search("database decisions", {
      filter: { type: "decision", category: "architecture" },
    });
    expect(decisions.map((r) => r.key)).toEqual(["technical_decision_001"]);
    expect(
      await memory.search("database decisions", { filter: { type: ["expertise", "preference"] }, limit: 1 }),
    ).toEqual([expect.objectContaining({ key: expect.any(String) })]);
  });

  it("scores by keywords without an embedding model, leaving out memories that share no word", async () => {
    const memory = keywordMemory();
    await memory.store("db", "Expert in PostgreSQL databases and query tuning");
    await memory.store("food", "Likes vegetarian pizza");
    const results = await memory.search("Which databases does the user know?");
    expect(results.map((r) => r.key)).toEqual(["db"]);
    expect(results[0]!.score).toBeGreaterThan(0);
  });

  it("forget removes a memory for good: gone from recall, search and listKeys, and a second forget finds nothing", async () => {
    const memory = vectorMemory();
    await memory.store("a", "PostgreSQL databases");
    await memory.store("b", "React components");
    expect(await memory.forget(["a"])).toBe(1);
    expect(await memory.recall(["a"])).toEqual([]);
    expect((await memory.search("databases", { limit: 10 })).map((r) => r.key)).toEqual(["b"]);
    expect(await memory.listKeys()).toEqual(["b"]);
    expect(await memory.forget(["a"])).toBe(0);
  });

  it("update merges metadata (null removes a field) and re-embeds new content", async () => {
    const memory = vectorMemory();
    await memory.store("pref", "Prefers PyTorch over TensorFlow", { type: "preference", confidence: 0.9, stale: true });
    const updated = await memory.update("pref", {
      content: "Prefers pizza",
      metadata: { confidence: 0.5, stale: null },
    });
    expect(updated).toMatchObject({ content: "Prefers pizza", metadata: { type: "preference", confidence: 0.5 } });
    expect(updated.metadata).not.toHaveProperty("stale");
    const [hit] = await memory.search("pasta or pizza tonight?", { limit: 1 });
    expect(hit).toMatchObject({ key: "pref" });
    expect(hit!.score).toBeGreaterThan(0.9);
    await expect(memory.update("nope", { content: "x" })).rejects.toMatchObject({ code: "MEMORY_NOT_FOUND" });
  });

  it("listKeys filters by user, session, type, prefix and other metadata", async () => {
    const memory = keywordMemory();
    await memory.store("u1_a", "x", { userId: "u1", type: "preference" });
    await memory.store("u1_b", "y", { userId: "u1", type: "expertise", sessionId: "s1" });
    await memory.store("u2_a", "z", { userId: "u2", type: "preference" });
    expect(await memory.listKeys({ userId: "u1" })).toEqual(["u1_a", "u1_b"]);
    expect(await memory.listKeys({ type: "preference" })).toEqual(["u1_a", "u2_a"]);
    expect(await memory.listKeys({ sessionId: "s1" })).toEqual(["u1_b"]);
    expect(await memory.listKeys({ prefix: "u2" })).toEqual(["u2_a"]);
    expect(await memory.listKeys({ filter: { type: "preference" }, limit: 1 })).toEqual(["u1_a"]);
  });

  it("refuses bad input naming the operation and the field", async () => {
    const memory = keywordMemory();
    await expect(memory.store("", "x")).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
      message: expect.stringMatching(/memory.store: a memory key/),
    });
    await expect(memory.store("k", 42 as unknown as string)).rejects.toThrow(
      /memory.store: content must be a string, got number/,
    );
    await expect(memory.store("k", "x", [] as unknown as Record<string, unknown>)).rejects.toThrow(
      /metadata must be an object/,
    );
    await expect(memory.store("k\u0000", "x")).rejects.toThrow(/U\+0000/);
    await expect(memory.search("x", { limit: 0 })).rejects.toThrow(/limit must be an integer from 1 to 1000, got 0/);
    await expect(memory.listKeys({ limit: -1 })).rejects.toThrow(
      /memory.listKeys: limit must be a positive integer, got -1/,
    );
    await expect(memory.recall("k" as unknown as string[])).resolves.toEqual([]);
    expect(() => new Memory({} as never)).toThrow(/needs a MemoryService/);
  });
});

/** The seed's UserProfileMemory, ported. */
class UserProfileMemory {
  readonly prefix: string;
  constructor(
    readonly userId: string,
    readonly memory: Memory,
  ) {
    this.prefix = `user_${userId}_`;
  }
  storePreference(category: string, value: string) {
    return this.memory.store(`${this.prefix}pref_${category}`, value, { type: "preference", userId: this.userId });
  }
  storeExpertise(domain: string, level: string, details: string) {
    return this.memory.store(`${this.prefix}expertise_${domain}`, `${level} expertise in ${domain}: ${details}`, {
      type: "expertise",
      userId: this.userId,
    });
  }
  async getProfile() {
    const results: MemorySearchResult[] = await this.memory.search(
      `user ${this.userId} profile preferences expertise`,
      {
        limit: 50,
        filter: { userId: this.userId },
      },
    );
    const profile = { preferences: {} as Record<string, string>, expertise: {} as Record<string, string> };
    for (const result of results) {
      if (result.metadata.type === "preference")
        profile.preferences[result.key.replace(`${this.prefix}pref_`, "")] = result.content;
      if (result.metadata.type === "expertise")
        profile.expertise[result.key.replace(`${this.prefix}expertise_`, "")] = result.content;
    }
    return profile;
  }
}

describe("the seed's user-profile memory", () => {
  it("builds a profile from preferences and expertise, other users' memories left out", async () => {
    const memory = keywordMemory();
    const user = new UserProfileMemory("user-123", memory);
    await user.storePreference("language", "Python");
    await user.storeExpertise("ml", "advanced", "10+ years in NLP");
    await new UserProfileMemory("user-999", memory).storePreference("language", "Go");
    expect(await user.getProfile()).toEqual({
      preferences: { language: "Python" },
      expertise: { ml: "advanced expertise in ml: 10+ years in NLP" },
    });
  });
});

const CONSULTATION = [
  { role: "user", content: "I'm building a recommendation system for e-commerce" },
  { role: "assistant", content: "Great, what scale?" },
  { role: "user", content: "We have 10 million users and need sub-100ms latency" },
  { role: "assistant", content: [{ type: "text", text: "Understood." }] },
  { role: "user", content: "Our team is experienced with Python and Go" },
];
const FACTS = {
  facts: [
    { content: "User building recommendation system for e-commerce", type: "project_info", confidence: 0.9 },
    { content: "System requirements: 10M users, <100ms latency", type: "requirement" },
    { content: "Team expertise: Python, Go", type: "expertise" },
    { content: "team expertise:  Python, Go ", type: "expertise" },
  ],
};
/** A Session-like object: history() with seq numbers, as the Session helper's class has. */
const session = (id = "consultation-123") => ({
  id,
  userId: "user-456",
  history: async () => CONSULTATION.map((message, seq) => ({ seq, ...message })),
});

describe("ingestFromSession", () => {
  it("smart: a model extracts the facts (the seed's three), each stored once with the session and user", async () => {
    const model = new ScriptedModel([{ object: FACTS }]);
    const memory = new Memory({ service: new InMemoryMemoryService(), model });
    const keys = await memory.ingestFromSession(session(), { strategy: "smart" });
    expect(keys).toHaveLength(3);
    const stored = await memory.recall(keys);
    expect(stored.map((m) => m.content)).toEqual([
      "User building recommendation system for e-commerce",
      "System requirements: 10M users, <100ms latency",
      "Team expertise: Python, Go",
    ]);
    expect(stored[0]!.metadata).toEqual({
      type: "project_info",
      confidence: 0.9,
      source: "smart_ingestion",
      sessionId: "consultation-123",
      userId: "user-456",
    });
    // The model saw the conversation's text.
    expect(JSON.stringify(model.calls[0]!.request.messages)).toContain("sub-100ms latency");
    expect(await memory.listKeys({ userId: "user-456", sessionId: "consultation-123" })).toEqual([...keys].sort());
  });

  it("run again (the model answering the same), leaves the same memories: no duplicates", async () => {
    const model = new ScriptedModel([{ object: FACTS }, { object: FACTS }]);
    const memory = new Memory({ service: new InMemoryMemoryService(), model });
    const first = await memory.ingestFromSession(session(), { strategy: "smart" });
    const second = await memory.ingestFromSession(session(), { strategy: "smart" });
    expect(second).toEqual(first);
    expect(await memory.listKeys()).toHaveLength(3);
  });

  it("all: one memory per user and assistant message with text; summary: one model-written memory", async () => {
    const model = new ScriptedModel([{ text: "A recommendation system for 10M users in Python and Go." }]);
    const memory = new Memory({ service: new InMemoryMemoryService(), model });
    const all = await memory.ingestFromSession(session(), { strategy: "all" });
    expect(all).toEqual([0, 1, 2, 3, 4].map((seq) => `session:consultation-123:msg:${seq}`));
    expect((await memory.recall(all[3]!))[0]).toMatchObject({
      content: "Understood.",
      metadata: { role: "assistant" },
    });
    const [summaryKey] = await memory.ingestFromSession(session(), { strategy: "summary" });
    expect(summaryKey).toBe("session:consultation-123:summary");
    expect((await memory.get(summaryKey!))?.metadata).toMatchObject({ type: "session_summary", messageCount: 5 });
    // AgentSession-like input (messages()) works too.
    const keys = await memory.ingestFromSession(
      { id: "s2", messages: async () => [{ role: "user", content: "hi there" }] },
      {
        strategy: "all",
      },
    );
    expect(keys).toEqual(["session:s2:msg:0"]);
  });

  it("says what is missing: a model for smart, a known strategy, a session", async () => {
    const memory = keywordMemory();
    await expect(memory.ingestFromSession(session(), { strategy: "smart" })).rejects.toThrow(
      /strategy "smart" needs a model/,
    );
    await expect(memory.ingestFromSession(session(), { strategy: "most" as never })).rejects.toThrow(
      /Unknown ingestion strategy "most"/,
    );
    await expect(memory.ingestFromSession({} as never)).rejects.toThrow(
      /needs a session with history\(\) or messages\(\)/,
    );
  });

  it("in a durable context, an ingestion that crashes after any entry and runs again leaves the same memories, asking the model once", async () => {
    const service = new InMemoryMemoryService();
    const handler = (model: ScriptedModel) => async (ctx: DurableContext) =>
      new Memory({ service, model }).withContext(ctx).ingestFromSession(session(), { strategy: "smart" });
    const baseline = runDurable([], handler(new ScriptedModel([{ object: FACTS }])));
    const expected = await baseline.outcome;
    const journal = baseline.proposals();
    expect(journal.map((entry) => entry.name)).toEqual([
      "memory:ingest:smart:session:consultation-123",
      "memory:ingest:store:smart",
    ]);
    const baselineMemories = await service.get(await service.listKeys({ filter: {} }));

    for (let k = 0; k <= journal.length; k++) {
      // What a crash after entry k can leave: nothing before the extraction is recorded; some of the
      // writes (a batch cut short) after it; all of them once the write entry is recorded.
      await service.delete(await service.listKeys({ filter: {} }));
      if (k === 1) await service.upsert(baselineMemories.slice(0, 1) as MemoryWrite[]);
      if (k === 2) await service.upsert(baselineMemories as MemoryWrite[]);
      // A model asked again would answer differently: the recorded extraction must be used.
      const model = new ScriptedModel(k === 0 ? [{ object: FACTS }] : []);
      const resumed = runDurable(journal.slice(0, k), handler(model));
      await expect(resumed.outcome, `cut after entry ${k}`).resolves.toEqual(expected);
      model.assertAllCallsUsed();
      const after = await service.get(await service.listKeys({ filter: {} }));
      expect(after.map((m) => [m.key, m.content, m.metadata])).toEqual(
        baselineMemories.map((m) => [m.key, m.content, m.metadata]),
      );
    }
  });
});
