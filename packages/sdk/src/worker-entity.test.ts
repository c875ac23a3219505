import { EntityReadOnlyError, entity, fn, localEntityStore, Registry, workflow } from "@agnt5/core";
import { ComponentKind } from "@agnt5/proto";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createCaptureLogger } from "./test-support/capture-logger.js";
import { FakeCoordinator } from "./test-support/fake-coordinator.js";
import { Worker } from "./worker.js";
import type { WorkerOptions } from "./worker-options.js";

const ENTITY = ComponentKind.ENTITY;
const WORKFLOW = ComponentKind.WORKFLOW;

interface Item {
  sku: string;
  qty: number;
}

function components() {
  const registry = new Registry();
  const calls: Record<string, number> = {};

  const Cart = entity(
    "ShoppingCart",
    {
      add_item: entity.write(
        { input: z.object({ sku: z.string(), qty: z.number().int().positive() }), description: "Adds an item" },
        async (ctx, item) => {
          const items = await ctx.get<Item[]>("items", []);
          ctx.set("items", [...items, item]);
          ctx.delete("coupon");
          // A get after a set sees the new value.
          const after = await ctx.get<Item[]>("items", []);
          return { count: after.length, key: ctx.key, type: ctx.entityType, method: ctx.methodName };
        },
      ),
      get_items: entity.shared({ output: z.array(z.object({ sku: z.string(), qty: z.number() })) }, async (ctx) =>
        ctx.get<Item[]>("items", []),
      ),
      sneaky_write: entity.shared(async (ctx) => {
        try {
          ctx.set("items", []);
          return "wrote";
        } catch (error) {
          return EntityReadOnlyError.isInstance(error) ? error.code : "other";
        }
      }),
      write_in_shared: entity.shared(async (ctx) => {
        ctx.delete("items");
      }),
      checkout: entity.write(async (ctx) => {
        ctx.set("status", "checking out");
        const charge = await ctx.step("charge", () => {
          calls.charge = (calls.charge ?? 0) + 1;
          return { id: "ch_1" };
        });
        ctx.set("charge", charge);
        return charge;
      }),
      fail: entity.write(async (ctx) => {
        ctx.set("items", []);
        throw new Error("payment declined");
      }),
    },
    { registry },
  );

  const agent = entity("ChatAgent", undefined, { registry });
  agent.write(async function send_message(ctx, message: string) {
    const history = await ctx.get<string[]>("history", []);
    ctx.set("history", [...history, message]);
    return { response: `echo: ${message}` };
  });
  agent.shared(async function get_history(ctx) {
    return ctx.get("history", []);
  });

  fn({ name: "buy", registry }, async (sku: string, ctx) => {
    const added = await ctx.entity(Cart, `cart-${sku}`).add_item({ sku, qty: 1 });
    return { added };
  });
  workflow({ name: "chat_flow", registry }, async (ctx, message: string) =>
    ctx.entity("ChatAgent", "conv-1").send_message(message),
  );

  return { registry, calls };
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  localEntityStore.clear();
});

async function setup(options: Partial<WorkerOptions> = {}) {
  const coordinator = await FakeCoordinator.start({ autoAck: true });
  cleanups.push(() => coordinator.stop());
  const { registry, calls } = components();
  const worker = new Worker("shop", {
    coordinatorEndpoint: coordinator.endpoint,
    registry,
    logger: createCaptureLogger(),
    handleSignals: false,
    ...options,
  });
  const running = worker.run();
  cleanups.push(async () => {
    await worker.stop();
    await running;
  });
  await worker.ready;
  const stream = await coordinator.stream(0);
  return { stream, calls };
}

describe("Worker: entities", () => {
  it("registers an entity with kind ENTITY, its methods' write flags and schemas, and metadata", async () => {
    const { stream } = await setup();
    const registration = await stream.registration;
    const byName = Object.fromEntries(registration.components.map((c) => [c.name, c]));
    const cart = byName.ShoppingCart!;
    expect(cart).toMatchObject({
      kind: ComponentKind.ENTITY,
      streaming: false,
      inputSchemaJson: "",
      outputSchemaJson: "",
    });
    expect(cart.entityMethods.map((m) => [m.name, m.write])).toEqual([
      ["add_item", true],
      ["get_items", false],
      ["sneaky_write", false],
      ["write_in_shared", false],
      ["checkout", true],
      ["fail", true],
    ]);
    const addItem = cart.entityMethods[0]!;
    expect(JSON.parse(addItem.inputSchemaJson)).toMatchObject({ type: "object", required: ["sku", "qty"] });
    expect(addItem.outputSchemaJson).toBe("");
    expect(JSON.parse(cart.entityMethods[1]!.outputSchemaJson)).toMatchObject({ type: "array" });
    expect(JSON.parse(cart.metadataJson)).toMatchObject({
      name: "ShoppingCart",
      type: "entity",
      methods: expect.arrayContaining([expect.objectContaining({ name: "add_item", description: "Adds an item" })]),
    });
    expect(byName.ChatAgent?.entityMethods.map((m) => [m.name, m.write])).toEqual([
      ["send_message", true],
      ["get_history", false],
    ]);
    expect(byName.buy?.entityMethods).toEqual([]);
  });

  it("runs a write on the state from StartInvocation and completes with its output and state_changes", async () => {
    const { stream } = await setup();
    const id = stream.start({
      componentName: "ShoppingCart",
      componentKind: ENTITY,
      methodName: "add_item",
      objectKey: "cart-1",
      state: { items: [{ sku: "a", qty: 1 }], coupon: "SAVE10", owner: "ann" },
      stateVersion: 4,
      input: { sku: "b", qty: 2 },
    });
    const result = await stream.completed(id);
    expect(result.output).toEqual({ count: 2, key: "cart-1", type: "ShoppingCart", method: "add_item" });
    expect(result.stateChanges).toEqual([
      {
        key: "items",
        deleted: false,
        value: [
          { sku: "a", qty: 1 },
          { sku: "b", qty: 2 },
        ],
      },
      { key: "coupon", deleted: true },
    ]);
  });

  it("journals steps inside an entity method and sends the state changes with the result", async () => {
    const { stream, calls } = await setup();
    const id = stream.start({
      componentName: "ShoppingCart",
      componentKind: ENTITY,
      methodName: "checkout",
      objectKey: "cart-1",
    });
    const result = await stream.completed(id);
    expect(result.output).toEqual({ id: "ch_1" });
    expect(stream.proposals(id).map((p) => [p.entry.kind, p.entry.name])).toEqual([["step", "charge"]]);
    expect(calls.charge).toBe(1);
    expect(result.stateChanges).toEqual([
      { key: "status", deleted: false, value: "checking out" },
      { key: "charge", deleted: false, value: { id: "ch_1" } },
    ]);
  });

  it("runs a shared method on the committed state and sends no state changes", async () => {
    const { stream } = await setup();
    const state = { items: [{ sku: "a", qty: 1 }] };
    const read = stream.start({
      componentName: "ShoppingCart",
      componentKind: ENTITY,
      methodName: "get_items",
      objectKey: "cart-1",
      state,
    });
    expect(await stream.completed(read)).toMatchObject({ output: state.items, stateChanges: [] });

    // ctx.set in a shared method throws READ_ONLY; caught, the method completes with no changes.
    const caught = stream.start({
      componentName: "ShoppingCart",
      componentKind: ENTITY,
      methodName: "sneaky_write",
      objectKey: "cart-1",
      state,
    });
    expect(await stream.completed(caught)).toMatchObject({ output: "READ_ONLY", stateChanges: [] });
  });

  it("parses only the state fields a method reads: an unreadable field fails the call that reads it (INVALID_STATE)", async () => {
    const { stream } = await setup();
    const unread = stream.start({
      componentName: "ShoppingCart",
      componentKind: ENTITY,
      methodName: "get_items",
      objectKey: "cart-1",
      rawState: { items: '[{"sku":"a","qty":1}]', owner: "{not json" },
    });
    expect((await stream.completed(unread)).output).toEqual([{ sku: "a", qty: 1 }]);

    const read = stream.start({
      componentName: "ShoppingCart",
      componentKind: ENTITY,
      methodName: "get_items",
      objectKey: "cart-2",
      rawState: { items: "[not json" },
    });
    const outcome = await stream.outcome(read);
    expect(outcome.case === "failed" && outcome.value.failure).toMatchObject({
      code: "INVALID_STATE",
      retryable: false,
      message: expect.stringContaining('key "items" is not valid JSON'),
    });
  });

  it("fails a shared method whose set or delete escapes with READ_ONLY, not retryable", async () => {
    const { stream } = await setup();
    const id = stream.start({
      componentName: "ShoppingCart",
      componentKind: ENTITY,
      methodName: "write_in_shared",
      objectKey: "cart-1",
      state: { items: [] },
    });
    const outcome = await stream.outcome(id);
    expect(outcome.case).toBe("failed");
    expect(outcome.case === "failed" && outcome.value.failure).toMatchObject({
      code: "READ_ONLY",
      retryable: false,
      type: "EntityReadOnlyError",
    });
    expect(stream.received.some((m) => m.case === "completed" && m.value.invocationId === id)).toBe(false);
  });

  it("sends a failure and no state when a write throws", async () => {
    const { stream } = await setup();
    const id = stream.start({
      componentName: "ShoppingCart",
      componentKind: ENTITY,
      methodName: "fail",
      objectKey: "cart-1",
      state: { items: [{ sku: "a", qty: 1 }] },
    });
    const outcome = await stream.outcome(id);
    expect(outcome.case).toBe("failed");
    expect(outcome.case === "failed" && outcome.value.failure).toMatchObject({
      code: "HANDLER_ERROR",
      message: "payment declined",
      retryable: true,
    });
    expect(stream.received.some((m) => m.case === "completed" && m.value.invocationId === id)).toBe(false);
  });

  it("validates a method's input with its schema (INVALID_INPUT, not retryable)", async () => {
    const { stream } = await setup();
    const id = stream.start({
      componentName: "ShoppingCart",
      componentKind: ENTITY,
      methodName: "add_item",
      objectKey: "cart-1",
      input: { sku: "b", qty: 0 },
    });
    const outcome = await stream.outcome(id);
    expect(outcome.case === "failed" && outcome.value.failure).toMatchObject({
      code: "INVALID_INPUT",
      retryable: false,
    });
  });

  it("fails an unknown method with COMPONENT_NOT_FOUND (not retryable), naming it and listing the methods", async () => {
    const { stream } = await setup();
    const id = stream.start({
      componentName: "ChatAgent",
      componentKind: ENTITY,
      methodName: "summarize",
      objectKey: "conv-1",
    });
    const outcome = await stream.outcome(id);
    expect(outcome.case === "failed" && outcome.value.failure).toMatchObject({
      code: "COMPONENT_NOT_FOUND",
      retryable: false,
      message: 'Entity ChatAgent has no method "summarize" (methods: send_message, get_history)',
    });
  });

  it("fails an entity start without a key, and an ENTITY start naming a function", async () => {
    const { stream } = await setup();
    const noKey = stream.start({ componentName: "ChatAgent", componentKind: ENTITY, methodName: "get_history" });
    expect((await stream.outcome(noKey)).value).toMatchObject({
      failure: { code: "INVALID_ARGUMENT", retryable: false },
    });
    const notEntity = stream.start({ componentName: "buy", componentKind: ENTITY, methodName: "x", objectKey: "k" });
    expect((await stream.outcome(notEntity)).value).toMatchObject({
      failure: { code: "COMPONENT_NOT_FOUND", retryable: false },
    });
  });

  it("runs the seed's decorator-style entity", async () => {
    const { stream } = await setup();
    const id = stream.start({
      componentName: "ChatAgent",
      componentKind: ENTITY,
      methodName: "send_message",
      objectKey: "conv-1",
      state: { history: ["hello"] },
      input: "hi",
    });
    expect(await stream.completed(id)).toMatchObject({
      output: { response: "echo: hi" },
      stateChanges: [{ key: "history", deleted: false, value: ["hello", "hi"] }],
    });
  });
});

describe("Worker: ctx.entity from functions and workflows", () => {
  it("proposes a call entry with handler, method, key and input from a function, resolving with the EntryAck result", async () => {
    const { stream } = await setup();
    const id = stream.start({ componentName: "buy", input: "pen" });
    const call = await stream.proposal(id, 0);
    expect(call.entry).toEqual({
      index: 0,
      kind: "call",
      name: "ShoppingCart.add_item",
      request: {
        service: "shop",
        handler: "ShoppingCart",
        method: "add_item",
        key: "cart-pen",
        input: { sku: "pen", qty: 1 },
      },
    });
    // autoAck acknowledged it as recorded-pending; now the entity call completes.
    stream.ack(id, 0, { ok: true, value: { count: 1 } });
    expect((await stream.completed(id)).output).toEqual({ added: { count: 1 } });
  });

  it("calls an entity by type name from a workflow (no service in the request), and throws its failure", async () => {
    const { stream } = await setup();
    const id = stream.start({ componentName: "chat_flow", componentKind: WORKFLOW, input: "hi" });
    const call = await stream.proposal(id, 0);
    expect(call.entry.request).toEqual({ handler: "ChatAgent", method: "send_message", key: "conv-1", input: "hi" });
    stream.ack(id, 0, { ok: false, failure: { code: "READ_ONLY", message: "nope", type: "EntityReadOnlyError" } });
    const outcome = await stream.outcome(id);
    expect(outcome.case === "failed" && outcome.value.failure).toMatchObject({
      code: "READ_ONLY",
      message: "nope",
      type: "TaskFailedError",
    });
  });
});

describe("HTTP runtime: entities", () => {
  async function serve() {
    const worker = new Worker("web-service", {
      runtime: "http",
      registry: components().registry,
      logger: createCaptureLogger(),
      handleSignals: false,
    });
    cleanups.push(() => worker.stop());
    const { url } = await worker.listen(0, "127.0.0.1");
    const post = (path: string, body: unknown) =>
      fetch(`${url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    return { url, post };
  }

  it("runs entity methods at POST /invoke/:type/:method?key= on in-process state", async () => {
    const { post } = await serve();
    const first = await post("/invoke/ShoppingCart/add_item?key=c1", { sku: "a", qty: 1 });
    expect(first.status).toBe(200);
    expect(first.headers.get("agnt5-invocation-id")).toMatch(/^http-/);
    expect(await first.json()).toEqual({ result: { count: 1, key: "c1", type: "ShoppingCart", method: "add_item" } });
    await post("/invoke/ShoppingCart/add_item?key=c1", { sku: "b", qty: 2 });
    const items = await post("/invoke/ShoppingCart/get_items?key=c1", null);
    expect(await items.json()).toEqual({
      result: [
        { sku: "a", qty: 1 },
        { sku: "b", qty: 2 },
      ],
    });
    expect(await (await post("/invoke/ShoppingCart/get_items?key=c2", null)).json()).toEqual({ result: [] });
    expect(localEntityStore.state("ShoppingCart", "c1")).toMatchObject({ items: [{ sku: "a" }, { sku: "b" }] });
  });

  it("lists entities at GET /entities and refuses bad entity calls", async () => {
    const { url, post } = await serve();
    const entities = (await (await fetch(`${url}/entities`)).json()) as Array<{ name: string; type: string }>;
    expect(entities.map((e) => [e.name, e.type])).toEqual([
      ["ShoppingCart", "entity"],
      ["ChatAgent", "entity"],
    ]);

    const noKey = await post("/invoke/ShoppingCart/get_items", null);
    expect(noKey.status).toBe(400);
    expect(await noKey.json()).toMatchObject({ code: "INVALID_ARGUMENT" });

    const noMethod = await post("/invoke/ShoppingCart/nope?key=c", null);
    expect(noMethod.status).toBe(404);
    expect(await noMethod.json()).toMatchObject({ code: "COMPONENT_NOT_FOUND" });

    const noEntity = await post("/invoke/Nobody/x?key=c", null);
    expect(noEntity.status).toBe(404);

    const whole = await post("/invoke/ShoppingCart", null);
    expect(whole.status).toBe(400);
    expect(((await whole.json()) as { error: string }).error).toContain("POST /invoke/ShoppingCart/{method}?key={key}");

    const invalid = await post("/invoke/ShoppingCart/add_item?key=c", { sku: "a", qty: -1 });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ code: "INVALID_INPUT" });
  });
});
