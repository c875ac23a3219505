import { entity, workflow } from "@agnt5/sdk";
import { z } from "zod";
import { exampleModel } from "./offline-model.js";

const Item = z.object({ sku: z.string(), qty: z.number().int().positive(), price: z.number().nonnegative() });
type Item = z.infer<typeof Item>;

/** A shopping cart per session: writes are serialized per cart, reads never wait. */
export const ShoppingCart = entity("ShoppingCart", {
  add_item: entity.write({ input: Item }, async (ctx, item) => {
    const items = await ctx.get<Item[]>("items", []);
    ctx.set("items", [...items, item]);
    return { count: items.length + 1 };
  }),
  remove_item: entity.write(async (ctx, sku: string) => {
    const items = await ctx.get<Item[]>("items", []);
    const kept = items.filter((item) => item.sku !== sku);
    ctx.set("items", kept);
    return { removed: items.length - kept.length };
  }),
  checkout: entity.write(async (ctx) => {
    const items = await ctx.get<Item[]>("items", []);
    const total = items.reduce((sum, item) => sum + item.qty * item.price, 0);
    ctx.delete("items");
    return { total, items: items.length };
  }),
  get_items: entity.shared(async (ctx) => ctx.get<Item[]>("items", [])),
});

/** The seed's ResearchAgent: findings accumulate in its state; synthesize calls the model (journaled). */
export const ResearchAgent = entity("ResearchAgent", {
  start_research: entity.write(async (ctx, topic: string) => {
    ctx.set("topic", topic);
    ctx.set("findings", []);
    ctx.set("status", "in_progress");
    return { status: "started", topic };
  }),
  add_finding: entity.write(async (ctx, { finding, source }: { finding: string; source: string }) => {
    const findings = await ctx.get<Array<{ content: string; source: string; timestamp: string }>>("findings", []);
    findings.push({ content: finding, source, timestamp: (await ctx.now()).toISOString() });
    ctx.set("findings", findings);
    return { count: findings.length };
  }),
  synthesize: entity.write(async (ctx) => {
    const findings = await ctx.get<Array<{ content: string }>>("findings", []);
    const topic = await ctx.get<string>("topic");
    const summary = await ctx.llm.generate({
      model: exampleModel,
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
});

/** The seed's WorkflowOrchestrator: step progress of a run, kept per run key. */
export const WorkflowOrchestrator = entity("WorkflowOrchestrator", {
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
});

/** A durable workflow that reports its progress to its orchestrator entity (typed calls). */
export const pipeline = workflow("pipeline", async (ctx, { steps }: { steps: string[] }) => {
  const orchestrator = ctx.entity(WorkflowOrchestrator, ctx.runId);
  await orchestrator.start(steps);
  for (const step of steps) {
    const result = await ctx.step(step, () => ({ step, finishedAt: new Date().toISOString() }));
    await orchestrator.complete_step(result);
  }
  return orchestrator.get_progress();
});
