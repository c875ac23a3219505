// Entities through the coordinator: an in-process coordinator and SDK worker over real gRPC and
// HTTP. The seed's patterns (ChatAgent and ResearchAgent with a scripted model standing in for
// the LLM, WorkflowOrchestrator, a shopping cart), single-writer semantics, and the entity store
// backends (the coordinator's own PostgreSQL or PGlite, Redis, memory).

import { ScriptedModel } from "@agnt5/llm/test";
import { entity, fn, Registry, RetryableError, TerminalError, workflow } from "@agnt5/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CoordinatorConfig } from "../config.js";
import { type Deferred, deferred, pollUntil, postJson, send } from "../test-support/http.js";
import { type StoreKind, startTestCoordinator, type TestCoordinator } from "../test-support/test-coordinator.js";
import { startTestWorker, type TestWorker } from "../test-support/test-worker.js";

const SERVICE = "entities-service";

type Item = { sku: string; qty: number; price: number };

function entitiesService() {
  const registry = new Registry();
  const gates = new Map<string, Deferred>();
  const gate = (name: string) => {
    let entry = gates.get(name);
    if (!entry) {
      entry = deferred();
      gates.set(name, entry);
    }
    return entry;
  };
  const started = new Map<string, Deferred>();
  const startedSignal = (name: string) => {
    let entry = started.get(name);
    if (!entry) {
      entry = deferred();
      started.set(name, entry);
    }
    return entry;
  };
  const attempts = new Map<string, number>();
  const chatModel = new ScriptedModel([
    { text: "Hello Ada! How can I help?" },
    { text: "You asked about durable agents." },
  ]);
  const researchModel = new ScriptedModel([{ text: "Durable execution journals each step." }]);

  // The seed's shopping cart.
  const Cart = entity(
    "ShoppingCart",
    {
      add_item: entity.write(async (ctx, item: Item) => {
        const items = await ctx.get<Item[]>("items", []);
        ctx.set("items", [...items, item]);
        return { count: items.length + 1 };
      }),
      remove_item: entity.write(async (ctx, sku: string) => {
        const items = await ctx.get<Item[]>("items", []);
        ctx.set(
          "items",
          items.filter((item) => item.sku !== sku),
        );
        return { removed: items.length - (await ctx.get<Item[]>("items", [])).length };
      }),
      checkout: entity.write(async (ctx) => {
        const items = await ctx.get<Item[]>("items", []);
        if (items.length === 0) throw new TerminalError("The cart is empty", { code: "EMPTY_CART" });
        const total = items.reduce((sum, item) => sum + item.qty * item.price, 0);
        ctx.delete("items");
        ctx.set("orders", [...(await ctx.get<number[]>("orders", [])), total]);
        return { total };
      }),
      get_items: entity.shared(async (ctx) => ctx.get<Item[]>("items", [])),
    },
    { registry },
  );

  // The seed's ChatAgent, its LLM a scripted model.
  entity(
    "ChatAgent",
    {
      send_message: entity.write(async (ctx, message: string) => {
        const history = await ctx.get<Array<{ role: string; content: string }>>("history", []);
        history.push({ role: "user", content: message });
        const response = await ctx.llm.generate({ model: chatModel, messages: history as never });
        history.push({ role: "assistant", content: response.text });
        ctx.set("history", history.slice(-20));
        return { response: response.text };
      }),
      get_history: entity.shared(async (ctx) => ctx.get("history", [])),
      get_message_count: entity.shared(async (ctx) => (await ctx.get<unknown[]>("history", [])).length),
    },
    { registry },
  );

  // The seed's ResearchAgent.
  entity(
    "ResearchAgent",
    {
      start_research: entity.write(async (ctx, topic: string) => {
        ctx.set("topic", topic);
        ctx.set("findings", []);
        ctx.set("status", "in_progress");
        return { status: "started", topic };
      }),
      add_finding: entity.write(async (ctx, { finding, source }: { finding: string; source: string }) => {
        const findings = await ctx.get<Array<{ content: string; source: string }>>("findings", []);
        findings.push({ content: finding, source });
        ctx.set("findings", findings);
        return { count: findings.length };
      }),
      synthesize: entity.write(async (ctx) => {
        const findings = await ctx.get<Array<{ content: string }>>("findings", []);
        const topic = await ctx.get<string>("topic");
        const summary = await ctx.llm.generate({
          model: researchModel,
          prompt: `Synthesize these findings about ${topic}: ${findings.map((f) => f.content).join("; ")}`,
        });
        ctx.set("summary", summary.text);
        ctx.set("status", "completed");
        return { summary: summary.text };
      }),
      get_progress: entity.shared(async (ctx) => ({
        status: await ctx.get("status"),
        topic: await ctx.get("topic"),
        findings_count: (await ctx.get<unknown[]>("findings", [])).length,
      })),
    },
    { registry },
  );

  // The seed's WorkflowOrchestrator, driven by a workflow through ctx.entity.
  const Orchestrator = entity(
    "WorkflowOrchestrator",
    {
      start: entity.write(async (ctx, steps: string[]) => {
        ctx.set("steps", steps);
        ctx.set("current_step", 0);
        ctx.set("results", []);
        ctx.set("status", "running");
        return { status: "started", total_steps: steps.length };
      }),
      complete_step: entity.write(async (ctx, result: unknown) => {
        const results = await ctx.get<unknown[]>("results", []);
        results.push(result);
        ctx.set("results", results);
        ctx.set("current_step", results.length);
        const steps = await ctx.get<string[]>("steps", []);
        if (results.length >= steps.length) ctx.set("status", "completed");
        return { completed: results.length, total: steps.length };
      }),
      get_progress: entity.shared(async (ctx) => ({
        current_step: await ctx.get("current_step", 0),
        total_steps: (await ctx.get<unknown[]>("steps", [])).length,
        status: await ctx.get("status", "unknown"),
      })),
    },
    { registry },
  );
  workflow({ name: "orchestrate", registry }, async (ctx, { runKey, steps }: { runKey: string; steps: string[] }) => {
    const orchestrator = ctx.entity(Orchestrator, runKey);
    await orchestrator.start(steps);
    for (const step of steps) {
      const result = await ctx.step(step, () => ({ step, ok: true }));
      await orchestrator.complete_step(result);
    }
    return orchestrator.get_progress();
  });
  fn(
    { name: "cart_size", registry },
    async (cartKey: string, ctx) => (await ctx.entity(Cart, cartKey).get_items()).length,
  );

  // Single-writer probes.
  entity(
    "Counter",
    {
      increment: entity.write(async (ctx) => {
        const value = (await ctx.get<number>("value", 0)) + 1;
        ctx.set("value", value);
        return value;
      }),
      append: entity.write(async (ctx, tag: string) => {
        ctx.set("log", [...(await ctx.get<string[]>("log", [])), tag]);
        return tag;
      }),
      /** Sets the value, then holds (a long write) until the test opens its gate. */
      slow_set: entity.write(async (ctx, { value, gateName }: { value: number; gateName: string }) => {
        ctx.set("value", value);
        startedSignal(gateName).resolve();
        await gate(gateName).promise;
        return value;
      }),
      /** Fails once with a retryable error after touching the state: the retry must see the original state. */
      flaky_add: entity.write(async (ctx, n: number) => {
        const value = await ctx.get<number>("value", 0);
        ctx.set("value", value + n);
        const key = `${ctx.key}:${n}`;
        attempts.set(key, (attempts.get(key) ?? 0) + 1);
        if (attempts.get(key) === 1) throw new RetryableError("transient");
        return { sawValue: value };
      }),
      broken_write: entity.write(async (ctx) => {
        ctx.set("value", -1);
        throw new TerminalError("refused", { code: "REFUSED" });
      }),
      read: entity.shared(async (ctx) => ctx.get<number>("value", 0)),
      illegal_write: entity.shared(async (ctx) => {
        ctx.set("value", 99);
        return "unreachable";
      }),
    },
    { registry },
  );

  return { registry, gate, startedSignal, chatModel, researchModel };
}

const STORES: Array<{ label: string; kind: StoreKind; overrides: Partial<CoordinatorConfig> }> = [
  { label: "the coordinator's PostgreSQL", kind: "postgres", overrides: {} },
  { label: "the coordinator's PGlite", kind: "pglite", overrides: {} },
  { label: "Redis", kind: "postgres", overrides: { entityStore: "redis", entityStoreUrl: "redis://127.0.0.1:6379" } },
  { label: "memory", kind: "pglite", overrides: { entityStore: "memory" } },
];

describe.each(STORES)("entities with state in $label", ({ kind, overrides, label }) => {
  let coordinator: TestCoordinator;
  let worker: TestWorker;
  let service: ReturnType<typeof entitiesService>;
  // Redis keeps keys across runs: every test file run uses its own keys.
  const runTag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const k = (name: string) => `${name}-${runTag}`;

  beforeAll(async () => {
    coordinator = await startTestCoordinator(kind, overrides);
    service = entitiesService();
    worker = await startTestWorker({
      serviceName: SERVICE,
      endpoint: coordinator.endpoint,
      registry: service.registry,
      maxConcurrency: 256,
    });
  });

  afterAll(async () => {
    await worker?.stop();
    await coordinator?.close();
  });

  const call = (type: string, key: string, method: string, input: unknown = null) =>
    postJson(`${coordinator.url}/v1/entities/${type}/${key}/${method}?timeoutMs=30000`, input);
  const state = async (type: string, key: string) => (await send(`${coordinator.url}/v1/entities/${type}/${key}`)).body;

  it("keeps a shopping cart's state across calls and shows it through GET /v1/entities", async () => {
    const cart = k("cart");
    expect((await call("ShoppingCart", cart, "add_item", { sku: "apple", qty: 2, price: 3 })).body).toEqual({
      count: 1,
    });
    expect((await call("ShoppingCart", cart, "add_item", { sku: "pear", qty: 1, price: 5 })).body).toEqual({
      count: 2,
    });
    expect((await call("ShoppingCart", cart, "remove_item", "apple")).body).toEqual({ removed: 1 });
    expect((await call("ShoppingCart", cart, "get_items")).body).toEqual([{ sku: "pear", qty: 1, price: 5 }]);
    expect((await call("ShoppingCart", cart, "checkout")).body).toEqual({ total: 5 });
    expect(await state("ShoppingCart", cart)).toEqual({
      type: "ShoppingCart",
      key: cart,
      version: 4,
      state: { orders: [5] },
    });

    const empty = await call("ShoppingCart", cart, "checkout");
    expect(empty.status).toBe(500);
    expect(empty.body.error.code).toBe("EMPTY_CART");
    expect((await state("ShoppingCart", cart)).version).toBe(4);
  });

  it("runs the seed's ChatAgent and ResearchAgent with a scripted model standing in for the LLM", async () => {
    const conversation = k("conv");
    expect((await call("ChatAgent", conversation, "send_message", "Hi, I am Ada")).body).toEqual({
      response: "Hello Ada! How can I help?",
    });
    expect((await call("ChatAgent", conversation, "send_message", "Tell me about durable agents")).body).toEqual({
      response: "You asked about durable agents.",
    });
    expect((await call("ChatAgent", conversation, "get_message_count")).body).toBe(4);
    service.chatModel.assertAllCallsUsed();
    // The model saw the whole history on the second turn.
    expect(service.chatModel.calls[1]?.request.messages).toHaveLength(3);

    const research = k("research");
    await call("ResearchAgent", research, "start_research", "durable execution");
    await call("ResearchAgent", research, "add_finding", { finding: "Steps are journaled", source: "docs" });
    await call("ResearchAgent", research, "add_finding", { finding: "Timers survive restarts", source: "tests" });
    expect((await call("ResearchAgent", research, "synthesize")).body).toEqual({
      summary: "Durable execution journals each step.",
    });
    expect((await call("ResearchAgent", research, "get_progress")).body).toEqual({
      status: "completed",
      topic: "durable execution",
      findings_count: 2,
    });
    service.researchModel.assertAllCallsUsed();
  });

  it("drives the seed's WorkflowOrchestrator from a workflow, and reads an entity from a function", async () => {
    const runKey = k("orchestration");
    const started = await postJson(`${coordinator.url}/v1/workflows/orchestrate/runs`, {
      input: { runKey, steps: ["extract", "transform", "load"] },
    });
    const result = (await send(`${coordinator.url}/v1/runs/${started.body.runId}/result?timeoutMs=30000`)).body;
    expect(result).toMatchObject({
      status: "completed",
      output: { current_step: 3, total_steps: 3, status: "completed" },
    });
    expect((await state("WorkflowOrchestrator", runKey)).state.results).toHaveLength(3);

    const cart = k("sized-cart");
    await call("ShoppingCart", cart, "add_item", { sku: "fig", qty: 1, price: 1 });
    expect((await postJson(`${coordinator.url}/v1/services/${SERVICE}/cart_size`, cart)).body).toBe(1);
  });

  it("ends 1,000 concurrent increments on one key at exactly 1,000", async () => {
    const counter = k("hot");
    const responses = await Promise.all(Array.from({ length: 1000 }, () => call("Counter", counter, "increment")));
    expect(responses.every((response) => response.status === 200)).toBe(true);
    // Every write saw its own version of the count: no lost update, no duplicate.
    expect(new Set(responses.map((response) => response.body)).size).toBe(1000);
    expect(await state("Counter", counter)).toMatchObject({ version: 1000, state: { value: 1000 } });
  });

  it("runs writes on one key one at a time in arrival order", async () => {
    const key = k("ordered");
    for (const tag of ["a", "b", "c", "d", "e"]) {
      const accepted = await postJson(`${coordinator.url}/v1/entities/Counter/${key}/append?mode=async`, tag);
      expect(accepted.status).toBe(202);
    }
    const final = await pollUntil(
      () => state("Counter", key),
      (body) => (body.state.log?.length ?? 0) === 5,
      { what: "five appends" },
    );
    expect(final.state.log).toEqual(["a", "b", "c", "d", "e"]);
  });

  it("answers a shared read at once with the last committed state while a long write runs", async () => {
    const key = k("slow");
    await call("Counter", key, "increment");
    const gateName = `slow-${label}`;
    const write = call("Counter", key, "slow_set", { value: 42, gateName });
    await service.startedSignal(gateName).promise;

    // The write holds the key (and has set 42 in its own buffer): a read is not held up, and sees 1.
    const read = await call("Counter", key, "read");
    expect(read.status).toBe(200);
    expect(read.body).toBe(1);
    // Another key is not held up either.
    expect((await call("Counter", k("elsewhere"), "increment")).body).toBe(1);

    service.gate(gateName).resolve();
    expect((await write).body).toBe(42);
    expect((await call("Counter", key, "read")).body).toBe(42);
  });

  it("leaves the state as it was when a write fails, and a retried write sees the original state", async () => {
    const key = k("failing");
    await call("Counter", key, "increment");
    const refused = await call("Counter", key, "broken_write");
    expect(refused.status).toBe(500);
    expect(refused.body.error.code).toBe("REFUSED");
    expect(await state("Counter", key)).toMatchObject({ version: 1, state: { value: 1 } });

    const flaky = await call("Counter", key, "flaky_add", 10);
    expect(flaky.body).toEqual({ sawValue: 1 });
    expect(await state("Counter", key)).toMatchObject({ version: 2, state: { value: 11 } });
  });

  it("answers an Idempotency-Key reused for another entity key or method with 422, and repeats the same call", async () => {
    const cart = k("idem-cart");
    const key = { "idempotency-key": `add-${cart}` };
    const url = (entityKey: string, method: string) =>
      `${coordinator.url}/v1/entities/ShoppingCart/${entityKey}/${method}?timeoutMs=30000`;
    const item = { sku: "fig", qty: 1, price: 2 };
    const first = await postJson(url(cart, "add_item"), item, key);
    const again = await postJson(url(cart, "add_item"), item, key);
    expect(first.body).toEqual({ count: 1 });
    expect(again.body).toEqual({ count: 1 });

    const otherKey = await postJson(url(k("idem-other-cart"), "add_item"), item, key);
    expect(otherKey.status).toBe(422);
    expect(otherKey.body.error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(otherKey.body.error.message).toContain("entity key");
    const otherMethod = await postJson(url(cart, "remove_item"), "fig", key);
    expect(otherMethod.status).toBe(422);
    expect(otherMethod.body.error.message).toContain("method");
    expect(await state("ShoppingCart", cart)).toMatchObject({ state: { items: [item] } });
  });

  it("refuses a write from a shared method, and names unknown entities and methods", async () => {
    const key = k("readonly");
    const illegal = await call("Counter", key, "illegal_write");
    expect(illegal.status).toBe(500);
    expect(illegal.body.error.code).toBe("READ_ONLY");
    expect((await state("Counter", key)).version).toBe(0);

    const unknownType = await call("Nope", key, "increment");
    expect(unknownType.status).toBe(404);
    expect(unknownType.body.error.message).toContain('"Nope"');
    const unknownMethod = await call("Counter", key, "explode");
    expect(unknownMethod.status).toBe(404);
    expect(unknownMethod.body.error.message).toContain("increment");
  });
});
