import { createLocalDurableContext, LocalEntityStore } from "@agnt5/core";
import type { Message } from "@agnt5/llm";
import { ScriptedModel } from "@agnt5/llm/test";
import { describe, expect, it } from "vitest";
import { Agent } from "../agent.js";
import { InMemorySessionStore, Session, type SessionStore } from "./index.js";
import { APPEND_MARKERS_KEPT, SessionEntity } from "./session-entities.js";

const freshStore = () => new InMemorySessionStore();

/** A model message as [role, text] (assistant answers come back as text parts). */
const turn = (message: Message) => [
  message.role,
  typeof message.content === "string"
    ? message.content
    : message.content.map((part) => ("text" in part ? part.text : "")).join(""),
];

describe("Session state scopes", () => {
  it("keeps session state per session, user state per user, app state per app, temp state per object", async () => {
    const store = freshStore();
    const a = new Session({ id: "conv-a", userId: "u1", appName: "research", store });
    const b = new Session({ id: "conv-b", userId: "u1", appName: "research", store });
    const other = new Session({ id: "conv-c", userId: "u2", appName: "support", store });

    await a.setState("current_step", "checkout");
    await a.setState("language", "English", { scope: "user" });
    await a.setState("api_version", "v2", { scope: "app" });
    await a.setState("processing_step", "validation", { scope: "temp" });

    expect(await a.getState("current_step")).toBe("checkout");
    expect(await b.getState("current_step")).toBeUndefined();
    expect(await b.getState("language", { scope: "user" })).toBe("English");
    expect(await other.getState("language", { scope: "user" })).toBeUndefined();
    expect(await b.getState("api_version", { scope: "app" })).toBe("v2");
    expect(await other.getState("api_version", { scope: "app" })).toBeUndefined();
    expect(await a.getState("processing_step", { scope: "temp" })).toBe("validation");
    // Temp state is this object's only: never stored, so the same session id elsewhere does not see it.
    expect(await new Session({ id: "conv-a", store }).getState("processing_step", { scope: "temp" })).toBeUndefined();
    expect(await a.state()).toEqual({ current_step: "checkout" });
  });

  it("names what is missing when a scope cannot be used", async () => {
    const session = new Session({ id: "no-user", store: freshStore() });
    await expect(session.setState("theme", "dark", { scope: "user" })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
      message: expect.stringContaining("userId"),
    });
    await expect(session.getState("x", { scope: "app" })).rejects.toThrow(/appName/);
    await expect(session.getState("x", { scope: "galaxy" as never })).rejects.toThrow(/Unknown state scope "galaxy"/);
    expect(() => new Session({ id: "" })).toThrow(/non-empty string id/);
    expect(() => new Session({ id: "s", retention: { ttlDays: -1 } })).toThrow(/ttlDays/);
  });
});

describe("Session history", () => {
  it("records timestamp, role, content, agent, tool calls and metadata, oldest first", async () => {
    const session = new Session({ id: "h-1", userId: "u", metadata: { project: "x" }, store: freshStore() });
    await session.addMessage("user", "What is 2+2?", { metadata: { channel: "web" } });
    await session.append(
      [
        {
          role: "assistant",
          content: [{ type: "tool-call", toolCallId: "c1", toolName: "calc", input: { expr: "2+2" } }],
        },
        { role: "tool", content: [{ type: "tool-result", toolCallId: "c1", toolName: "calc", output: 4 }] },
        { role: "assistant", content: "4" },
      ],
      { agent: "math" },
    );
    const history = await session.history();
    expect(history.map((m) => [m.seq, m.role, m.content, m.agent])).toEqual([
      [1, "user", "What is 2+2?", undefined],
      [2, "assistant", "", "math"],
      [3, "tool", "4", "math"],
      [4, "assistant", "4", "math"],
    ]);
    expect(history[0]?.metadata).toEqual({ channel: "web" });
    expect(history[1]?.toolCalls).toEqual([{ id: "c1", name: "calc", arguments: { expr: "2+2" } }]);
    expect(Number.isNaN(Date.parse(history[0]?.timestamp ?? ""))).toBe(false);
    expect(await session.info()).toMatchObject({ id: "h-1", userId: "u", metadata: { project: "x" }, messageCount: 4 });
  });

  it("stores an append once per idempotency key", async () => {
    const session = new Session({ id: "idem", store: freshStore() });
    const first = await session.append([{ role: "user", content: "hi" }], { idempotencyKey: "run-1:append" });
    const again = await session.append([{ role: "user", content: "hi" }], { idempotencyKey: "run-1:append" });
    expect(again).toEqual(first);
    expect(await session.history()).toHaveLength(1);
  });

  it("keeps the idempotency markers of the last APPEND_MARKERS_KEPT keyed appends only", async () => {
    const entities = new LocalEntityStore();
    const store = { journaled: false, call: entities.call.bind(entities) } as SessionStore;
    const append = (key: string) =>
      store.call(SessionEntity, "markers", "append", {
        messages: [{ role: "user", content: key }],
        idempotencyKey: key,
      }) as Promise<{ seqs: number[]; duplicate: boolean }>;
    for (let i = 0; i <= APPEND_MARKERS_KEPT; i++) await append(`k${i}`);
    const markers = () =>
      Object.keys(entities.state(SessionEntity.name, "markers")).filter((field) => field.startsWith("append:"));
    expect(markers()).toHaveLength(APPEND_MARKERS_KEPT);
    // The oldest marker made room for the newest: a retry that late is stored again; a recent one is not.
    expect(markers()).not.toContain("append:k0");
    expect(await append(`k${APPEND_MARKERS_KEPT}`)).toEqual({ seqs: [APPEND_MARKERS_KEPT + 1], duplicate: true });
    expect(await append("k1")).toEqual({ seqs: [2], duplicate: true });
    expect((await append("k0")).duplicate).toBe(false);
    expect(markers()).toHaveLength(APPEND_MARKERS_KEPT);
  });

  it("exports JSONL, one message per line with timestamp, role, message, metadata and tool_calls", async () => {
    const session = new Session({ id: "exp", store: freshStore() });
    await session.addMessage("user", "Analyze user access patterns", { metadata: { regulation: "SOC2" } });
    await session.addMessage("assistant", "Three admins logged in off-hours.", { agent: "data_analyst" });
    const jsonl = await session.export({ format: "jsonl" });
    const lines = jsonl
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      expect.objectContaining({
        role: "user",
        message: "Analyze user access patterns",
        metadata: { regulation: "SOC2" },
        tool_calls: [],
      }),
      expect.objectContaining({
        role: "assistant",
        message: "Three admins logged in off-hours.",
        agent: "data_analyst",
      }),
    ]);
    expect(Object.keys(lines[0])).toEqual(
      expect.arrayContaining(["timestamp", "role", "message", "metadata", "tool_calls"]),
    );
    await expect(session.export({ format: "xml" as never })).rejects.toThrow(/format must be "jsonl" or "json"/);
  });

  it("lists events (messages, state writes, prunes) since a time, at most limit", async () => {
    const session = new Session({ id: "ev", store: freshStore() });
    await session.addMessage("user", "one");
    await session.setState("stage", "research");
    await session.addMessage("user", "two");
    const all = await session.events();
    expect(all.map((e) => e.type)).toEqual(expect.arrayContaining(["message", "state"]));
    expect(all).toHaveLength(3);
    expect(await session.events({ limit: 1 })).toHaveLength(1);
    expect(await session.events({ since: "2999-01-01" })).toEqual([]);
    await expect(session.events({ since: "yesterday-ish" })).rejects.toThrow(/since is not a date/);
  });
});

async function longSession(id: string, count: number, options: Partial<ConstructorParameters<typeof Session>[0]> = {}) {
  const session = new Session({ id, store: freshStore(), ...options });
  await session.append(
    Array.from(
      { length: count },
      (_, i) => ({ role: i % 2 === 0 ? "user" : "assistant", content: `message ${i + 1}` }) as const,
    ),
  );
  return session;
}

describe("Session prune", () => {
  it("keep_last_N keeps the last N messages", async () => {
    const session = await longSession("p-last", 120);
    expect(await session.prune({ strategy: "keep_last_50" })).toMatchObject({ removed: 70, kept: 50 });
    const history = await session.history();
    expect(history.map((m) => m.content)).toEqual(Array.from({ length: 50 }, (_, i) => `message ${i + 71}`));
  });

  it("sliding_window keeps windowSize messages", async () => {
    const session = await longSession("p-window", 30);
    await session.prune({ strategy: "sliding_window", windowSize: 10 });
    expect((await session.history()).map((m) => m.seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 21));
    await expect(session.prune({ strategy: "sliding_window", windowSize: -3 })).rejects.toThrow(/windowSize/);
  });

  it("summarize_old replaces the messages older than threshold by one model-written summary", async () => {
    const session = await longSession("p-sum", 12);
    const model = new ScriptedModel([{ text: "The user counted to six." }]);
    expect(await session.prune({ strategy: "summarize_old", threshold: 4, model })).toMatchObject({
      removed: 8,
      kept: 5,
      summarized: true,
    });
    const history = await session.history();
    expect(history[0]).toMatchObject({ role: "system", content: "The user counted to six.", summary: true, seq: 8 });
    expect(history.slice(1).map((m) => m.content)).toEqual(["message 9", "message 10", "message 11", "message 12"]);
    // The model was given the older messages only.
    const prompt = JSON.stringify(model.calls[0]?.request.messages);
    expect(prompt).toContain("message 8");
    expect(prompt).not.toContain("message 9");
    // Agents read the summary back as context.
    expect((await session.messages())[0]).toEqual({
      role: "system",
      content: "Summary of the earlier conversation: The user counted to six.",
    });
  });

  it("keep_summary leaves only the summary", async () => {
    const session = await longSession("p-keep-sum", 6);
    await session.prune({ strategy: "keep_summary", model: new ScriptedModel([{ text: "Six messages." }]) });
    expect((await session.history()).map((m) => m.content)).toEqual(["Six messages."]);
  });

  it("keep_important keeps the messages the model picks", async () => {
    const session = await longSession("p-imp", 6);
    const model = new ScriptedModel([{ text: JSON.stringify({ keep: [2, 5] }) }]);
    await session.prune({ strategy: "keep_important", model });
    expect((await session.history()).map((m) => m.seq)).toEqual([2, 5]);
  });

  it("names an unknown strategy and a missing model", async () => {
    const session = await longSession("p-bad", 3);
    await expect(session.prune({ strategy: "keep_everything" })).rejects.toThrow(/unknown strategy "keep_everything"/);
    await expect(session.prune({ strategy: "summarize_old", threshold: 1 })).rejects.toThrow(/needs a model/);
    expect(await session.history()).toHaveLength(3);
  });

  it("autoPrune keeps the last N as messages accumulate", async () => {
    const session = await longSession("p-auto", 0, { retention: { autoPrune: 5 } });
    for (let i = 1; i <= 12; i++) await session.addMessage("user", `m${i}`);
    expect((await session.history()).map((m) => m.content)).toEqual(["m8", "m9", "m10", "m11", "m12"]);
  });
});

describe("Session retention", () => {
  it("an immutable session refuses prune and delete with SESSION_IMMUTABLE, and stays immutable", async () => {
    const store = freshStore();
    const session = new Session({ id: "medical", retention: { ttlDays: 2555, immutable: true }, store });
    await session.addMessage("user", "symptoms");
    await expect(session.prune("keep_last_0")).rejects.toMatchObject({ code: "SESSION_IMMUTABLE" });
    await expect(session.delete()).rejects.toMatchObject({
      code: "SESSION_IMMUTABLE",
      message: expect.stringContaining('Session "medical" is immutable'),
    });
    // A later handle that does not say immutable cannot lift it.
    const relaxed = new Session({ id: "medical", retention: { immutable: false }, store });
    await relaxed.addMessage("user", "more");
    await expect(relaxed.delete()).rejects.toMatchObject({ code: "SESSION_IMMUTABLE" });
    expect(await session.history()).toHaveLength(2);
  });

  it("delete removes history, state and info", async () => {
    const session = new Session({ id: "gone", store: freshStore() });
    await session.addMessage("user", "hi");
    await session.setState("k", 1);
    expect(await session.delete()).toEqual({ deleted: true });
    expect(await session.history()).toEqual([]);
    expect(await session.info()).toBeNull();
    expect(await session.getState("k")).toBeUndefined();
  });
});

describe("Sessions shared by agents", () => {
  it("the seed's multi-agent pipeline: each agent sees the others' messages, all in one history", async () => {
    const session = new Session({
      id: "research-workflow-001",
      userId: "researcher-123",
      metadata: { project: "quantum-computing-review" },
      store: freshStore(),
    });
    await session.setState("research_topic", "quantum error correction");
    const literature = new ScriptedModel([{ text: "Found 3 papers on surface codes." }]);
    const code = new ScriptedModel([{ text: "Found 2 implementations." }]);
    const synthesis = new ScriptedModel([{ text: "Report: surface codes lead." }]);
    const agents = [
      new Agent({ name: "literature_reviewer", model: literature, session }),
      new Agent({ name: "code_analyzer", model: code, session }),
      new Agent({ name: "synthesizer", model: synthesis, session }),
    ];
    await agents[0]?.run("Find recent papers");
    await agents[1]?.run("Find implementations");
    const report = await agents[2]?.run("Synthesize findings");
    expect(report?.text).toBe("Report: surface codes lead.");
    // The synthesizer was sent the whole conversation before its own turn.
    expect(synthesis.calls[0]?.request.messages.map(turn)).toEqual([
      ["user", "Find recent papers"],
      ["assistant", "Found 3 papers on surface codes."],
      ["user", "Find implementations"],
      ["assistant", "Found 2 implementations."],
      ["user", "Synthesize findings"],
    ]);
    const history = await session.history();
    expect(history.map((m) => [m.role, m.agent])).toEqual([
      ["user", "literature_reviewer"],
      ["assistant", "literature_reviewer"],
      ["user", "code_analyzer"],
      ["assistant", "code_analyzer"],
      ["user", "synthesizer"],
      ["assistant", "synthesizer"],
    ]);
    expect(await session.getState("research_topic")).toBe("quantum error correction");
  });

  it("the seed's compliance session: a run tracked in full and exported as JSONL", async () => {
    const session = new Session({
      id: "compliance-audit-001",
      userId: "analyst-789",
      metadata: { regulation: "SOC2", audit_period: "Q4-2024", auditor: "external-firm" },
      retention: { ttlDays: 730 },
      store: freshStore(),
    });
    const model = new ScriptedModel([{ text: "Access patterns look normal." }]);
    const agent = new Agent({ name: "data_analyst", model, session });
    await agent.run("Analyze user access patterns");
    const lines = (await session.export({ format: "jsonl" }))
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.role, l.message, l.agent])).toEqual([
      ["user", "Analyze user access patterns", "data_analyst"],
      ["assistant", "Access patterns look normal.", "data_analyst"],
    ]);
    expect(await session.info()).toMatchObject({ retention: { ttlDays: 730 }, metadata: { regulation: "SOC2" } });
    expect(await session.events({ since: "2024-01-01", limit: 100 })).toHaveLength(2);
  });

  it("agent.run(input, { session }) uses a session given per run", async () => {
    const session = new Session({ id: "per-run", store: freshStore() });
    const model = new ScriptedModel([{ text: "one" }, { text: "two" }]);
    const agent = new Agent({ name: "a", model });
    await agent.run("first", { session });
    await agent.run("second", { session });
    expect(model.calls[1]?.request.messages.map(turn)).toEqual([
      ["user", "first"],
      ["assistant", "one"],
      ["user", "second"],
    ]);
  });
});

describe("Session in a durable context", () => {
  it("calls its entity through ctx.entity; without a coordinator that is this process's entity state", async () => {
    const ctx = createLocalDurableContext();
    const id = `ctx-${crypto.randomUUID()}`;
    const model = new ScriptedModel([{ text: "Limits describe values approached." }]);
    const agent = new Agent({ name: "math_tutor", model, session: new Session({ id, userId: "student-123" }) });
    await agent.run("Help me understand limits", { ctx });
    // A Session of the same id outside the context (the default in-memory store) sees the same entity.
    const history = await new Session({ id }).history();
    expect(history.map((m) => [m.role, m.content, m.agent])).toEqual([
      ["user", "Help me understand limits", "math_tutor"],
      ["assistant", "Limits describe values approached.", "math_tutor"],
    ]);
    expect(new Session({ id }).bind(ctx).journaled).toBe(true);
  });

  it("keeps a store it was given when bound", () => {
    const store = freshStore();
    const session = new Session({ id: "own-store", store });
    expect(session.bind(createLocalDurableContext())).toBe(session);
  });
});
