// The worker under benchmark: the smallest useful components, so the figures measure the platform.
import { fn, Worker, workflow } from "@agnt5/sdk";

fn("echo", (input) => input);

/** Ten journaled steps: each is proposed, committed by the coordinator and acknowledged. */
workflow("ten_steps", async (ctx, input) => {
  let total = 0;
  for (let i = 0; i < 10; i++) total += await ctx.step(`step-${i}`, () => i);
  return { total, input };
});

const worker = new Worker({ serviceName: "bench", maxConcurrency: 256 });
await worker.run();
