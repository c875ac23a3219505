// The worker behind the console's browser tests and screenshots: workflows that wait for a
// human approval (one needs the "ops" role), an agent whose refund tool needs confirmation (model calls, a tool call and an
// approval tied to it; the model is scripted, offline), an entity and two functions (one fails).
import { ScriptedModel } from "@agnt5/llm/test";
import { Agent, entity, fn, registerAgent, TerminalError, tool, Worker, workflow } from "@agnt5/sdk";
import { z } from "zod";

/** An expense is loaded and scored, then paid once a person approves it. */
workflow("expense_report", async (ctx, { employee, amount }) => {
  const report = await ctx.step("load_report", async () => ({ employee, amount, lines: 3 }));
  const risk = await ctx.step("score_risk", async () => (report.amount > 1000 ? "high" : "low"));
  const decision = await ctx.human.approval("pay_expense", { payload: { employee, amount, risk } });
  if (!decision.approved) return { paid: false, by: decision.by, comment: decision.comment ?? null };
  const payment = await ctx.step("pay", async () => ({ paymentId: `pay-${ctx.runId}`, amount }));
  return { paid: true, approvedBy: decision.by, ...payment };
});

/** Published once a person holding the "ops" role approves (the console says when a key lacks it). */
workflow("publish_release", async (ctx, { version }) => {
  const decision = await ctx.human.approval("publish", { payload: { version }, requiredRoles: ["ops"] });
  return { published: decision.approved, by: decision.by };
});

/** Waits for the "go" signal and returns its payload. */
workflow("await_go", async (ctx) => {
  await ctx.step("prepare", async () => "ready");
  const payload = await ctx.signal("go");
  return { received: payload };
});

/** A cart per customer: its items and a version the console shows. */
entity("Cart", {
  add_item: entity.write(async (ctx, { sku, qty }) => {
    const items = await ctx.get("items", []);
    const next = [...items, { sku, qty }];
    ctx.set("items", next);
    return { items: next.length };
  }),
  /** Holds its key while it sleeps durably: writes after it queue (a stuck key). */
  hold: entity.write(async (ctx, { seconds }) => {
    await ctx.sleep(seconds);
    return "released";
  }),
  items: entity.shared(async (ctx) => ctx.get("items", [])),
});

fn("ping", () => "pong");

/** Always declined: a failed run (terminal, not retried) for the console to show. */
fn("charge_card", ({ cents }) => {
  throw new TerminalError(`Card declined for ${cents} cents: insufficient funds`, { code: "CARD_DECLINED" });
});

const refund = tool(
  {
    name: "refund",
    description: "Refund an order to the customer's card",
    input: z.object({ orderId: z.string(), cents: z.number() }),
    confirmation: true,
  },
  (input) => ({ refunded: input.cents, orderId: input.orderId, status: "sent" }),
);

/**
 * Scripted by conversation state (the number of assistant messages so far), so a resumed run's
 * next call is answered as the first process would have answered it.
 */
const supportModel = {
  specificationVersion: "v1",
  provider: "openai",
  modelId: "gpt-4o-mini",
  pick(options) {
    const turn = options.messages.filter((message) => message.role === "assistant").length;
    const response =
      turn === 0
        ? {
            text: "Order A-1042 arrived damaged; I will refund it.",
            toolCalls: [{ toolCallId: "call_refund_1", toolName: "refund", input: { orderId: "A-1042", cents: 4999 } }],
            usage: { inputTokens: 182, outputTokens: 41 },
          }
        : { text: "Done: 49.99 EUR is on its way back to your card.", usage: { inputTokens: 264, outputTokens: 17 } };
    return new ScriptedModel([response], { provider: "openai", modelId: "gpt-4o-mini" });
  },
  generate(options) {
    return this.pick(options).generate(options);
  },
  stream(options) {
    return this.pick(options).stream(options);
  },
};

registerAgent(
  new Agent({
    name: "support",
    model: supportModel,
    instructions: "Help customers with their orders. Refunds need a person's approval.",
    tools: [refund],
  }),
);

const worker = new Worker({ serviceName: process.env.AGNT5_SERVICE_NAME ?? "shop" });
await worker.run();
