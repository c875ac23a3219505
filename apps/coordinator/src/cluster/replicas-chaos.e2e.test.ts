// Chaos with real processes (issue 17): three coordinator replicas of the built entry point on one
// PostgreSQL schema, SDK workers as processes, the load through the SDK Client given every
// replica's URL. A random replica (seeded; the seed is logged, AGNT5_CHAOS_SEED replays it) is
// SIGKILLed every few seconds and restarted on its ports. CI runs a reduced load; AGNT5_CHAOS_FULL=1
// runs the figures (1,000 ten-step workflows, 10,000 writes on 100 keys).
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { ChaosLoad, inParallel, seededRandom } from "../test-support/chaos-load.js";
import { stepJournals } from "../test-support/chaos-store.js";
import { type ReplicaProcess, ReplicaSet } from "../test-support/replica-processes.js";

const FULL = process.env.AGNT5_CHAOS_FULL === "1";
const WORKFLOWS = FULL ? 1_000 : 250;
const KEYS = FULL ? 100 : 20;
const WRITES_PER_KEY = 100;

describe("replicas under chaos (real processes)", () => {
  let set: ReplicaSet | undefined;

  afterEach(async () => {
    await set?.close();
    set = undefined;
  });

  it(
    "SIGKILL of a random replica every few seconds: every acknowledged run and write happens exactly once",
    async () => {
      const seed = Number(process.env.AGNT5_CHAOS_SEED ?? Date.now() % 1_000_000);
      console.info(`chaos seed ${seed} (AGNT5_CHAOS_SEED=${seed} replays the same kills)`);
      const random = seededRandom(seed);
      set = await ReplicaSet.start({ count: 3, leaseSeconds: 2 });
      for (let i = 0; i < 4; i++) await set.startWorker(i);
      const load = new ChaosLoad(set.urls);
      const deadline = Date.now() + (FULL ? 600_000 : 150_000);
      const began = Date.now();

      let done = false;
      const kills: string[] = [];
      const chaos = (async () => {
        while (!done) {
          await sleep(1_500 + random() * 2_000);
          if (done) break;
          const victim = set!.replicas[Math.floor(random() * set!.replicas.length)]!;
          kills.push(`${((Date.now() - began) / 1000).toFixed(1)}s ${victim.name}`);
          await victim.kill();
          await sleep(200 + random() * 1_000);
          await victim.start();
        }
      })();

      let work: Promise<unknown>;
      try {
        const runs = inParallel(WORKFLOWS, 24, async (n) => {
          const runId = await load.startTenSteps("wf", n, deadline);
          return { n, output: await load.result(runId, deadline) };
        });
        const writes = inParallel(KEYS * WRITES_PER_KEY, 48, async (index) => {
          const key = `key-${index % KEYS}`;
          return { key, count: await load.add(key, Math.floor(index / KEYS), deadline) };
        });
        work = Promise.all([runs, writes]);
        const [ran, written] = (await work) as [{ n: number; output: unknown }[], { key: string; count: number }[]];
        done = true;
        await chaos;
        console.info(
          `chaos: ${WORKFLOWS} workflows and ${KEYS * WRITES_PER_KEY} writes in ${((Date.now() - began) / 1000).toFixed(1)} s, ` +
            `${kills.length} kills (${kills.join(", ")}), ${load.failures.length} exchanges failed ` +
            `(connection refused or broken), ${load.retries} calls repeated after an error`,
        );

        // No replica stopped by itself (a lease lost to a slow start, a crash).
        expect(set.replicas.flatMap((replica) => replica.unexpectedExits)).toEqual([]);
        // The load outlasted the first kill (1.5-3.5 s in): the chaos happened.
        expect(kills.length).toBeGreaterThan(0);
        // Every acknowledged run completed with the result its input determines.
        for (const { n, output } of ran) {
          expect(output).toEqual({ n, sum: n * 1_000 + 45 });
        }
        // Each key's writes returned 1..100 once each, and the committed count is 100.
        const byKey = new Map<string, number[]>();
        for (const { key, count } of written) byKey.set(key, [...(byKey.get(key) ?? []), count]);
        for (let k = 0; k < KEYS; k++) {
          const counts = (byKey.get(`key-${k}`) ?? []).sort((a, b) => a - b);
          expect(counts, `the counts key-${k}'s writes returned`).toEqual(
            Array.from({ length: WRITES_PER_KEY }, (_, i) => i + 1),
          );
          expect(await load.count(`key-${k}`, deadline), `key-${k}'s count`).toBe(WRITES_PER_KEY);
        }
        // No step journaled twice or with another result: ten step entries per run, step i = n*100+i.
        const journals = await stepJournals(set.schema, "wf-%");
        expect(journals.size).toBe(WORKFLOWS);
        for (const [runId, steps] of journals) {
          const n = Number(runId.slice("wf-".length));
          expect(steps).toEqual(Array.from({ length: 10 }, (_, i) => ({ name: `step-${i}`, result: n * 100 + i })));
        }
        // Calls failed only on a replica that was down at that moment.
        const byUrl = new Map<string, ReplicaProcess>(set.replicas.map((replica) => [replica.url, replica]));
        const wrongful = load.failures.filter((failure) => !byUrl.get(failure.replica)?.wasDown(failure.at));
        expect(wrongful.map((f) => `${f.replica} at +${f.at - began} ms: ${f.what}`)).toEqual([]);
      } finally {
        done = true;
        await chaos.catch(() => undefined);
      }
    },
    FULL ? 900_000 : 240_000,
  );
});
