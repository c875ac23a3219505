// The worker under benchmark: the smallest useful function, so the figures measure the platform.
import { fn, Worker } from "@agnt5/sdk";

fn("echo", (input) => input);

const worker = new Worker({ serviceName: "bench", maxConcurrency: 256 });
await worker.run();
