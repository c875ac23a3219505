// Phase "suspended" of bench/scale.mjs: `runs` workflow runs each waiting on a signal, all
// suspended at once; the memory they cost the coordinator and the worker; then all signalled.

import { sampleRss } from "./rss.mjs";
import { forEachConcurrently, freshStore, memory, metric, request, startPair, until } from "./scale-harness.mjs";

export async function suspendedPhase(kind, { runs, snapshot }) {
  const store = freshStore(kind, "susp");
  // The worker suspends a run as soon as it only waits on its signal (the default waits 1 s).
  const pair = await startPair(store, { workerEnv: { AGNT5_SUSPEND_AFTER_MS: "0" } });
  const { coordinator, worker, pool, inspector } = pair;
  const processes = [coordinator, worker];
  try {
    await request(pool, "POST", "/v1/services/scale/echo", 1);
    // A first run through the whole path (start, suspend, signal, end), so code and pools are warm.
    await request(pool, "POST", "/v1/workflows/wait_signal/runs", { input: null, runId: "warm" });
    await until("the warm-up run to suspend", async () => (await metric(pool, "agnt5_suspended_runs")) >= 1);
    await request(pool, "POST", "/v1/runs/warm/signals/go", 0);
    await request(pool, "GET", "/v1/runs/warm/result?timeoutMs=60000");
    const idle = await memory(coordinator, worker, pool, inspector);
    const idleHeap = snapshot ? await inspector.heapSummary() : undefined;

    let sampler = sampleRss(processes);
    let t0 = performance.now();
    await forEachConcurrently(runs, 64, (i) =>
      request(pool, "POST", "/v1/workflows/wait_signal/runs", { input: null, runId: `w-${i}` }),
    );
    const startSeconds = (performance.now() - t0) / 1000;
    await until("every run to suspend", async () => (await metric(pool, "agnt5_suspended_runs")) >= runs);
    const allSuspendedSeconds = (performance.now() - t0) / 1000;
    const whileStarting = sampler.stop();
    const activeInMemory = await metric(pool, "agnt5_active_invocations");
    const suspended = await memory(coordinator, worker, pool, inspector);
    const suspendedHeap = snapshot ? await inspector.heapSummary() : undefined;

    sampler = sampleRss(processes);
    t0 = performance.now();
    await forEachConcurrently(runs, 64, (i) => request(pool, "POST", `/v1/runs/w-${i}/signals/go`, i));
    const signalSeconds = (performance.now() - t0) / 1000;
    const completed = () =>
      metric(pool, "agnt5_invocations_finished_total", { component: "wait_signal", status: "completed" });
    await until("every run to complete", async () => (await completed()) >= runs + 1);
    const allCompletedSeconds = (performance.now() - t0) / 1000;
    const whileCompleting = sampler.stop();
    const after = await memory(coordinator, worker, pool, inspector);
    const afterHeap = snapshot ? await inspector.heapSummary() : undefined;

    const perRun = (from, to) => Math.round((to - from) / runs);
    return {
      store: kind,
      runs,
      startSeconds: round(startSeconds),
      allSuspendedSeconds: round(allSuspendedSeconds),
      signalSeconds: round(signalSeconds),
      allCompletedSeconds: round(allCompletedSeconds),
      completed: (await completed()) - 1,
      invocationsInCoordinatorMemoryWhileSuspended: activeInMemory,
      memory: {
        idle: strip(idle),
        allSuspended: strip(suspended),
        afterAllCompleted: strip(after),
        rssWhileStarting: whileStarting,
        rssWhileCompleting: whileCompleting,
      },
      perSuspendedRunBytes: {
        coordinatorHeapUsed: perRun(idle.raw.coordinatorHeapUsed, suspended.raw.coordinatorHeapUsed),
        workerHeapUsed: perRun(idle.raw.workerHeapUsed, suspended.raw.workerHeapUsed),
        coordinatorHeapUsedLeftAfterCompletion: perRun(idle.raw.coordinatorHeapUsed, after.raw.coordinatorHeapUsed),
      },
      ...(snapshot ? { heapByConstructor: { idle: idleHeap, allSuspended: suspendedHeap, after: afterHeap } } : {}),
    };
  } finally {
    await pair.stop();
    await store.drop();
  }
}

const round = (x) => Math.round(x * 100) / 100;
const strip = ({ coordinator, worker }) => ({ coordinator, worker });
