import { fn } from "@agnt5/sdk";
import { z } from "zod";

/** @function() def greet(name: str) -> str */
export const greet = fn("greet", (name: string) => `Hello, ${name}!`);

/** @function("math_add") def add_numbers(a: int, b: int) -> int — with a schema, so bad input is a 400 naming the field. */
export const addNumbers = fn(
  {
    name: "math_add",
    description: "Add two numbers together.",
    input: z.object({ a: z.number(), b: z.number() }),
    output: z.number(),
  },
  ({ a, b }) => a + b,
);

/** @function(streaming=True): yields one chunk per number, as the caller reads them. */
export const countdown = fn("countdown", async function* (from: number, ctx) {
  for (let n = from; n >= 0; n--) {
    if (ctx.abortSignal.aborted) return;
    yield { n, invocationId: ctx.invocationId };
  }
});
