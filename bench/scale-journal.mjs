// Phase "journal" of bench/scale.mjs: one run of `steps` steps. Time per step at the start and at
// the end (each step returns when it ran, so the journal holds the times), the journal's size in
// the store, and the re-dispatch of the whole journal after its worker is killed in the last step.
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mb, rssBytes, sampleRss } from "./rss.mjs";
import { freshStore, httpPool, request, startCoordinator, startWorker } from "./scale-harness.mjs";

export async function journalPhase(kind, { steps }) {
  const store = freshStore(kind, "journal");
  const coordinator = startCoordinator(store);
  const killFile = join(tmpdir(), `agnt5-scale-kill-${process.pid}`);
  rmSync(killFile, { force: true });
  // The first worker kills itself (SIGKILL) inside the last step, before proposing it, once the
  // bench has a second worker registered to take the re-dispatch (so no process start is in it).
  const worker = startWorker({ SCALE_KILL_AT_STEP: String(steps - 1), SCALE_KILL_WHEN: killFile });
  const killedAt = worker.exited.then(() => Date.now());
  let spare;
  const pool = httpPool();
  let stopped = false;
  const stopAll = async () => {
    if (stopped) return;
    stopped = true;
    await pool.close();
    await spare?.stop();
    await worker.stop();
    await coordinator.stop();
  };
  try {
    await coordinator.waitFor("Coordinator listening");
    await worker.waitFor("Worker running");
    const sampler = sampleRss([coordinator]);
    const t0 = Date.now();
    await request(pool, "POST", "/v1/workflows/long_journal/runs", { input: { steps }, runId: "long" });
    await worker.waitFor("SCALE_WAITING_TO_DIE");
    const beforeKill = sampler.stop();
    const coordinatorRssBeforeKill = rssBytes(coordinator.pid);
    spare = startWorker();
    await spare.waitFor("Worker running");
    writeFileSync(killFile, "");
    const killed = await killedAt;
    const result = await request(pool, "GET", "/v1/runs/long/result?timeoutMs=600000");
    const completedAt = Date.now();
    if (result.status !== "completed") throw new Error(`long run ended ${JSON.stringify(result)}`);
    const workerAtKill = JSON.parse(
      worker.lines.find((line) => line.startsWith("SCALE_MEMORY_AT_KILL ")).slice("SCALE_MEMORY_AT_KILL ".length),
    );

    const journalText = JSON.stringify(await request(pool, "GET", "/v1/runs/long/journal"));
    const times = JSON.parse(journalText).entries.map((entry) => entry.result);
    // Step i's time minus step i-1's: one step (commit, ack, next proposal). The last step ran on
    // the second worker after the crash: left out.
    const deltas = times.slice(1, steps - 1).map((t, i) => t - times[i]);
    const window = Math.min(100, Math.floor(deltas.length / 2));
    const entered = spare.lines.find((line) => line.startsWith("SCALE_HANDLER_ENTERED_AT "));
    const enteredAt = Number(entered.slice("SCALE_HANDLER_ENTERED_AT ".length));
    const memoryMb = {
      coordinatorRssDuringRun: beforeKill.coordinator,
      coordinatorRssAtLastStep: mb(coordinatorRssBeforeKill),
      coordinatorRssAfterRedispatch: mb(rssBytes(coordinator.pid)),
      workerAtLastStep: { rss: mb(workerAtKill.rss), heapUsedAfterGc: mb(workerAtKill.heapUsed) },
      secondWorkerRssAfterReplay: mb(rssBytes(spare.pid)),
    };
    return {
      store: kind,
      steps,
      firstStepsMs: stats(deltas.slice(0, window)),
      lastStepsMs: stats(deltas.slice(-window)),
      stepsPerWindow: window,
      runSecondsToLastStep: round((times[steps - 2] - t0) / 1000),
      redispatch: {
        killToLastStepRanMs: round(times[steps - 1] - killed),
        // Until the handler starts on the second worker (loss noticed, dispatch, journal sent and
        // decoded), then the replay of the journal up to the last step's code.
        killToHandlerStartMs: round(enteredAt - killed),
        replayMs: round(times[steps - 1] - enteredAt),
        killToResultMs: completedAt - killed,
        note: "SIGKILL of the worker inside the last step; a second worker already registered replays the journal",
      },
      journal: {
        entries: times.length,
        apiJsonBytes: Buffer.byteLength(journalText),
        // Read with the processes stopped: PGlite's data directory is one process's at a time.
        ...(await stopAll().then(() => journalSize(store))),
      },
      memoryMb,
    };
  } finally {
    await stopAll();
    await store.drop();
    rmSync(killFile, { force: true });
  }
}

/** The journal's rows as PostgreSQL stores them, and the payload text a re-dispatch carries. */
async function journalSize(store) {
  const [row] = await store.sql(
    `SELECT count(*)::int AS rows,
            sum(pg_column_size(j.*))::bigint AS row_bytes,
            sum(coalesce(octet_length(j.request), 0) + coalesce(octet_length(j.result), 0) + octet_length(j.name))::bigint
              AS payload_bytes,
            pg_total_relation_size('journal_entries') AS table_and_index_bytes
       FROM journal_entries j WHERE j.invocation_id = 'long'`,
  );
  return {
    rows: row.rows,
    rowBytes: Number(row.row_bytes),
    payloadBytes: Number(row.payload_bytes),
    tableAndIndexBytes: Number(row.table_and_index_bytes),
  };
}

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return { p50: round(at(0.5)), p90: round(at(0.9)), mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length) };
}

const round = (x) => Math.round(x * 100) / 100;
