import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createExecutionContext } from "./context.js";
import { isDurableContext } from "./durable-context.js";
import { entity, isEntityDefinition } from "./entity.js";
import { createEntityContext, type EntityContext } from "./entity-context.js";
import { DefinitionError, EntityReadOnlyError, TerminalError } from "./errors.js";
import { executeComponent } from "./execute.js";
import { fn } from "./function.js";
import { createLocalDurableContext } from "./local-durable-context.js";
import { localEntityStore } from "./local-entity-store.js";
import {
  clearRegistry,
  getFunctionMetadata,
  getRegisteredEntities,
  getRegisteredFunctions,
  Registry,
} from "./registry.js";
import { defaultRetryPolicy } from "./retry-policy.js";

interface Item {
  sku: string;
  qty: number;
}

let registry: Registry;
beforeEach(() => {
  registry = new Registry();
});
afterEach(() => {
  localEntityStore.clear();
});

function cart(options: { registry: Registry | false } = { registry: false }) {
  return entity(
    "ShoppingCart",
    {
      add_item: entity.write(async (ctx, item: Item) => {
        const items = await ctx.get<Item[]>("items", []);
        ctx.set("items", [...items, item]);
        return { count: items.length + 1 };
      }),
      get_items: entity.shared(async (ctx) => ctx.get<Item[]>("items", [])),
      clear: entity.write(async (ctx) => {
        ctx.delete("items");
      }),
    },
    options,
  );
}

describe("entity() definitions", () => {
  it("defines an entity from a methods object, registered under its type with kind entity", () => {
    const Cart = cart({ registry });
    expect(Cart).toMatchObject({
      kind: "entity",
      name: "ShoppingCart",
      entityType: "ShoppingCart",
      streaming: false,
      inputSchema: undefined,
      outputSchema: undefined,
      retryPolicy: defaultRetryPolicy,
    });
    expect(isEntityDefinition(Cart)).toBe(true);
    expect(Object.keys(Cart.methods)).toEqual(["add_item", "get_items", "clear"]);
    expect(Cart.method("add_item")).toMatchObject({ kind: "entity_method", write: true });
    expect(Cart.method("get_items")).toMatchObject({ kind: "entity_method", write: false });
    expect(Cart.method("nope")).toBeUndefined();
    expect(registry.get("ShoppingCart")).toBe(Cart);
    expect(getRegisteredEntities(registry)).toEqual({ ShoppingCart: Cart });
    expect(getRegisteredFunctions(registry)).toEqual({});
  });

  it("registers in the default registry unless told otherwise", () => {
    clearRegistry();
    try {
      const Cart = entity("DefaultCart", { add: entity.write(async () => 1) });
      expect(getRegisteredEntities()).toEqual({ DefaultCart: Cart });
    } finally {
      clearRegistry();
    }
  });

  it("accepts the options first, with a description and a retry policy", () => {
    const Counter = entity(
      { name: "Counter", description: "A counter", retry: { maxAttempts: 7 }, registry },
      { increment: entity.write(async () => 1) },
    );
    expect(Counter.description).toBe("A counter");
    expect(Counter.retryPolicy.maxAttempts).toBe(7);
    expect(registry.get("Counter")).toBe(Counter);
  });

  it("supports the seed's decorator style: methods named by their handler or explicitly", async () => {
    const agent = entity("ChatAgent", undefined, { registry });
    const send = agent.write(async function send_message(ctx, message: string) {
      const history = await ctx.get<string[]>("history", []);
      ctx.set("history", [...history, message]);
      return { response: `echo: ${message}` };
    });
    agent.shared(async function get_history(ctx) {
      return ctx.get("history", []);
    });
    agent.shared("get_message_count", async (ctx) => ((await ctx.get<string[]>("history", [])) ?? []).length);
    agent.write({ name: "reset", description: "Forget everything" }, async (ctx) => ctx.delete("history"));

    expect(send).toMatchObject({ kind: "entity_method", name: "send_message", write: true });
    expect(Object.keys(agent.methods)).toEqual(["send_message", "get_history", "get_message_count", "reset"]);
    expect(agent.metadata.methods.map((m) => [m.name, m.write])).toEqual([
      ["send_message", true],
      ["get_history", false],
      ["get_message_count", false],
      ["reset", true],
    ]);
    expect(agent.metadata.methods[3]?.description).toBe("Forget everything");

    const conversation = agent.local("conv-1");
    await expect(conversation.send_message("hi")).resolves.toEqual({ response: "echo: hi" });
    await conversation.send_message("there");
    await expect(conversation.get_history()).resolves.toEqual(["hi", "there"]);
    await expect(conversation.get_message_count()).resolves.toBe(2);
  });

  it("names object-form methods by their property, whatever the handler is called", () => {
    const E = entity("Named", { visible: entity.write(async function hidden() {}) }, { registry });
    expect(Object.keys(E.methods)).toEqual(["visible"]);
    expect(E.metadata.methods[0]?.name).toBe("visible");
  });

  it("rejects unusable definitions with DefinitionError", () => {
    expect(() => entity("", {}, { registry })).toThrow(DefinitionError);
    expect(() => entity("1bad", {}, { registry })).toThrow(/Invalid entity type name "1bad"/);
    const anonymous = entity("Anon", undefined, { registry });
    expect(() => anonymous.write(async () => 1)).toThrow(/needs a name/);
    expect(() => entity("E", { "bad name": entity.write(async () => 1) }, { registry })).toThrow(
      /Invalid entity method name/,
    );
    expect(() => entity("E", { m: (async () => 1) as never }, { registry })).toThrow(/not an entity method/);
    expect(() => entity.write(async function* streams() {})).toThrow(/cannot be an async generator/);
    expect(() => entity.shared("x", undefined as never)).toThrow(/needs a handler/);
  });

  it("describes methods with zod schemas in the metadata, and validates input and output", async () => {
    const Account = entity(
      "Account",
      {
        deposit: entity.write(
          { input: z.object({ amount: z.number().positive() }), output: z.object({ balance: z.number() }) },
          async (ctx, { amount }) => {
            const balance = (await ctx.get("balance", 0)) + amount;
            ctx.set("balance", balance);
            return { balance };
          },
        ),
        broken: entity.shared({ output: z.number(), description: "Returns the wrong type" }, async () => "x"),
      },
      { registry },
    );
    const metadata = getFunctionMetadata(Account);
    expect(metadata).toMatchObject({ name: "Account", type: "entity" });
    expect(metadata.methods[0]).toMatchObject({
      name: "deposit",
      write: true,
      parameters: [{ name: "amount", type: "number", required: true }],
      returnType: "object",
      inputSchema: { type: "object" },
      outputSchema: { type: "object" },
    });
    expect(Account.method("deposit")?.inputSchema).toMatchObject({ type: "object" });

    const account = Account.local("acc-1");
    await expect(account.deposit({ amount: 5 })).resolves.toEqual({ balance: 5 });
    await expect(account.deposit({ amount: -1 })).rejects.toMatchObject({ code: "INVALID_INPUT" });
    await expect(account.broken()).rejects.toMatchObject({ code: "INVALID_OUTPUT" });
    expect(localEntityStore.state("Account", "acc-1")).toEqual({ balance: 5 });
  });
});

describe("EntityContext", () => {
  const base = () => createLocalDurableContext({ componentType: "entity", componentName: "Cart" });

  it("is a DurableContext with the entity's key, type and method", async () => {
    const { context } = createEntityContext(base(), {
      entityType: "Cart",
      key: "c-1",
      methodName: "add",
      write: true,
    });
    expect(isDurableContext(context)).toBe(true);
    expect(context).toMatchObject({
      componentType: "entity",
      componentName: "Cart",
      key: "c-1",
      objectId: "c-1",
      entityType: "Cart",
      methodName: "add",
      readOnly: false,
    });
    await expect(context.step("s", () => 3)).resolves.toBe(3);
  });

  it("gets committed values (with a default), sees its own sets and deletes, and reports net changes", async () => {
    const handle = createEntityContext(base(), {
      entityType: "Cart",
      key: "c-1",
      methodName: "edit",
      write: true,
      state: { items: ["a"], owner: "ann", stale: 1 },
    });
    const ctx = handle.context;
    await expect(ctx.get("items")).resolves.toEqual(["a"]);
    await expect(ctx.get("missing")).resolves.toBeUndefined();
    await expect(ctx.get("missing", 42)).resolves.toBe(42);

    ctx.set("items", ["a", "b"]);
    await expect(ctx.get("items")).resolves.toEqual(["a", "b"]);
    ctx.delete("owner");
    await expect(ctx.get("owner", "nobody")).resolves.toBe("nobody");
    ctx.set("temp", 1);
    ctx.delete("temp"); // never committed: no change to report
    ctx.delete("never_there");
    ctx.set("stale", undefined); // undefined deletes
    ctx.set("when", new Date(Date.UTC(2026, 0, 1)));

    expect(ctx.state()).toEqual({ items: ["a", "b"], when: "2026-01-01T00:00:00.000Z" });
    expect(handle.changes()).toEqual([
      { key: "items", deleted: false, value: ["a", "b"] },
      { key: "owner", deleted: true },
      { key: "stale", deleted: true },
      { key: "when", deleted: false, value: "2026-01-01T00:00:00.000Z" },
    ]);
  });

  it("hands out copies: changing what get() returned changes nothing until set()", async () => {
    const handle = createEntityContext(base(), {
      entityType: "Cart",
      key: "c-1",
      methodName: "m",
      write: true,
      state: { items: ["a"] },
    });
    const items = await handle.context.get<string[]>("items", []);
    items.push("b");
    await expect(handle.context.get("items")).resolves.toEqual(["a"]);
    expect(handle.changes()).toEqual([]);
    const value = { n: 1 };
    handle.context.set("obj", value);
    value.n = 2;
    await expect(handle.context.get("obj")).resolves.toEqual({ n: 1 });
  });

  it("throws EntityReadOnlyError (terminal, READ_ONLY) on set or delete in a shared method", async () => {
    const handle = createEntityContext(base(), {
      entityType: "Cart",
      key: "c-1",
      methodName: "peek",
      write: false,
      state: { items: [] },
    });
    const ctx: EntityContext = handle.context;
    expect(ctx.readOnly).toBe(true);
    let thrown: unknown;
    try {
      ctx.set("items", [1]);
    } catch (error) {
      thrown = error;
    }
    expect(EntityReadOnlyError.isInstance(thrown)).toBe(true);
    expect(TerminalError.isInstance(thrown)).toBe(true);
    expect(thrown).toMatchObject({ code: "READ_ONLY", entityType: "Cart", methodName: "peek", stateKey: "items" });
    expect((thrown as Error).message).toContain("Cart.peek");
    expect(() => ctx.delete("items")).toThrow(EntityReadOnlyError);
    await expect(ctx.get("items")).resolves.toEqual([]);
    expect(handle.changes()).toEqual([]);
  });

  it("refuses empty state keys and values that are not JSON", async () => {
    const { context } = createEntityContext(base(), { entityType: "E", key: "k", methodName: "m", write: true });
    expect(() => context.set("", 1)).toThrow(/non-empty string state key/);
    await expect(context.get("")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(() => context.set("big", 1n)).toThrow(/not JSON-serialisable/);
  });

  it("sees members attached to the base context later (e.g. ctx.llm)", () => {
    const ctx = base();
    const { context } = createEntityContext(ctx, { entityType: "E", key: "k", methodName: "m", write: true });
    (ctx as unknown as { llm: string }).llm = "model";
    expect((context as unknown as { llm: string }).llm).toBe("model");
  });

  it("with decode, decodes a committed value only when the method reads it, and the state it leaves is exact", async () => {
    const encoded = new Map<string, string>([
      ["info", '{"id":"s1"}'],
      ["next_seq", "3"],
      ["m:1", '"first"'],
      ["m:2", "not json"],
      ["__proto__", '{"x":1}'],
    ]);
    const decodedKeys: string[] = [];
    const handle = createEntityContext(base(), {
      entityType: "Session",
      key: "s1",
      methodName: "append",
      write: true,
      state: encoded,
      decode: (key, value) => {
        decodedKeys.push(key);
        return JSON.parse(value as string);
      },
    });
    const ctx = handle.context;
    expect(await ctx.get("next_seq")).toBe(3);
    expect(await ctx.get("next_seq")).toBe(3);
    ctx.set("m:3", "third");
    ctx.set("next_seq", 4);
    ctx.delete("m:1");
    expect(decodedKeys).toEqual(["next_seq"]); // each value decoded once, and only when read
    await expect(ctx.get("m:2")).rejects.toThrow(SyntaxError); // the read gets the decoding error
    expect(handle.changes()).toEqual([
      { key: "m:3", deleted: false, value: "third" },
      { key: "next_seq", deleted: false, value: 4 },
      { key: "m:1", deleted: true },
    ]);
    ctx.delete("m:2");
    const state = ctx.state();
    expect(Object.keys(state)).toEqual(["info", "next_seq", "__proto__", "m:3"]);
    expect(state).toMatchObject({ info: { id: "s1" }, next_seq: 4, "m:3": "third" });
    expect(Object.getPrototypeOf(state)).toBe(Object.prototype); // "__proto__" is a field, not the prototype
    expect(Object.getOwnPropertyDescriptor(state, "__proto__")?.value).toEqual({ x: 1 });
  });
});

describe("local entities (no coordinator)", () => {
  it("runs writes one at a time per key, commits only successful writes, and keeps keys apart", async () => {
    const order: string[] = [];
    const Counter = entity(
      "Counter",
      {
        add: entity.write(async (ctx, n: number) => {
          order.push(`start ${n}`);
          const value = (await ctx.get("value", 0)) + n;
          await new Promise((resolve) => setTimeout(resolve, 5));
          ctx.set("value", value);
          order.push(`end ${n}`);
          return value;
        }),
        fail: entity.write(async (ctx) => {
          ctx.set("value", -1);
          throw new Error("boom");
        }),
        read: entity.shared(async (ctx) => ctx.get("value", 0)),
      },
      { registry },
    );
    const counter = Counter.local("a");
    const results = await Promise.all([counter.add(1), counter.add(2), counter.add(3)]);
    expect(results).toEqual([1, 3, 6]);
    expect(order).toEqual(["start 1", "end 1", "start 2", "end 2", "start 3", "end 3"]);

    await expect(counter.fail()).rejects.toThrow("boom");
    await expect(counter.read()).resolves.toBe(6);
    await expect(Counter.local("b").read()).resolves.toBe(0);
    expect(localEntityStore.state("Counter", "a")).toEqual({ value: 6 });
    expect(localEntityStore.state("Counter", "b")).toEqual({});
  });

  it("rejects an unknown method (COMPONENT_NOT_FOUND, listing methods) and an empty key", async () => {
    const Cart = cart();
    await expect((Cart.local("c") as any).checkout()).rejects.toMatchObject({
      code: "COMPONENT_NOT_FOUND",
      message: 'Entity ShoppingCart has no method "checkout" (methods: add_item, get_items, clear)',
    });
    await expect(Cart.local("").get_items()).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("lets a handler called directly use ctx.entity(definition, key) in process; by name it needs a worker", async () => {
    const Cart = cart();
    const checkout = fn({ name: "checkout", registry }, async (sku: string, ctx) => {
      await ctx.entity(Cart, "c-9").add_item({ sku, qty: 1 });
      const { count } = await ctx.entity(Cart, "c-9").add_item({ sku, qty: 2 });
      const items = await ctx.entity(Cart, "c-9").get_items();
      return { count, items };
    });
    await expect(checkout("pen")).resolves.toEqual({
      count: 2,
      items: [
        { sku: "pen", qty: 1 },
        { sku: "pen", qty: 2 },
      ],
    });

    const byName = fn({ name: "by_name", registry }, async (_: undefined, ctx) =>
      ctx.entity("ShoppingCart", "c-9").get_items(),
    );
    await expect(byName()).rejects.toMatchObject({ code: "NOT_IN_WORKER" });
    await expect(byName()).rejects.toThrow(/ctx.entity\("ShoppingCart", "c-9"\).get_items\(\) needs a worker/);
  });

  it("passes the caller's headers to the entity method, and leaves the proxy un-awaitable", async () => {
    const Probe = entity("Probe", { headers: entity.shared(async (ctx) => ctx.headers) }, { registry });
    const ctx = createLocalDurableContext(createExecutionContext({ headers: { "x-user": "ann" } }));
    const proxy = ctx.entity(Probe, "p");
    expect((proxy as { then?: unknown }).then).toBeUndefined();
    await expect(proxy.headers()).resolves.toEqual({ "x-user": "ann" });
  });

  it("refuses executeComponent on an entity, pointing at its methods", async () => {
    cart({ registry });
    await expect(executeComponent("ShoppingCart", "null", undefined, registry)).rejects.toThrow(
      /ShoppingCart is an entity: call its methods \(add_item, get_items, clear\)/,
    );
  });
});
