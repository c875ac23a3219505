// Redis restarted mid-run loses nothing (issue 17): three replicas as real processes on a
// redis-server of the test's own (no persistence: the restart forgets everything), workers on two
// of them so the third hands every run over (hints over Redis). Redis is SIGKILLed during the load
// and restarted on its port; every acknowledged run and write still happens exactly once: the
// sweep finds what a lost hint would have said.
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { ChaosLoad, inParallel } from "../test-support/chaos-load.js";
import { stepJournals } from "../test-support/chaos-store.js";
import { deferred } from "../test-support/http.js";
import { RedisProcess } from "../test-support/redis-process.js";
import { ReplicaSet } from "../test-support/replica-processes.js";

const WORKFLOWS = 80;
const KEYS = 5;
const WRITES_PER_KEY = 40;

describe("Redis restarted under replicas (real processes)", () => {
  let set: ReplicaSet | undefined;
  let redis: RedisProcess | undefined;

  afterEach(async () => {
    await set?.close();
    await redis?.kill();
    set = undefined;
    redis = undefined;
  });

  it("every acknowledged run and write completes exactly once", async () => {
    redis = await RedisProcess.start();
    set = await ReplicaSet.start({ count: 3, leaseSeconds: 2, redisUrl: redis.url });
    // Workers on replicas 1 and 2 (their lists start there); replica 3 has none.
    await set.startWorker(0);
    await set.startWorker(1);
    const load = new ChaosLoad(set.urls);
    const deadline = Date.now() + 120_000;

    let acknowledged = 0;
    const quarter = deferred();
    const runs = inParallel(WORKFLOWS, 16, async (n) => {
      const runId = await load.startTenSteps("rd", n, deadline);
      if (++acknowledged === WORKFLOWS / 4) quarter.resolve();
      return { n, output: await load.result(runId, deadline) };
    });
    const writes = inParallel(KEYS * WRITES_PER_KEY, 16, async (index) => {
      const key = `redis-key-${index % KEYS}`;
      return { key, count: await load.add(key, Math.floor(index / KEYS), deadline) };
    });
    // Mid-run: a quarter of the runs started, Redis dies and comes back empty.
    await quarter.promise;
    await redis.kill();
    await sleep(1_000);
    await redis.restart();

    const [ran, written] = await Promise.all([runs, writes]);
    for (const { n, output } of ran) expect(output).toEqual({ n, sum: n * 1_000 + 45 });
    const byKey = new Map<string, number[]>();
    for (const { key, count } of written) byKey.set(key, [...(byKey.get(key) ?? []), count]);
    for (let k = 0; k < KEYS; k++) {
      const counts = (byKey.get(`redis-key-${k}`) ?? []).sort((a, b) => a - b);
      expect(counts).toEqual(Array.from({ length: WRITES_PER_KEY }, (_, i) => i + 1));
      expect(await load.count(`redis-key-${k}`, deadline)).toBe(WRITES_PER_KEY);
    }
    const journals = await stepJournals(set.schema, "rd-%");
    expect(journals.size).toBe(WORKFLOWS);
    for (const [runId, steps] of journals) {
      const n = Number(runId.slice("rd-".length));
      expect(steps).toEqual(Array.from({ length: 10 }, (_, i) => ({ name: `step-${i}`, result: n * 100 + i })));
    }
    // No replica died: none refused a call.
    expect(set.replicas.flatMap((replica) => replica.unexpectedExits)).toEqual([]);
    expect(load.failures).toEqual([]);
  }, 180_000);
});
