import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import type { DurableContext } from "./durable-context.js";
import { type EntityDefinition, type EntityMethod, entity } from "./entity.js";
import type { EntityContext } from "./entity-context.js";

interface Item {
  sku: string;
  qty: number;
}

const registry = false as const;
declare const ctx: DurableContext;

const Cart = entity(
  "ShoppingCart",
  {
    add_item: entity.write(async (ctx, item: Item) => {
      const items = await ctx.get<Item[]>("items", []);
      ctx.set("items", [...items, item]);
      return { count: items.length + 1 };
    }),
    get_items: entity.shared(async (ctx) => ctx.get<Item[]>("items", [])),
    rename: entity.write({ input: z.object({ name: z.string().default("cart") }) }, async (ctx, { name }) => {
      ctx.set("name", name);
      return name;
    }),
  },
  { registry },
);

describe("entity() types", () => {
  it("gives handlers an EntityContext, which is a DurableContext", () => {
    entity.write(async (ctx, _n: number) => {
      expectTypeOf(ctx).toEqualTypeOf<EntityContext>();
      expectTypeOf(ctx).toExtend<DurableContext>();
      expectTypeOf(ctx.key).toEqualTypeOf<string>();
      expectTypeOf(ctx.entityType).toEqualTypeOf<string>();
      expectTypeOf(ctx.methodName).toEqualTypeOf<string>();
      expectTypeOf(ctx.get<number>("n")).toEqualTypeOf<Promise<number | undefined>>();
      expectTypeOf(ctx.get<number[]>("n", [])).toEqualTypeOf<Promise<number[]>>();
      expectTypeOf(ctx.get("n", "x")).toEqualTypeOf<Promise<string>>();
      expectTypeOf(ctx.set("n", 1)).toEqualTypeOf<void>();
      expectTypeOf(ctx.delete("n")).toEqualTypeOf<void>();
      expectTypeOf(ctx.state()).toEqualTypeOf<Record<string, unknown>>();
      expectTypeOf(ctx.step("s", () => 1)).toEqualTypeOf<Promise<number>>();
    });
  });

  it("types methods by their handler, or by zod schemas (callers pass the schema's input)", () => {
    expectTypeOf(Cart).toExtend<EntityDefinition>();
    expectTypeOf(Cart.methods.add_item).toEqualTypeOf<EntityMethod<Item, { count: number }>>();
    expectTypeOf(Cart.methods.get_items).toEqualTypeOf<EntityMethod<undefined, Item[]>>();
    expectTypeOf(Cart.methods.rename).toEqualTypeOf<EntityMethod<{ name?: string | undefined }, string>>();
  });
});

describe("ctx.entity() types", () => {
  it("types the proxy of an imported definition: parameters and results", () => {
    const cart = ctx.entity(Cart, "cart-1");
    expectTypeOf(cart.add_item).parameters.toEqualTypeOf<[input: Item]>();
    expectTypeOf(cart.add_item({ sku: "a", qty: 1 })).toEqualTypeOf<Promise<{ count: number }>>();
    expectTypeOf(cart.get_items()).toEqualTypeOf<Promise<Item[]>>();
    expectTypeOf(cart.rename({})).toEqualTypeOf<Promise<string>>();
    expectTypeOf(cart.rename({ name: "x" })).toEqualTypeOf<Promise<string>>();
    expectTypeOf(ctx.entity(Cart, "k", { service: "shop" }).get_items()).toEqualTypeOf<Promise<Item[]>>();
    // @ts-expect-error the input must be an Item
    cart.add_item({ sku: "a" });
    // @ts-expect-error add_item needs its input
    cart.add_item();
    // @ts-expect-error no such method
    cart.checkout();
    // @ts-expect-error the key is a string
    ctx.entity(Cart, 42);
  });

  it("is untyped by type name, and for decorator-style definitions", async () => {
    const byName = ctx.entity("ChatAgent", "conv-1");
    const reply: { response: string } = await byName.send_message("hi");
    expectTypeOf(reply).toEqualTypeOf<{ response: string }>();
    const agent = entity("ChatAgent", undefined, { registry });
    const send = agent.write(async function send_message(_ctx, message: string) {
      return { response: message };
    });
    expectTypeOf(send).toEqualTypeOf<EntityMethod<string, { response: string }>>();
    await ctx.entity(agent, "conv-1").send_message("hi");
  });

  it("types Definition.local(key) like ctx.entity", () => {
    expectTypeOf(Cart.local("c").get_items()).toEqualTypeOf<Promise<Item[]>>();
  });
});
