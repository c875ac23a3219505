#!/usr/bin/env node
// Coordinator replicas (AGNT5_CLUSTER=1) on one PostgreSQL: throughput with 1, 2, 3 replicas
// against one coordinator in single mode, the failover time after a SIGKILL, and the cost of the
// fencing trigger (migration 0008) in single mode. Prints one JSON document.
// Usage: node bench/replicas.mjs [--mode=throughput|failover|fence]
//   throughput: [--replicas=single,1,2,3] [--rounds=1] [--seconds=5] [--calls=1000]
//   failover:   [--leases=2,5,10] (two replicas under load; replica 0 is SIGKILLed)
//   fence:      [--rounds=3] [--calls=1000] (single mode; the same coordinator with the triggers
//               present and dropped, alternating)
//   [--port-base=0] [--profile=<dir>] (a --cpu-prof profile of replica 0)
import { cpus } from "node:os";
import { measureFailover } from "./replica-failover.mjs";
import { echo, entityWrite1000Keys, latency, load, sql, startSet, tenSteps, throughput } from "./replica-procs.mjs";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const mode = args.mode ?? "throughput";
const seconds = Number(args.seconds ?? 5);
const calls = Number(args.calls ?? 1000);
const rounds = Number(args.rounds ?? (mode === "fence" ? 3 : 1));
const portBase = Number(args["port-base"] ?? 0);

async function throughputRun(replicas) {
  const set = await startSet({ replicas, portBase, profileDir: args.profile });
  try {
    // Warm-up: JIT, connection pools, every gateway's view of the services and keys.
    await throughput(set, 16, 1, echo);
    await throughput(set, 16, 1, entityWrite1000Keys);
    await throughput(set, 8, 1, tenSteps);
    const run = { mode: replicas === 0 ? "single" : `cluster, ${replicas} replica(s)`, replicas };
    run.echoC1 = { ...(await latency(set, calls, echo)), load: load() };
    run.echoC64 = { ...(await throughput(set, 64, seconds, echo)), load: load() };
    run.entityWrites1000KeysC64 = { ...(await throughput(set, 64, seconds, entityWrite1000Keys)), load: load() };
    run.tenStepC1 = { ...(await latency(set, Math.ceil(calls / 4), tenSteps)), load: load() };
    run.tenStepC32 = { ...(await throughput(set, 32, seconds, tenSteps)), load: load() };
    return run;
  } finally {
    await set.stop();
  }
}

const FENCED = ["invocations", "journal_entries", "timers", "signals", "entity_key_owners"];

async function fenceRuns() {
  const set = await startSet({ replicas: 0, portBase });
  const runs = [];
  try {
    await throughput(set, 16, 1, echo);
    await throughput(set, 8, 1, tenSteps);
    for (let round = 0; round < rounds; round++) {
      for (const trigger of round % 2 === 0 ? ["present", "dropped"] : ["dropped", "present"]) {
        await setTriggers(set.schema, trigger === "present");
        runs.push({
          round,
          trigger,
          echoC1: { ...(await latency(set, calls, echo)), load: load() },
          tenStepC1: { ...(await latency(set, Math.ceil(calls / 4), tenSteps)), load: load() },
        });
      }
    }
    return { runs, statementCost: await statementCost(set.schema) };
  } finally {
    await set.stop();
  }
}

async function setTriggers(schema, present) {
  for (const table of FENCED) {
    await sql(`DROP TRIGGER IF EXISTS ${table}_fence ON "${schema}".${table}`);
    if (present) {
      await sql(
        `CREATE TRIGGER ${table}_fence BEFORE INSERT OR UPDATE OR DELETE ON "${schema}".${table}
         FOR EACH STATEMENT EXECUTE FUNCTION "${schema}".agnt5_fence()`,
      );
    }
  }
}

/**
 * The trigger alone: µs per one-row INSERT (all in one DO block: one transaction, no fsync per
 * row) into a table with and without it, alternating: what each fenced statement pays when the
 * session setting is absent.
 */
async function statementCost(schema) {
  const rows = 20_000;
  // A scratch table in the bench schema, fenced by migration 0008's own agnt5_fence().
  await sql(`CREATE TABLE "${schema}".fence_probe (id bigint, v text)`);
  try {
    const samples = { present: [], dropped: [] };
    for (let round = 0; round < 10; round++) {
      const present = round % 2 === 0;
      await sql(`DROP TRIGGER IF EXISTS fence_probe_fence ON "${schema}".fence_probe`);
      if (present) {
        await sql(`CREATE TRIGGER fence_probe_fence BEFORE INSERT OR UPDATE OR DELETE ON "${schema}".fence_probe
                   FOR EACH STATEMENT EXECUTE FUNCTION "${schema}".agnt5_fence()`);
      }
      // Untimed first pass: the table's pages and the trigger function's plan are warm.
      await sql(
        `DO $d$ BEGIN FOR i IN 1..${rows} LOOP INSERT INTO "${schema}".fence_probe VALUES (i, 'x'); END LOOP; END $d$`,
      );
      // Timed from the client: one DO block of `rows` single-row INSERT statements.
      const t0 = performance.now();
      await sql(
        `DO $d$ BEGIN FOR i IN 1..${rows} LOOP INSERT INTO "${schema}".fence_probe VALUES (i, 'x'); END LOOP; END $d$`,
      );
      samples[present ? "present" : "dropped"].push(((performance.now() - t0) * 1000) / rows);
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    return {
      what: "µs per one-row INSERT statement inside one DO block, trigger present vs dropped (5 runs each, median)",
      presentUs: +median(samples.present).toFixed(3),
      droppedUs: +median(samples.dropped).toFixed(3),
      samples,
      load: load(),
    };
  } finally {
    await sql(`DROP TABLE "${schema}".fence_probe`);
  }
}

const result = {
  benchmark: `bench/replicas.mjs --mode=${mode}`,
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version },
  startedAt: new Date().toISOString(),
  loadAtStart: load(),
};
if (mode === "throughput") {
  const configs = (args.replicas ?? "single,1,2,3").split(",").map((r) => (r === "single" ? 0 : Number(r)));
  result.runs = [];
  for (let round = 0; round < rounds; round++) {
    // Alternating order between rounds: a drift of the machine's load does not favour one config.
    for (const replicas of round % 2 === 0 ? configs : [...configs].reverse()) {
      result.runs.push({ round, ...(await throughputRun(replicas)) });
    }
  }
} else if (mode === "failover") {
  result.runs = [];
  for (const lease of (args.leases ?? "2,5,10").split(",").map(Number)) {
    result.runs.push(await measureFailover(lease, portBase));
  }
} else if (mode === "fence") {
  Object.assign(result, await fenceRuns());
} else {
  throw new Error(`--mode must be throughput, failover or fence, got "${mode}"`);
}
result.loadAtEnd = load();
console.log(JSON.stringify(result, null, 2));
