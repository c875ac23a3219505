// Several coordinator replicas on one PostgreSQL (AGNT5_CLUSTER=1), in process, with SDK workers
// over gRPC: a call admitted on a replica without workers for its service is handed to one that
// has them; child calls, signals and timers cross replicas; entity keys keep one writer; a
// replica's runs move to another when its lease expires.
import { entity, fn, Registry, workflow } from "@agnt5/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deferred, LineReader, pollUntil, postJson, send } from "../test-support/http.js";
import { startTestCluster, type TestCluster } from "../test-support/test-cluster.js";
import { startTestWorker, type TestWorker } from "../test-support/test-worker.js";

const FRONT = "cluster-front";
const ticksGate = deferred();
const BACK = "cluster-back";

describe("coordinator replicas (PostgreSQL + Redis)", () => {
  let cluster: TestCluster;
  const workers: TestWorker[] = [];

  beforeAll(async () => {
    // Service FRONT has its worker on replica 1, BACK on replica 2.
    const front = new Registry();
    workflow({ name: "orchestrate", registry: front }, async (ctx, n: number) => {
      const doubled = await ctx.step("double", () => n * 2);
      const remote = await ctx.task<number>(BACK, "triple", doubled);
      const signal = await ctx.signal<number>("go", { timeoutMs: 120_000 });
      await ctx.sleep(0.2);
      return remote + signal;
    });
    const back = new Registry();
    fn({ name: "triple", registry: back }, (n: number) => n * 3);
    fn({ name: "echo", registry: back }, (text: string) => text);
    // Streams its first chunk, then waits for the test before the rest: chunks must arrive live.
    fn({ name: "ticks", registry: back }, async function* (count: number) {
      yield { tick: 0 };
      await ticksGate.promise;
      for (let tick = 1; tick < count; tick++) yield { tick };
    });
    entity(
      "Tally",
      {
        add: entity.write(async (ctx, n: number) => {
          const count = (await ctx.get<number>("count", 0)) + n;
          ctx.set("count", count);
          return count;
        }),
        read: entity.shared(async (ctx) => ctx.get<number>("count", 0)),
      },
      { registry: back },
    );
    cluster = await startTestCluster(2);
    const [one, two] = cluster.replicas;
    workers.push(await startTestWorker({ serviceName: FRONT, endpoint: one!.endpoint, registry: front }));
    workers.push(await startTestWorker({ serviceName: BACK, endpoint: two!.endpoint, registry: back }));
    // Each replica has announced its workers' services to the other.
    await pollUntil(
      () =>
        send(`${one!.url}/v1/services/${BACK}/echo?timeoutMs=20000`, {
          method: "POST",
          body: '"hi"',
          headers: { "content-type": "application/json" },
        }),
      (response) => response.status === 200,
      { timeoutMs: 15_000, what: "replica 1 to know service BACK" },
    );
  }, 60_000);

  afterAll(async () => {
    for (const worker of workers) await worker.stop();
    await cluster?.close();
  });

  it("answers a call on a replica with no worker for the service (handed to the replica that has one)", async () => {
    const [one] = cluster.replicas;
    const response = await postJson(`${one!.url}/v1/services/${BACK}/echo?timeoutMs=20000`, "across");
    expect(response.status).toBe(200);
    expect(response.body).toBe("across");
  });

  it("streams the chunks of a call handed to another replica to the caller on the first, as they come", async () => {
    const [one] = cluster.replicas;
    const response = await fetch(`${one!.url}/v1/services/${BACK}/ticks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "3",
    });
    expect(response.status).toBe(200);
    const lines = new LineReader(response.body!);
    // Chunk 0 arrives while the generator waits at its gate: relayed live, not at the end.
    expect(JSON.parse((await lines.next())!)).toEqual({ type: "chunk", seq: 0, data: { tick: 0 } });
    ticksGate.resolve();
    const rest = (await lines.rest()).map((line) => JSON.parse(line) as { type: string; seq?: number });
    expect(rest.map((envelope) => `${envelope.type}${envelope.seq ?? ""}`)).toEqual(["chunk1", "chunk2", "done"]);
  });

  it("runs a workflow whose child call, signal and timer cross replicas", async () => {
    const [one, two] = cluster.replicas;
    const started = await postJson(`${two!.url}/v1/workflows/orchestrate/runs`, { input: 5 });
    expect(started.status).toBe(202);
    const runId = started.body.runId as string;
    // The signal goes through the replica that does not own the run.
    await pollUntil(
      () => postJson(`${two!.url}/v1/runs/${runId}/signals/go`, 100),
      (response) => response.status === 200 || response.status === 202,
      { timeoutMs: 15_000, what: "the signal to be accepted" },
    );
    const result = await send(`${two!.url}/v1/runs/${runId}/result?timeoutMs=30000`);
    expect(result.status).toBe(200);
    expect(JSON.stringify(result.body)).toContain("130");
    const fromOwner = await send(`${one!.url}/v1/runs/${runId}/result?timeoutMs=30000`);
    expect(JSON.stringify(fromOwner.body)).toContain("130");
  });

  it("keeps one writer per entity key whichever replica the writes arrive on", async () => {
    const [one, two] = cluster.replicas;
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      const replica = i % 2 === 0 ? one! : two!;
      writes.push(postJson(`${replica.url}/v1/entities/Tally/k${i % 4}/add?timeoutMs=30000`, 1));
    }
    const responses = (await Promise.all(writes)) as { status: number }[];
    expect(responses.map((r) => r.status)).toEqual(new Array(40).fill(200));
    for (let k = 0; k < 4; k++) {
      const read = await postJson(`${one!.url}/v1/entities/Tally/k${k}/read?timeoutMs=30000`, null);
      expect(read.body).toBe(10);
    }
  });
});

describe("a replica that stops hands its runs to the others", () => {
  it("finishes on replica 2 a workflow that replica 1 owned and suspended, and answers its waiting caller there", async () => {
    await using cluster = await startTestCluster(2, { leaseMs: 2_000 });
    const [one, two] = cluster.replicas;
    const registry = new Registry();
    workflow({ name: "wait_then_add", registry }, async (ctx, n: number) => {
      const first = await ctx.step("first", () => n + 1);
      const go = await ctx.signal<number>("go", { timeoutMs: 120_000 });
      return ctx.step("second", () => first + go);
    });
    const onOne = await startTestWorker({
      serviceName: "handover",
      endpoint: one!.endpoint,
      registry,
      suspendAfterMs: 0,
    });
    const started = await postJson(`${one!.url}/v1/workflows/wait_then_add/runs`, { input: 1 });
    expect(started.status).toBe(202);
    const runId = started.body.runId as string;
    await pollUntil(
      () => send(`${one!.url}/v1/runs/${runId}`),
      (response) => response.body.status === "waiting" || response.body.status === "suspended",
      { what: "the run to wait for its signal" },
    );
    // Replica 1 stops (its lease given up); a worker of the service is on replica 2 only.
    await onOne.stop();
    await one!.close();
    const onTwo = await startTestWorker({ serviceName: "handover", endpoint: two!.endpoint, registry });
    try {
      const result = send(`${two!.url}/v1/runs/${runId}/result?timeoutMs=30000`);
      await pollUntil(
        () => postJson(`${two!.url}/v1/runs/${runId}/signals/go`, 40),
        (response) => response.status < 300,
        { timeoutMs: 15_000, what: "the signal to be accepted on replica 2" },
      );
      const answer = await result;
      expect(answer.status).toBe(200);
      expect(JSON.stringify(answer.body)).toContain("42");
    } finally {
      await onTwo.stop();
    }
  }, 60_000);
});
