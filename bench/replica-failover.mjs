// Failover time for bench/replicas.mjs --mode=failover: two replicas under a steady load of 10-step
// workflows and entity writes; replica 0 is SIGKILLed. Measured from the kill: replica 1's takeover
// of its lease, the first journal entry and the first completion of a run replica 0 owned, and the
// client's throughput back to its level before the kill.
import { call, load, sql, startSet } from "./replica-procs.mjs";

const WORKFLOW_LANES = 24;
const ENTITY_LANES = 8;
const BUCKET_MS = 250;

export async function measureFailover(leaseSeconds, portBase) {
  const set = await startSet({ replicas: 2, portBase, leaseSeconds });
  const q = (text, params) => sql(text.replaceAll("$schema", `"${set.schema}"`), params);
  try {
    const tokens = Object.fromEntries(
      (await q(`SELECT name, token::text FROM $schema.coordinator_replicas`)).map((r) => [r.name, r.token]),
    );
    const completions = [];
    const errors = [];
    let stopping = false;
    let killedAt = Number.POSITIVE_INFINITY;
    // The longest call started after the kill, per kind: a key the dead replica wrote waits for
    // the takeover.
    const slowest = { workflow: 0, entity: 0 };
    // Each lane starts on its gateway and moves to the next one when a call fails (as the SDK's
    // Client with an endpoint list does); the call that failed is counted, not retried.
    const lane = async (index, kind, path) => {
      let gateway = index % set.pools.length;
      let n = 0;
      while (!stopping) {
        const started = Date.now();
        try {
          await call(set.pools[gateway], path(n++), { index });
          completions.push(Date.now());
          slowest[kind] = Math.max(slowest[kind], started >= killedAt ? Date.now() - started : 0);
        } catch (error) {
          errors.push({ at: Date.now(), gateway, message: String(error.message ?? error).slice(0, 120) });
          gateway = (gateway + 1) % set.pools.length;
        }
      }
    };
    const lanes = [
      ...Array.from({ length: WORKFLOW_LANES }, (_, i) => lane(i, "workflow", () => "/v1/services/bench/ten_steps")),
      ...Array.from({ length: ENTITY_LANES }, (_, i) =>
        lane(i, "entity", (n) => `/v1/entities/Counter/fo-${(i * 7919 + n * 13) % 100}/increment`),
      ),
    ];
    await new Promise((r) => setTimeout(r, 7000)); // 3 s warm-up, then the 4 s the steady rate is taken from
    const tookOver = set.coordinators[1].waitFor("Took over the runs of replica bench-r0").then(() => Date.now());
    const loadAtKill = load();
    killedAt = Date.now();
    set.coordinators[0].child.kill("SIGKILL");
    // Frozen from here: only a takeover moves them.
    const owned = await q(
      `SELECT id, kind FROM $schema.invocations WHERE owner_token = $1::bigint AND status IN ('pending', 'running', 'suspended')`,
      [tokens["bench-r0"]],
    );
    const [{ keys }] = await q(
      `SELECT count(*)::int AS keys FROM $schema.entity_key_owners WHERE owner_token = $1::bigint`,
      [tokens["bench-r0"]],
    );
    await new Promise((r) => setTimeout(r, leaseSeconds * 2000 + 8000));
    stopping = true;
    await Promise.all(lanes);
    const takeoverAt = await Promise.race([tookOver, new Promise((r) => setTimeout(() => r(undefined), 1000))]);
    const ids = owned.map((row) => row.id);
    // Every run replica 0 owned ends (the load stopped; this waits for the stragglers).
    for (let i = 0; i < 300; i++) {
      const [{ open }] = await q(
        `SELECT count(*)::int AS open FROM $schema.invocations WHERE id = ANY($1) AND status IN ('pending', 'running', 'suspended')`,
        [ids],
      );
      if (open === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const ms = (column) => `(extract(epoch FROM ${column}) * 1000)::float8`;
    const [ends] = await q(
      `SELECT min(${ms("completed_at")}) AS first, max(${ms("completed_at")}) AS last,
              count(*) FILTER (WHERE status = 'completed')::int AS completed,
              count(*) FILTER (WHERE status <> 'completed')::int AS other
       FROM $schema.invocations WHERE id = ANY($1)`,
      [ids],
    );
    const [journal] = await q(
      `SELECT min(${ms("created_at")}) AS first FROM $schema.journal_entries
       WHERE invocation_id = ANY($1) AND created_at > to_timestamp($2::float8 / 1000)`,
      [ids, killedAt],
    );
    const since = (t) => (t == null ? null : Math.round(t - killedAt));
    return {
      leaseSeconds,
      load: loadAtKill,
      ownedByKilledReplica: {
        invocations: ids.length,
        workflows: owned.filter((r) => r.kind === "workflow").length,
        entityKeys: keys,
        completed: ends.completed,
        endedOtherwise: ends.other,
      },
      msFromKill: {
        takeover: since(takeoverAt),
        firstJournalEntryOfAnOwnedRun: since(journal.first),
        firstCompletionOfAnOwnedRun: since(ends.first),
        lastCompletionOfAnOwnedRun: since(ends.last),
        ...throughputRecovery(completions, killedAt),
        slowestWorkflowCallStartedAfterKill: slowest.workflow,
        slowestEntityCallStartedAfterKill: slowest.entity,
      },
      clientErrors: {
        count: errors.length,
        afterKill: errors.filter((e) => e.at >= killedAt).length,
        sample: [...new Set(errors.map((e) => e.message))].slice(0, 3),
      },
    };
  } finally {
    await set.stop();
  }
}

/**
 * The steady rate: completions/s over the 4 s before the kill. Back to steady: the start of the
 * first 1 s window after the kill whose rate is at least 80 % of it. Also the lowest 1 s rate.
 */
function throughputRecovery(completions, killedAt) {
  const steady = completions.filter((t) => t >= killedAt - 4000 && t < killedAt).length / 4;
  const after = completions.filter((t) => t >= killedAt);
  const end = Math.max(killedAt, ...after);
  let backToSteady = null;
  let lowest = Number.POSITIVE_INFINITY;
  for (let start = killedAt; start + 1000 <= end; start += BUCKET_MS) {
    const rate = after.filter((t) => t >= start && t < start + 1000).length;
    lowest = Math.min(lowest, rate);
    if (backToSteady === null && rate >= 0.8 * steady) backToSteady = start - killedAt;
  }
  return {
    throughputBackTo80PercentOfSteady: backToSteady,
    steadyCallsPerSecond: Math.round(steady),
    lowestCallsPerSecondIn1sWindow: Number.isFinite(lowest) ? lowest : null,
  };
}
