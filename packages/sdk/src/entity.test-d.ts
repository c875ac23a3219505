import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import {
  Client,
  type DurableContext,
  type EntityContext,
  type EntityInfo,
  type EntityMethod,
  entity,
  fn,
  workflow,
} from "./index.js";

interface Item {
  sku: string;
  qty: number;
}

const registry = false as const;

const Cart = entity(
  "ShoppingCart",
  {
    add_item: entity.write(async (ctx, item: Item) => {
      const items = await ctx.get<Item[]>("items", []);
      ctx.set("items", [...items, item]);
      return { count: items.length + 1 };
    }),
    get_items: entity.shared(async (ctx) => ctx.get<Item[]>("items", [])),
    apply_coupon: entity.write(
      { input: z.object({ code: z.string() }), output: z.boolean() },
      async (ctx, { code }) => {
        ctx.set("coupon", code);
        return true;
      },
    ),
  },
  { registry },
);

describe("@agnt5/sdk entity types", () => {
  it("types ctx.entity(definition, key) from a function and a workflow", () => {
    fn({ name: "buy", registry }, async (sku: string, ctx) => {
      const cart = ctx.entity(Cart, `cart-${sku}`);
      expectTypeOf(cart.add_item).parameters.toEqualTypeOf<[input: Item]>();
      expectTypeOf(cart.add_item({ sku, qty: 1 })).toEqualTypeOf<Promise<{ count: number }>>();
      expectTypeOf(cart.get_items()).toEqualTypeOf<Promise<Item[]>>();
      expectTypeOf(cart.apply_coupon({ code: "X" })).toEqualTypeOf<Promise<boolean>>();
      // @ts-expect-error qty is missing
      cart.add_item({ sku });
      // @ts-expect-error the coupon input is an object
      cart.apply_coupon("X");
      // @ts-expect-error ShoppingCart has no method remove_item
      cart.remove_item({ sku });
      return (await cart.add_item({ sku, qty: 1 })).count;
    });
    workflow({ name: "flow", registry }, async (ctx: DurableContext) => {
      const items = await ctx.entity(Cart, "c").get_items();
      expectTypeOf(items).toEqualTypeOf<Item[]>();
    });
  });

  it("leaves calls by type name untyped, as in the seed", () => {
    fn({ name: "chat", registry }, async (message: string, ctx) => {
      const reply = await ctx.entity("ChatAgent", "conv-1").send_message(message);
      expectTypeOf(reply).toBeAny();
      return reply as { response: string };
    });
  });

  it("types decorator-style methods by their handler", () => {
    const agent = entity("ChatAgent", undefined, { registry });
    const send = agent.write(async function send_message(ctx, message: string) {
      expectTypeOf(ctx).toEqualTypeOf<EntityContext>();
      return { response: message };
    });
    expectTypeOf(send).toEqualTypeOf<EntityMethod<string, { response: string }>>();
  });

  it("types the client's entity calls", () => {
    const client = new Client();
    expectTypeOf(client.invokeEntity<{ count: number }>("ShoppingCart", "c", "add_item", {})).toEqualTypeOf<
      Promise<{ count: number }>
    >();
    expectTypeOf(client.getEntity("ShoppingCart", "c")).toEqualTypeOf<Promise<EntityInfo>>();
    expectTypeOf(client.getEntity<{ items: Item[] }>("ShoppingCart", "c")).toEqualTypeOf<
      Promise<EntityInfo<{ items: Item[] }>>
    >();
  });
});
