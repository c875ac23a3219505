// Phase "recovery" of bench/scale.mjs (PostgreSQL): `runs` unfinished runs seeded straight into
// the store (pending, each with a journal of two completed steps of a three-step workflow, as a
// crash would leave them), then a coordinator started on it: time to its "listening" line, time
// until a worker has finished every recovered run, and the coordinator's memory meanwhile.
import { mb, rssBytes, sampleRss } from "./rss.mjs";
import { freshStore, request, startCoordinator, startPair, startWorker, until } from "./scale-harness.mjs";

export async function recoveryPhase(kind, { runs }) {
  if (kind !== "postgres") throw new Error("the recovery phase seeds the store with SQL: --store=postgres");
  const store = freshStore(kind, "recovery");
  let coordinator;
  let worker;
  try {
    // A real run of the workflow: migrates the schema, registers the service, and gives the shape
    // of the journal rows the seed copies.
    const pair = await startPair(store);
    await request(pair.pool, "POST", "/v1/workflows/three_steps/runs", { input: null, runId: "template" });
    await request(pair.pool, "GET", "/v1/runs/template/result?timeoutMs=60000");
    await pair.stop();

    let t0 = performance.now();
    await seed(store, runs);
    const seedSeconds = (performance.now() - t0) / 1000;
    const unfinished = async () =>
      Number((await store.sql("SELECT count(*) FROM invocations WHERE status IN ('pending', 'running')"))[0].count);
    if ((await unfinished()) !== runs) throw new Error("seeding left a different number of unfinished runs");

    t0 = performance.now();
    coordinator = startCoordinator(store);
    worker = startWorker();
    const sampler = sampleRss([coordinator, worker], 100);
    let peakBeforeListening = 0;
    const peakWatch = setInterval(() => {
      peakBeforeListening = Math.max(peakBeforeListening, rssBytes(coordinator.pid));
    }, 100);
    await coordinator.waitFor("Coordinator listening");
    clearInterval(peakWatch);
    const listeningSeconds = (performance.now() - t0) / 1000;
    const rssAtListening = rssBytes(coordinator.pid);
    let firstFinishedSeconds;
    await until(
      "every recovered run to finish",
      async () => {
        const left = await unfinished();
        if (left < runs && firstFinishedSeconds === undefined) firstFinishedSeconds = (performance.now() - t0) / 1000;
        return left === 0;
      },
      { everyMs: 500, timeoutMs: 30 * 60_000 },
    );
    const allFinishedSeconds = (performance.now() - t0) / 1000;
    const rss = sampler.stop();
    const [completed] = await store.sql(
      "SELECT count(*)::int AS n FROM invocations WHERE handler = 'three_steps' AND status = 'completed'",
    );
    return {
      store: kind,
      runs,
      seededJournalEntriesPerRun: 2,
      seedSeconds: round(seedSeconds),
      spawnToListeningSeconds: round(listeningSeconds),
      spawnToFirstFinishedSeconds: round(firstFinishedSeconds),
      spawnToAllFinishedSeconds: round(allFinishedSeconds),
      completed: completed.n - 1,
      rssMb: {
        coordinatorPeakBeforeListening: mb(peakBeforeListening),
        coordinatorAtListening: mb(rssAtListening),
        ...rss,
      },
    };
  } finally {
    await worker?.stop();
    await coordinator?.stop();
    await store.drop();
  }
}

/** `runs` pending runs of three_steps, oldest first, each with the template run's first two entries. */
async function seed(store, runs) {
  await store.sql(
    `INSERT INTO invocations (id, service, handler, kind, status, input, attempt, headers, created_at, updated_at)
     SELECT 'r-' || lpad(g::text, 7, '0'), t.service, t.handler, t.kind, 'pending', t.input, 1, t.headers,
            clock_timestamp(), clock_timestamp()
       FROM invocations t, generate_series(1, $1::int) g
      WHERE t.id = 'template'`,
    [runs],
  );
  await store.sql(
    `INSERT INTO journal_entries (invocation_id, idx, kind, name, request, result, failure, completed_at)
     SELECT i.id, e.idx, e.kind, e.name, e.request, e.result, e.failure, e.completed_at
       FROM invocations i, journal_entries e
      WHERE i.id LIKE 'r-%' AND e.invocation_id = 'template' AND e.idx < 2`,
  );
  await store.sql("ANALYZE invocations; ANALYZE journal_entries");
}

const round = (x) => (x === undefined ? null : Math.round(x * 100) / 100);
