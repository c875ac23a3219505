// The worker under benchmark: the smallest useful components, so the figures measure the platform.
import { entity, fn, Worker, workflow } from "@agnt5/sdk";

fn("echo", (input) => input);

/** Ten journaled steps: each is proposed, committed by the coordinator and acknowledged. */
workflow("ten_steps", async (ctx, input) => {
  let total = 0;
  for (let i = 0; i < 10; i++) total += await ctx.step(`step-${i}`, () => i);
  return { total, input };
});

/** Keyed state: writes are exclusive per key, reads shared. */
entity("Counter", {
  increment: entity.write(async (ctx) => {
    const value = (await ctx.get("value", 0)) + 1;
    ctx.set("value", value);
    return value;
  }),
  read: entity.shared(async (ctx) => ctx.get("value", 0)),
});

const worker = new Worker({ serviceName: "bench", maxConcurrency: 256 });
await worker.run();
