import { once } from "node:events";
import { createServer } from "node:net";
import { fn, Registry } from "@agnt5/core";
import { afterEach, describe, expect, it } from "vitest";
import { createCaptureLogger } from "./test-support/capture-logger.js";
import { FakeCoordinator } from "./test-support/fake-coordinator.js";
import { Worker } from "./worker.js";

/** An endpoint nobody listens on: a port the OS handed out and that was closed again. */
async function deadEndpoint(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startCoordinator(): Promise<FakeCoordinator> {
  const coordinator = await FakeCoordinator.start();
  cleanups.push(() => coordinator.stop());
  return coordinator;
}

function startWorker(coordinatorEndpoint: string | string[]) {
  const registry = new Registry();
  fn({ name: "greet", registry }, (name: string) => `Hello, ${name}!`);
  const logger = createCaptureLogger();
  const worker = new Worker("hello-service", {
    coordinatorEndpoint,
    registry,
    logger,
    handleSignals: false,
    reconnectBackoff: { initialDelayMs: 1, maxDelayMs: 20 },
  });
  const running = worker.run();
  cleanups.push(async () => {
    await worker.stop();
    await running;
  });
  return { worker, logger };
}

describe("Worker with several coordinator endpoints", () => {
  it("moves past an endpoint it cannot reach and registers with the next, saying which", async () => {
    const dead = await deadEndpoint();
    const live = await startCoordinator();
    const { worker, logger } = startWorker([dead, live.endpoint]);
    const disconnected = once(worker, "disconnected");
    const [registered] = await once(worker, "registered");
    expect(registered.endpoint).toBe(live.endpoint);
    const [failed] = await disconnected;
    expect(failed.endpoint).toBe(dead);

    const stream = await live.stream(0);
    expect((await stream.registration).workerId).toBe(worker.workerId);
    const outcome = await stream.outcome(stream.start({ componentName: "greet", input: "Ada" }));
    expect(outcome.case).toBe("completed");
    const cannot = logger.lines.find((line) => line.message.startsWith("Cannot reach coordinator"));
    expect(cannot?.message).toContain(`Cannot reach coordinator at ${dead} (UNAVAILABLE`);
    const connected = logger.lines.find((line) => line.message.startsWith("Connected to coordinator"));
    expect(connected).toMatchObject({ level: "info", fields: { endpoint: live.endpoint } });
    expect(connected?.message).toContain(`Connected to coordinator at ${live.endpoint} after 1 failed attempt`);
  });

  it("reads a comma-separated AGNT5_COORDINATOR_ENDPOINT", async () => {
    const dead = await deadEndpoint();
    const live = await startCoordinator();
    const saved = process.env.AGNT5_COORDINATOR_ENDPOINT;
    process.env.AGNT5_COORDINATOR_ENDPOINT = ` ${dead} , ${live.endpoint} `;
    try {
      const registry = new Registry();
      const worker = new Worker("hello-service", { registry, logger: createCaptureLogger(), handleSignals: false });
      expect(worker.config.coordinators.map((coordinator) => coordinator.endpoint)).toEqual([dead, live.endpoint]);
    } finally {
      if (saved === undefined) delete process.env.AGNT5_COORDINATOR_ENDPOINT;
      else process.env.AGNT5_COORDINATOR_ENDPOINT = saved;
    }
  });

  it("reconnects to the next endpoint when its stream is lost, round robin back to the first", async () => {
    const first = await startCoordinator();
    const second = await startCoordinator();
    const { worker, logger } = startWorker([first.endpoint, second.endpoint]);
    const [initial] = await once(worker, "registered");
    expect(initial).toMatchObject({ endpoint: first.endpoint, reconnect: false });
    expect(logger.lines.find((line) => line.message.startsWith("Worker running"))?.fields).toMatchObject({
      endpoint: first.endpoint,
    });

    // The first coordinator dies: the worker goes to the second one, which now runs its invocations.
    const movedToSecond = once(worker, "registered");
    await first.stop();
    const [moved] = await movedToSecond;
    expect(moved).toMatchObject({ endpoint: second.endpoint, reconnect: true });
    const stream = await second.stream(0);
    expect((await stream.registration).workerId).toBe(worker.workerId);
    expect((await stream.outcome(stream.start({ componentName: "greet", input: "Grace" }))).case).toBe("completed");
    const back = logger.lines.find((line) => line.message.startsWith("Reconnected to coordinator"));
    expect(back?.message).toContain(`Reconnected to coordinator at ${second.endpoint}`);

    // The first comes back and the second dies: round robin brings the worker back to the first.
    await first.restart();
    const movedToFirst = once(worker, "registered");
    await second.stop();
    const [returned] = await movedToFirst;
    expect(returned).toMatchObject({ endpoint: first.endpoint, reconnect: true });
    const again = await first.stream(1);
    expect((await again.outcome(again.start({ componentName: "greet", input: "Linus" }))).case).toBe("completed");
  });
});
