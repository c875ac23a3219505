import type { DurableContext } from "@agnt5/core";
import type { Message } from "@agnt5/llm";
import { ScriptedModel } from "@agnt5/llm/test";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  Agent,
  type AgentSession,
  InMemoryMemoryService,
  InMemorySessionStore,
  Memory,
  Session,
  tool,
} from "./index.js";
import { runDurable } from "./test-support/durable-run.js";

/** A conversation kept in an array (any AgentSession works). */
class ArraySession implements AgentSession {
  readonly stored: Message[] = [];
  messages() {
    return [...this.stored];
  }
  append(messages: Message[]) {
    this.stored.push(...messages);
  }
}

const systemTexts = (messages: readonly Message[]) =>
  messages.filter((m) => m.role === "system").map((m) => (typeof m.content === "string" ? m.content : ""));

describe("an agent given a memory", () => {
  it("recalls the memories relevant to the request into a system message after its instructions (the seed's Leverage Memory)", async () => {
    const memory = new Memory({ service: new InMemoryMemoryService() });
    await memory.store("user_expertise", "Expert in React and TypeScript");
    await memory.store("coding_style", "Prefers functional programming");
    await memory.store("lunch", "Likes pizza");
    const model = new ScriptedModel([{ text: "Here is a functional React component." }]);
    const agent = new Agent({ name: "assistant", model, instructions: "Write code.", memory });
    const result = await agent.run("Help me build a React component in functional programming style");
    expect(result.status).toBe("completed");
    const sent = model.calls[0]!.request.messages;
    expect(sent.map((m) => m.role)).toEqual(["system", "system", "user"]);
    const [instructions, recalled] = systemTexts(sent);
    expect(instructions).toBe("Write code.");
    // Best first; a memory sharing no word with the request is not recalled.
    expect(recalled).toMatch(/^Relevant long-term memories/);
    expect(recalled!.split("\n").slice(1)).toEqual([
      "- [coding_style] Prefers functional programming",
      "- [user_expertise] Expert in React and TypeScript",
    ]);
  });

  it("recalls at most memoryRecall.limit memories (default 5), above minScore, matching the filter; recall off with false", async () => {
    const memory = new Memory({ service: new InMemoryMemoryService() });
    for (let i = 0; i < 8; i++)
      await memory.store(`fact_${i}`, `fact number ${i} about databases`, { userId: i < 6 ? "u1" : "u2" });
    const run = async (memoryRecall?: ConstructorParameters<typeof Agent>[0]["memoryRecall"]) => {
      const model = new ScriptedModel([{ text: "ok" }]);
      await new Agent({ name: "a", model, memory, ...(memoryRecall === undefined ? {} : { memoryRecall }) }).run(
        "databases?",
      );
      return (systemTexts(model.calls[0]!.request.messages)[0] ?? "").split("\n").slice(1);
    };
    expect(await run()).toHaveLength(5);
    expect(await run({ limit: 2 })).toHaveLength(2);
    expect(await run({ filter: { userId: "u2" } })).toEqual([
      "- [fact_6] fact number 6 about databases",
      "- [fact_7] fact number 7 about databases",
    ]);
    expect(await run({ minScore: 1.01 })).toEqual([]);
    expect(await run(false)).toEqual([]);
  });

  it("remembers a user across two sessions (the seed's Integration with Agents); the sessions hold no memory message", async () => {
    const memory = new Memory({ service: new InMemoryMemoryService() });
    await memory.store("user_expertise", "PhD in Machine Learning, specializes in NLP", { userId: "researcher-123" });
    await memory.store("preferred_tools", "Prefers PyTorch over TensorFlow for machine learning code", {
      userId: "researcher-123",
    });
    const model = new ScriptedModel([{ text: "Attention in PyTorch: ..." }, { text: "Your transformer looks fine." }]);
    const session1 = new ArraySession();
    const session2 = new ArraySession();
    await new Agent({ name: "assistant", model, memory, session: session1 }).run(
      "Help me implement attention mechanisms for machine learning in PyTorch",
    );
    await new Agent({ name: "assistant", model, memory, session: session2 }).run("Review my PyTorch transformer code");
    for (const call of model.calls)
      expect(systemTexts(call.request.messages).join("\n")).toContain("[preferred_tools]");
    // What a session keeps is the conversation: user and assistant turns only.
    expect(session2.stored.map((m) => m.role)).toEqual(["user", "assistant"]);
  });

  it("gives tools the memory as ctx.memory (the seed's store_memory tool)", async () => {
    const memory = new Memory({ service: new InMemoryMemoryService() });
    const storeMemory = tool(
      {
        name: "store_memory",
        description: "Store information in long-term memory",
        input: z.object({ key: z.string(), value: z.string() }),
      },
      async ({ key, value }, ctx) => {
        if (!ctx.memory) throw new Error("no ctx.memory");
        await ctx.memory.set(key, value);
        return { status: "stored", key };
      },
    );
    const model = new ScriptedModel([
      { toolCalls: [{ toolName: "store_memory", input: { key: "favourite_editor", value: "Uses Neovim" } }] },
      { text: "Noted." },
    ]);
    const result = await new Agent({ name: "memory_agent", model, tools: [storeMemory], memory }).run(
      "Remember that I use Neovim",
    );
    expect(result.toolCalls[0]).toMatchObject({ result: { status: "stored", key: "favourite_editor" } });
    expect((await memory.get("favourite_editor"))?.content).toBe("Uses Neovim");
  });

  it("journals the recall in a durable context: a replay sees the memories the first run saw, and ctx.memory is attached", async () => {
    const memory = new Memory({ service: new InMemoryMemoryService() });
    await memory.store("student_level", "Advanced calculus student, knows limits of sequences");
    const script = [{ text: "Let's look at limits." }];
    const handler = (model: ScriptedModel) => async (ctx: DurableContext) => {
      const agent = new Agent({ name: "math_tutor", model, instructions: "You are a patient math tutor.", memory });
      const result = await agent.run("Help me understand limits", { ctx });
      // The seed's ctx.memory, journaled in this context.
      await ctx.memory?.store("last_topic", "limits");
      return result.text;
    };
    const first = new ScriptedModel(script);
    const run = runDurable([], handler(first));
    await expect(run.outcome).resolves.toEqual({ type: "completed", value: "Let's look at limits." });
    const journal = run.proposals();
    expect(journal.map((entry) => entry.name)).toEqual([
      "agent:math_tutor:memory",
      "agent:math_tutor:llm:0",
      "memory:store:last_topic",
    ]);
    expect(systemTexts(first.calls[0]!.request.messages)[1]).toContain("[student_level] Advanced calculus student");

    // Forgotten since, the memory is still what the resumed run's model call is built from.
    await memory.forget("student_level");
    const resumedModel = new ScriptedModel(script);
    const resumed = runDurable(journal.slice(0, 1), handler(resumedModel));
    await expect(resumed.outcome).resolves.toEqual({ type: "completed", value: "Let's look at limits." });
    expect(resumedModel.calls[0]!.request.messages).toEqual(first.calls[0]!.request.messages);
  });

  it("hands off to a specialist that has its own memory, the specialist's messages kept whole", async () => {
    const memory = new Memory({ service: new InMemoryMemoryService() });
    await memory.store("refund_policy", "Refunds within 30 days");
    const specialist = new Agent({
      name: "billing",
      model: new ScriptedModel([{ text: "Refunded." }]),
      instructions: "Billing.",
      memory,
    });
    const triage = new Agent({
      name: "triage",
      model: new ScriptedModel([{ toolCalls: [{ toolName: "billing", input: {} }] }]),
      handoffs: [specialist],
    });
    const result = await triage.run("I want refunds for my order");
    expect(result).toMatchObject({ status: "completed", agent: "billing", output: "Refunded." });
    expect(result.messages.at(-1)).toEqual({ role: "assistant", content: [{ type: "text", text: "Refunded." }] });
    // The triage conversation, then only what the specialist added (its instructions and memories left out).
    expect(result.messages.map((m) => m.role)).toEqual(["user", "assistant", "tool", "assistant"]);
  });

  it("the seed's tutoring session with memory, then smart ingestion of the session (a real Session's history)", async () => {
    const store = new InMemorySessionStore();
    const memory = new Memory({
      service: new InMemoryMemoryService(),
      model: new ScriptedModel([
        {
          object: {
            facts: [
              { content: "Student is comfortable with epsilon-delta limits", type: "expertise", confidence: 0.8 },
              { content: "Student wants visual explanations", type: "preference" },
            ],
          },
        },
      ]),
    });
    await memory.store("student_level", "Advanced calculus");
    const session = new Session({
      id: "tutoring-session-789",
      userId: "student-123",
      metadata: { subject: "mathematics" },
      store,
    });
    const model = new ScriptedModel([
      { text: "A limit describes where a function heads." },
      { text: "Here is a plot of sin(x)/x near 0." },
    ]);
    const agent = new Agent({
      name: "math_tutor",
      model,
      instructions: "You are a patient math tutor. Adapt to student's level.",
      session,
      memory,
    });
    await agent.run("Help me understand limits in calculus");
    await agent.run("I like visual explanations, can you plot one?");
    expect(systemTexts(model.calls[0]!.request.messages)[1]).toContain("[student_level] Advanced calculus");
    // The session holds the four turns; no memory message was appended to it.
    expect((await session.history()).map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);

    const keys = await memory.ingestFromSession(session, { strategy: "smart" });
    expect(keys).toHaveLength(2);
    expect(await memory.listKeys({ userId: "student-123", sessionId: "tutoring-session-789" })).toEqual(
      [...keys].sort(),
    );
    const extraction = JSON.stringify((memory.model as ScriptedModel).calls[0]!.request.messages);
    expect(extraction).toContain("I like visual explanations");
    expect(extraction).toContain("Here is a plot of sin(x)/x near 0.");
    // The next conversation recalls what was learned.
    const next = new ScriptedModel([{ text: "Let's draw it." }]);
    await new Agent({ name: "math_tutor", model: next, memory }).run("Show me visual explanations of derivatives");
    expect(systemTexts(next.calls[0]!.request.messages)[0]).toContain("Student wants visual explanations");
  });
});
