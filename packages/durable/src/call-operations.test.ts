import { entity, fn, TaskFailedError, workflow } from "@agnt5/core";
import { describe, expect, it } from "vitest";
import { createHarness, failure, flush, ok } from "./test-support/harness.js";

const registry = false as const;
const double = fn({ name: "double", registry }, (n: number) => n * 2);
const onboarding = workflow({ name: "onboarding", registry }, async (_ctx, user: string) => `welcome ${user}`);
const Cart = entity(
  "ShoppingCart",
  {
    add_item: entity.write(async (ctx, item: { sku: string }) => {
      ctx.set("last", item.sku);
      return { count: 1 };
    }),
    get_items: entity.shared(async (ctx) => ctx.get<string[]>("items", [])),
  },
  { registry },
);

describe("ctx.task", () => {
  it("proposes a call entry by service and handler, waits through the pending ack, and returns the output", async () => {
    const h = createHarness();
    const seen: unknown[] = [];
    const outcome = h.execution.run(async (ctx) => {
      const result = await ctx.task("analytics", "process_data", { dataset: "users" });
      seen.push(result);
      return result;
    });
    await flush();
    expect(h.proposals()).toEqual([
      {
        index: 0,
        kind: "call",
        name: "analytics/process_data",
        request: { service: "analytics", handler: "process_data", input: { dataset: "users" } },
      },
    ]);
    h.ack(0);
    await flush();
    expect(seen).toEqual([]);
    h.ack(0, ok({ rows: 3 }));
    await expect(outcome).resolves.toEqual({ type: "completed", value: { rows: 3 } });
  });

  it("calls a definition on this service, with a null input when there is none", async () => {
    const h = createHarness();
    h.autoAck((entry) => ok(entry.name));
    await h.execution.run(async (ctx) => {
      await ctx.task(double, 21);
      await ctx.task(onboarding, "ann");
      await ctx.task("svc", "ping");
    });
    expect(h.proposals().map(({ name, request }) => ({ name, request }))).toEqual([
      { name: "shop/double", request: { service: "shop", handler: "double", input: 21 } },
      { name: "shop/onboarding", request: { service: "shop", handler: "onboarding", input: "ann" } },
      { name: "svc/ping", request: { service: "svc", handler: "ping", input: null } },
    ]);
  });

  it("throws the child's failure as TaskFailedError", async () => {
    const h = createHarness();
    h.autoAck(() => failure("OUT_OF_STOCK", "no stock", "TerminalError"));
    const outcome = await h.execution.run(async (ctx) => {
      try {
        await ctx.task("inventory", "reserve", { sku: "x" });
      } catch (error) {
        expect(TaskFailedError.isInstance(error)).toBe(true);
        expect(error).toMatchObject({
          code: "OUT_OF_STOCK",
          message: "no stock",
          service: "inventory",
          handler: "reserve",
          failureType: "TerminalError",
        });
        return "compensated";
      }
    });
    expect(outcome).toEqual({ type: "completed", value: "compensated" });
  });

  it("replays a recorded output without proposing", async () => {
    const h = createHarness({
      journal: [{ index: 0, kind: "call", name: "ci/run_tests", request: {}, result: ok({ passed: true }) }],
    });
    const outcome = await h.execution.run(async (ctx) => ctx.task("ci", "run_tests", { version: "1" }));
    expect(outcome).toEqual({ type: "completed", value: { passed: true } });
    expect(h.frames).toEqual([]);
  });

  it("rejects a missing target or an input that is not JSON without reserving an index", async () => {
    const h = createHarness();
    await h.execution.run(async (ctx) => {
      await expect(ctx.task("", "x")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      await expect(ctx.task("svc", "h", { big: 1n })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    });
    expect(h.frames).toEqual([]);
  });
});

describe("ctx.spawn", () => {
  it("proposes the call with its key at once and returns a handle the handler can await later", async () => {
    const h = createHarness();
    const order: string[] = [];
    const outcome = h.execution.run(async (ctx) => {
      const first = ctx.spawn(double, 1, { key: "item-1" });
      const second = ctx.spawn<string>({ service: "mail", handler: "send" }, { to: "a@b.c" });
      order.push(`spawned ${first.index} ${second.index}`);
      await ctx.step("between", () => order.push("step"));
      return [first.invocationId, second.invocationId, await first.result(), await second.result()];
    });
    await flush();
    expect(h.proposals()).toEqual([
      {
        index: 0,
        kind: "call",
        name: "shop/double",
        request: { service: "shop", handler: "double", input: 1, key: "item-1" },
      },
      {
        index: 1,
        kind: "call",
        name: "mail/send",
        request: { service: "mail", handler: "send", input: { to: "a@b.c" } },
      },
      expect.objectContaining({ index: 2, kind: "step", name: "between" }),
    ]);
    expect(order).toEqual(["spawned 0 1", "step"]);
    h.ack(0);
    h.ack(1);
    h.ack(2);
    h.ack(1, ok("sent"));
    h.ack(0, ok(2));
    await expect(outcome).resolves.toEqual({ type: "completed", value: ["inv-1.0", "inv-1.1", 2, "sent"] });
  });

  it("never reports an unobserved child failure as an unhandled rejection", async () => {
    const h = createHarness();
    h.autoAck(() => failure("BOOM", "child failed"));
    const outcome = await h.execution.run(async (ctx) => {
      ctx.spawn({ service: "s", handler: "h" }, null);
      await ctx.step("after", () => "ok");
      await flush();
      return "parent done";
    });
    expect(outcome).toEqual({ type: "completed", value: "parent done" });
  });

  it("gives an invalid target a handle whose result rejects", async () => {
    const h = createHarness();
    await h.execution.run(async (ctx) => {
      const handle = ctx.spawn({ service: "", handler: "" });
      expect(handle.index).toBe(-1);
      await expect(handle.result()).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    });
  });
});

describe("ctx.parallel and ctx.gather", () => {
  it("reserves indexes in argument order and resolves to the results in that order", async () => {
    const h = createHarness();
    const outcome = h.execution.run(async (ctx) =>
      ctx.parallel(
        () => ctx.task("svc", "a"),
        () => ctx.step("b", () => "B"),
        ctx.task("svc", "c"),
      ),
    );
    await flush();
    // The promise argument was created before parallel() ran, so it holds the first index.
    expect(h.proposals().map(({ index, name }) => [index, name])).toEqual([
      [0, "svc/c"],
      [1, "svc/a"],
      [2, "b"],
    ]);
    h.ack(2);
    h.ack(0, ok("C"));
    h.ack(1, ok("A"));
    await expect(outcome).resolves.toEqual({ type: "completed", value: ["A", "B", "C"] });
  });

  it("replays the same results for the same indexes", async () => {
    const h = createHarness({
      journal: [
        { index: 0, kind: "call", name: "svc/task1", request: {}, result: ok(1) },
        { index: 1, kind: "call", name: "svc/task2", request: {}, result: ok(2) },
      ],
    });
    const outcome = await h.execution.run(async (ctx) =>
      ctx.gather({ task1: () => ctx.task("svc", "task1"), task2: () => ctx.task("svc", "task2") }),
    );
    expect(outcome).toEqual({ type: "completed", value: { task1: 1, task2: 2 } });
    expect(h.frames).toEqual([]);
  });

  it("gathers named results with functions called in key order", async () => {
    const h = createHarness();
    h.autoAck((entry) => ok(entry.name.toUpperCase()));
    const outcome = await h.execution.run(async (ctx) =>
      ctx.gather({ first: () => ctx.task("svc", "x"), second: () => ctx.now(), third: ctx.task("svc", "y") }),
    );
    expect(h.proposals().map(({ index, name }) => [index, name])).toEqual([
      [0, "svc/y"],
      [1, "svc/x"],
      [2, "now"],
    ]);
    expect(outcome).toEqual({
      type: "completed",
      value: { first: "SVC/X", second: expect.any(Date), third: "SVC/Y" },
    });
  });

  it("rejects with the first failure while the other operations still complete", async () => {
    const h = createHarness();
    h.autoAck((entry) => (entry.name === "svc/bad" ? failure("BAD", "bad") : ok("fine")));
    const outcome = await h.execution.run(async (ctx) =>
      ctx.parallel(
        () => ctx.task("svc", "good"),
        () => ctx.task("svc", "bad"),
      ),
    );
    expect(outcome).toMatchObject({ type: "failed", failure: { code: "BAD", type: "TaskFailedError" } });
  });
});

describe("ctx.entity", () => {
  it("proposes a call entry per method call with handler, method, key and input, resolving with the output", async () => {
    const h = createHarness();
    const outcome = h.execution.run(async (ctx) => {
      const added = await ctx.entity(Cart, "cart-1").add_item({ sku: "pen" });
      const items = await ctx.entity("ShoppingCart", "cart-1").get_items();
      const other = await ctx.entity("Ledger", "acct-9", { service: "billing" }).balance();
      return { added, items, other };
    });
    await flush();
    expect(h.proposals()).toEqual([
      {
        index: 0,
        kind: "call",
        name: "ShoppingCart.add_item",
        request: { service: "shop", handler: "ShoppingCart", method: "add_item", key: "cart-1", input: { sku: "pen" } },
      },
    ]);
    h.ack(0);
    h.ack(0, ok({ count: 1 }));
    await flush();
    expect(h.proposals()[1]).toEqual({
      index: 1,
      kind: "call",
      name: "ShoppingCart.get_items",
      // By name the service is left out: the coordinator resolves it (to the caller's service).
      request: { handler: "ShoppingCart", method: "get_items", key: "cart-1", input: null },
    });
    h.ack(1, ok(["pen"]));
    await flush();
    expect(h.proposals()[2]?.request).toEqual({
      service: "billing",
      handler: "Ledger",
      method: "balance",
      key: "acct-9",
      input: null,
    });
    h.ack(2, ok(10));
    await expect(outcome).resolves.toEqual({
      type: "completed",
      value: { added: { count: 1 }, items: ["pen"], other: 10 },
    });
  });

  it("reserves the index when the method is called, and the proxy is not a thenable", async () => {
    const h = createHarness();
    h.autoAck((entry) => ok(entry.name));
    const outcome = await h.execution.run(async (ctx) => {
      const cart = ctx.entity(Cart, "c");
      expect((cart as { then?: unknown }).then).toBeUndefined();
      const first = cart.get_items();
      const second = ctx.step("s", () => "S");
      return [await second, await first];
    });
    expect(h.proposals().map(({ index, name }) => [index, name])).toEqual([
      [0, "ShoppingCart.get_items"],
      [1, "s"],
    ]);
    expect(outcome).toEqual({ type: "completed", value: ["S", "ShoppingCart.get_items"] });
  });

  it("replays a recorded output without proposing, and throws a recorded failure as TaskFailedError", async () => {
    const h = createHarness({
      journal: [
        { index: 0, kind: "call", name: "ShoppingCart.add_item", request: {}, result: ok({ count: 3 }) },
        {
          index: 1,
          kind: "call",
          name: "ShoppingCart.add_item",
          request: {},
          result: failure("READ_ONLY", "nope", "EntityReadOnlyError"),
        },
      ],
    });
    const outcome = await h.execution.run(async (ctx) => {
      const first = await ctx.entity(Cart, "c").add_item({ sku: "a" });
      try {
        await ctx.entity(Cart, "c").add_item({ sku: "b" });
      } catch (error) {
        expect(TaskFailedError.isInstance(error)).toBe(true);
        expect(error).toMatchObject({ code: "READ_ONLY", handler: "ShoppingCart.add_item", service: "shop" });
        return first;
      }
    });
    expect(outcome).toEqual({ type: "completed", value: { count: 3 } });
    expect(h.frames).toEqual([]);
  });

  it("rejects an empty type or key, a method the definition lacks, or an input that is not JSON, without an index", async () => {
    const h = createHarness();
    await h.execution.run(async (ctx) => {
      await expect(ctx.entity("", "k").m()).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      await expect(ctx.entity("T", "").m()).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      await expect((ctx.entity(Cart, "k") as any).checkout()).rejects.toThrow(
        'Entity ShoppingCart has no method "checkout" (methods: add_item, get_items)',
      );
      await expect(ctx.entity("T", "k").m({ big: 1n })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    });
    expect(h.frames).toEqual([]);
  });
});
