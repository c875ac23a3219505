import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { Client, entity, fn, workflow } from "./index.js";

const registry = false as const;

const greet = fn({ name: "greet", registry }, (name: string) => `Hello, ${name}!`);
const add = fn({ name: "math_add", registry, input: z.object({ a: z.number(), b: z.number() }) }, ({ a, b }) => a + b);
const ping = fn({ name: "ping", registry }, () => "pong" as const);
const countdown = fn({ name: "countdown", registry }, async function* (from: number) {
  for (let n = from; n >= 0; n--) yield { n };
});
const deploy = workflow({ name: "deployment", registry }, async (_ctx, input: { version: string }) => ({
  deployed: input.version,
}));
const Cart = entity(
  "ShoppingCart",
  { add_item: entity.write(async (_ctx, item: { sku: string; qty: number }) => ({ count: item.qty })) },
  { registry },
);

const client = new Client("http://localhost:8080", { service: "hello-service" });

describe("Client calls typed by imported definitions", () => {
  it("infers invoke's input and output from a function definition", () => {
    expectTypeOf(client.invoke(greet, "Alice")).toEqualTypeOf<Promise<string>>();
    expectTypeOf(client.invoke(add, { a: 1, b: 2 }, { service: "math", timeoutMs: 5 })).toEqualTypeOf<
      Promise<number>
    >();
    expectTypeOf(client.invoke(ping)).toEqualTypeOf<Promise<"pong">>();
    // @ts-expect-error greet takes a string
    client.invoke(greet, 42);
    // @ts-expect-error math_add needs b
    client.invoke(add, { a: 1 });
    // @ts-expect-error a streaming function is read with stream()
    client.invoke(countdown, 3);
  });

  it("types a service's calls the same way", () => {
    const hello = client.service("hello-service");
    expectTypeOf(hello.invoke(greet, "Alice")).toEqualTypeOf<Promise<string>>();
    expectTypeOf(hello.submit(greet, "Alice")).toEqualTypeOf<Promise<{ invocationId: string }>>();
    expectTypeOf(hello.stream(countdown, 3)).toEqualTypeOf<AsyncIterable<{ n: number }>>();
    expectTypeOf(client.stream(countdown, 3)).toEqualTypeOf<AsyncIterable<{ n: number }>>();
    // @ts-expect-error countdown counts from a number
    hello.stream(countdown, "3");
  });

  it("keeps the string forms, typed by a type argument", () => {
    expectTypeOf(client.invoke("hello-service", "greet", "Alice")).toEqualTypeOf<Promise<unknown>>();
    expectTypeOf(client.invoke<string>("hello-service", "greet", "Alice")).toEqualTypeOf<Promise<string>>();
    expectTypeOf(client.stream<number>("hello-service", "count", 3)).toEqualTypeOf<AsyncIterable<number>>();
  });

  it("types workflow runs and entity calls by their definitions", () => {
    expectTypeOf(client.runWorkflow(deploy, { version: "2.0.0" })).toEqualTypeOf<Promise<{ deployed: string }>>();
    // @ts-expect-error the deployment needs a version
    client.startWorkflow(deploy, {});
    const cart = client.entity(Cart, "cart-42");
    expectTypeOf(cart.add_item({ sku: "apple", qty: 2 })).toEqualTypeOf<Promise<{ count: number }>>();
    // @ts-expect-error ShoppingCart has no method remove_item
    cart.remove_item({ sku: "apple" });
    expectTypeOf(client.entity("ShoppingCart", "cart-42").anything()).toBeAny();
  });
});
