// Phase "recovery" of bench/scale.mjs: `runs` unfinished runs seeded straight into the store (SQL;
// on PGlite through its data directory while no coordinator has it open) (pending, each with a journal of two completed steps of a three-step workflow, as a
// crash would leave them), then a coordinator started on it: time to its "listening" line, time
// until a worker has finished every recovered run, and the coordinator's memory meanwhile.

import { connectInspector } from "./inspector.mjs";
import { mb, rssBytes, sampleRss } from "./rss.mjs";
import {
  freshStore,
  httpPool,
  metric,
  ports,
  request,
  startCoordinator,
  startPair,
  startWorker,
  until,
} from "./scale-harness.mjs";

export async function recoveryPhase(kind, { runs }) {
  const store = freshStore(kind, "recovery");
  let coordinator;
  let worker;
  let pool;
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
    const [seeded] = await store.sql(
      "SELECT count(*)::int AS n FROM invocations WHERE status IN ('pending', 'running', 'suspended')",
    );
    if (seeded.n !== runs) throw new Error(`seeding left ${seeded.n} unfinished runs, not ${runs}`);

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
    pool = httpPool();
    // Counted by this coordinator's /metrics (the template run finished in the earlier process).
    const finished = () =>
      metric(pool, "agnt5_invocations_finished_total", { component: "three_steps", status: "completed" });
    let firstFinishedSeconds;
    await until(
      "every recovered run to finish",
      async () => {
        const done = await finished();
        if (done > 0 && firstFinishedSeconds === undefined) firstFinishedSeconds = (performance.now() - t0) / 1000;
        return done >= runs;
      },
      { everyMs: 500, timeoutMs: 30 * 60_000 },
    );
    const allFinishedSeconds = (performance.now() - t0) / 1000;
    const rss = sampler.stop();
    const inspector = await connectInspector(ports.inspect);
    const heap = await inspector.memoryAfterGc();
    inspector.close();
    return {
      store: kind,
      runs,
      seededJournalEntriesPerRun: 2,
      seedSeconds: round(seedSeconds),
      spawnToListeningSeconds: round(listeningSeconds),
      spawnToFirstFinishedSeconds: round(firstFinishedSeconds),
      spawnToAllFinishedSeconds: round(allFinishedSeconds),
      completed: await finished(),
      rssMb: {
        coordinatorPeakBeforeListening: mb(peakBeforeListening),
        coordinatorAtListening: mb(rssAtListening),
        ...rss,
      },
      coordinatorHeapAfterGcMb: { heapUsed: mb(heap.heapUsed), heapTotal: mb(heap.heapTotal) },
    };
  } finally {
    await pool?.close();
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
  await store.sql("ANALYZE invocations");
  await store.sql("ANALYZE journal_entries");
}

const round = (x) => (x === undefined ? null : Math.round(x * 100) / 100);
