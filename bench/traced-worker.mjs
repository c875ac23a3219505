// The worker of `npm run docs:trace` (bench/docs-trace.mjs). TRACE_ROLE=parent hosts the workflow
// order_flow: two steps, a model call on a scripted model, a child call to the other process and a
// durable sleep; TRACE_ROLE=child hosts the function price. Traces go to OTEL_EXPORTER_OTLP_ENDPOINT.
import { ScriptedModel } from "@agnt5/llm/test";
import { fn, Worker, workflow } from "@agnt5/sdk";

if (process.env.TRACE_ROLE === "parent") {
  workflow("order_flow", async (ctx, input) => {
    const order = await ctx.step("validate", () => ({ id: input.id, items: input.items.length }));
    // A fresh script per run: the step's recorded result is what a replay uses.
    const model = new ScriptedModel([
      { response: { text: "approve", usage: { inputTokens: 42, outputTokens: 3 }, finishReason: "stop" } },
    ]);
    const { text: decision } = await ctx.llm.generate({ model, prompt: `Review order ${order.id}` });
    const total = await ctx.task("pricing", "price", { items: input.items });
    await ctx.sleep(0.1);
    return ctx.step("confirm", () => ({ ...order, decision, total }));
  });
  new Worker({ serviceName: "orders" }).run();
} else {
  fn("price", async ({ items }, ctx) => ctx.step("sum", () => items.reduce((sum, item) => sum + item.cents, 0)));
  new Worker({ serviceName: "pricing" }).run();
}
