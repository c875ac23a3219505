// Fencing with real processes (issue 17): a replica frozen with SIGSTOP while it drives runs, past
// its lease, then resumed (SIGCONT), commits nothing for the runs taken over meanwhile, and stops;
// the runs finish on the others. The store is the proof: a test-only trigger logs every journal
// write with the writing connection's replica token, in the writer's transaction, and every
// deleted lease row (the takeover), ordered by one sequence.
import { afterEach, describe, expect, it } from "vitest";
import { ChaosLoad, inParallel } from "../test-support/chaos-load.js";
import {
  installJournalAudit,
  journalAudit,
  leaseTokens,
  stepJournals,
  withSchema,
} from "../test-support/chaos-store.js";
import { pollUntil } from "../test-support/http.js";
import { ReplicaSet } from "../test-support/replica-processes.js";

const RUNS = 12;
const STEPS = 6;

describe("a replica frozen past its lease (real processes)", () => {
  let set: ReplicaSet | undefined;

  afterEach(async () => {
    await set?.close();
    set = undefined;
  });

  it("commits nothing for the runs taken over, exits, and the runs finish on the others", async () => {
    set = await ReplicaSet.start({ count: 3, leaseSeconds: 2 });
    const [frozen, second, third] = set.replicas as [
      (typeof set.replicas)[0],
      (typeof set.replicas)[0],
      (typeof set.replicas)[0],
    ];
    await installJournalAudit(set.schema);
    // Worker 1 lists the frozen replica first, worker 2 the second replica.
    await set.startWorker(0);
    await set.startWorker(1);
    const token = (await leaseTokens(set.schema)).get(`${frozen.name}#1`);
    expect(token).toBeDefined();

    // The runs are admitted by the replica to be frozen, which has a worker: it owns them.
    const onFrozen = new ChaosLoad([frozen.url]);
    const deadline = Date.now() + 90_000;
    await inParallel(RUNS, RUNS, (n) =>
      onFrozen.startRun("chaos_slow_steps", `slow-${n}`, { n, steps: STEPS, ms: 300 }, deadline),
    );
    const owned = await withSchema(set.schema, async (client) => {
      const { rows } = await client.query<{ count: string }>(
        "SELECT count(*) FROM invocations WHERE id LIKE 'slow-%' AND owner_token = $1",
        [token],
      );
      return Number(rows[0]!.count);
    });
    expect(owned).toBe(RUNS);
    // Frozen in the middle of the runs: each has journaled a step and none has ended.
    await pollUntil(
      () => stepJournals(set!.schema, "slow-%"),
      (journals) => [...journals.values()].every((steps) => steps.length >= 1),
      { timeoutMs: 30_000, what: "every run to journal a step" },
    );
    frozen.process!.signal("SIGSTOP");
    const takeover = `Took over the runs of replica ${frozen.name}#1`;
    await Promise.any([second.process!.waitForLine(takeover), third.process!.waitForLine(takeover)]);

    frozen.process!.signal("SIGCONT");
    // It finds its lease gone and stops (the default on lease loss).
    await frozen.process!.waitForLine("lease was taken over", 30_000);
    expect((await frozen.process!.exited).code).toBe(1);

    const survivors = new ChaosLoad([second.url, third.url]);
    for (let n = 0; n < RUNS; n++) {
      const output = await survivors.result(`slow-${n}`, deadline);
      expect(output).toEqual({ n, sum: STEPS * n + (STEPS * (STEPS - 1)) / 2 });
    }
    // One writer per run: each step journaled once, with its result.
    const journals = await stepJournals(set.schema, "slow-%");
    for (const [runId, steps] of journals) {
      const n = Number(runId.slice("slow-".length));
      expect(steps).toEqual(Array.from({ length: STEPS }, (_, i) => ({ name: `slow-${i}`, result: n + i })));
    }
    // The frozen replica committed nothing after its lease was taken over: every journal write it
    // made drew its number before the lease row's deletion, and the runs went on without it.
    const audit = await journalAudit(set.schema);
    const deleted = audit.find((row) => row.what === "lease-deleted" && row.token === token);
    expect(deleted).toBeDefined();
    const late = audit.filter((row) => row.token === token && row.what !== "lease-deleted" && row.seq > deleted!.seq);
    expect(late).toEqual([]);
    const after = audit.filter((row) => row.invocationId?.startsWith("slow-") && row.seq > deleted!.seq);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((row) => row.token !== token)).toBe(true);
    // What it tried after SIGCONT (whether it tries before it sees its lease gone is a race).
    const refused = frozen.process!.lines.filter((line) => line.includes('"code":"AG5FN"')).length;
    console.info(
      `sigstop: ${audit.filter((row) => row.token === token).length} journal writes by the frozen replica before the takeover, ` +
        `${after.length} by the others after; ${refused} of its writes refused with AG5FN after SIGCONT`,
    );
  }, 150_000);
});
