#!/usr/bin/env node
// Coordinator replicas (AGNT5_CLUSTER=1) on one PostgreSQL: throughput with 1, 2, 3 replicas
// against one coordinator in single mode, the failover time after a SIGKILL, and the cost of the
// fencing trigger (migration 0008) in single mode. Prints one JSON document.
// Usage: node bench/replicas.mjs [--mode=throughput|failover|fence]
//   throughput: [--replicas=single,1,2,3] [--rounds=1] [--seconds=5] [--calls=1000]
//   failover:   [--leases=2,5,10] (two replicas under load; replica 0 is SIGKILLed)
//   fence:      [--rounds=3] [--calls=1000] (single mode; the same coordinator with the triggers
//               present and dropped, alternating)
//   [--scenarios=echoC1,echoC64,entityWrites1000KeysC64,tenStepC1,tenStepC32]
//   [--port-base=0] [--profile=<dir>] (a --cpu-prof profile of replica 0)
import { cpus } from "node:os";
import { measureFailover } from "./replica-failover.mjs";
import {
  backendCpu,
  call,
  echo,
  entityWrite1000Keys,
  latency,
  load,
  sql,
  startSet,
  tenSteps,
  throughput,
} from "./replica-procs.mjs";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const mode = args.mode ?? "throughput";
const seconds = Number(args.seconds ?? 5);
const calls = Number(args.calls ?? 1000);
const rounds = Number(args.rounds ?? (mode === "fence" ? 3 : 1));
const portBase = Number(args["port-base"] ?? 0);
// --scenarios=echoC1,echoC64,entityWrites1000KeysC64,tenStepC1,tenStepC32 (default: all).
const scenarios = args.scenarios?.split(",");

async function throughputRun(replicas) {
  const set = await startSet({ replicas, portBase, profileDir: args.profile });
  try {
    // Warm-up: JIT, connection pools, every gateway's view of the services and keys.
    await throughput(set, 16, 1, echo);
    // Every one of the 1,000 keys written once: a replica claims a key at its first write (one
    // INSERT in entity_key_owners), which the figures below should not count.
    await Promise.all(
      Array.from({ length: 16 }, async (_, lane) => {
        for (let key = lane; key < 1000; key += 16)
          await call(set.pools[key % set.pools.length], `/v1/entities/Counter/key-${key}/increment`, {});
      }),
    );
    await throughput(set, 8, 1, tenSteps);
    const run = { mode: replicas === 0 ? "single" : `cluster, ${replicas} replica(s)`, replicas };
    const measure = {
      echoC1: () => latency(set, calls, echo),
      echoC64: () => throughput(set, 64, seconds, echo),
      entityWrites1000KeysC64: () => throughput(set, 64, seconds, entityWrite1000Keys),
      tenStepC1: () => latency(set, Math.ceil(calls / 4), tenSteps),
      tenStepC32: () => throughput(set, 32, seconds, tenSteps),
    };
    // PostgreSQL's CPU per call: the backends of every coordinator's connections.
    const pgCpu = await Promise.all(set.coordinators.map((c) => backendCpu(c.child.pid)));
    const pgNanos = () => pgCpu.reduce((sum, read) => sum + read(), 0);
    for (const [name, run1] of Object.entries(measure)) {
      if (scenarios && !scenarios.includes(name)) continue;
      const before = pgNanos();
      const result = await run1();
      const postgresCpuUsPerCall = Math.round((pgNanos() - before) / 1e3 / result.calls);
      run[name] = { ...result, postgresCpuUsPerCall, load: load() };
    }
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
    const fencedStatementsPerCall = await countFencedStatements(set);
    for (let round = 0; round < rounds; round++) {
      for (const trigger of round % 2 === 0 ? ["present", "dropped"] : ["dropped", "present"]) {
        await setTriggers(set.schema, trigger === "present");
        const pgCpu = await backendCpu(set.coordinators[0].child.pid);
        // PostgreSQL's CPU µs per call (the coordinator's backends), beside the wall clock.
        const measured = async (n, path) => {
          const before = pgCpu();
          const result = await latency(set, n, path);
          return { ...result, postgresCpuUsPerCall: Math.round((pgCpu() - before) / 1e3 / n), load: load() };
        };
        runs.push({
          round,
          trigger,
          echoC1: await measured(calls, echo),
          tenStepC1: await measured(Math.ceil(calls / 4), tenSteps),
        });
      }
    }
    return { runs, fencedStatementsPerCall, statementCost: await statementCost(set.schema) };
  } finally {
    await set.stop();
  }
}

/**
 * How many statements per call fire the trigger: agnt5_fence() is swapped, in this bench schema
 * only, for one that counts its calls in a sequence, around a few hundred calls; then restored.
 */
async function countFencedStatements(set) {
  const [{ body }] = await sql(`SELECT pg_get_functiondef('"${set.schema}".agnt5_fence()'::regprocedure) AS body`);
  await sql(`CREATE SEQUENCE "${set.schema}".fence_calls`);
  await sql(`CREATE OR REPLACE FUNCTION "${set.schema}".agnt5_fence() RETURNS trigger LANGUAGE plpgsql AS $f$
    BEGIN PERFORM nextval('"${set.schema}".fence_calls'); RETURN NULL; END $f$`);
  const counted = async (n, path) => {
    const [{ before }] = await sql(`SELECT nextval('"${set.schema}".fence_calls') AS before`);
    await latency(set, n, path);
    const [{ after }] = await sql(`SELECT nextval('"${set.schema}".fence_calls') AS after`);
    return +((Number(after) - Number(before) - 1) / n).toFixed(2);
  };
  try {
    return { echoC1: await counted(300, echo), tenStepC1: await counted(100, tenSteps) };
  } finally {
    await sql(body);
    await sql(`DROP SEQUENCE "${set.schema}".fence_calls`);
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
  // A scratch table in the bench schema, fenced by migration 0008's own agnt5_fence(); a lease row
  // for the "withToken" variant, which sets the session setting as a replica's connections do.
  await sql(`CREATE TABLE "${schema}".fence_probe (id bigint, v text)`);
  await sql(`INSERT INTO "${schema}".coordinator_replicas (token, name, expires_at) VALUES (999999, 'probe', now())`);
  const loop = (token) =>
    `DO $d$ BEGIN
       PERFORM set_config('search_path', '"${schema}"', true);
       PERFORM set_config('agnt5.replica_token', '${token}', true);
       FOR i IN 1..${rows} LOOP INSERT INTO "${schema}".fence_probe VALUES (i, 'x'); END LOOP;
     END $d$`;
  try {
    const samples = { dropped: [], present: [], presentWithToken: [] };
    for (let round = 0; round < 5; round++) {
      for (const variant of Object.keys(samples)) {
        await sql(`DROP TRIGGER IF EXISTS fence_probe_fence ON "${schema}".fence_probe`);
        if (variant !== "dropped") {
          await sql(`CREATE TRIGGER fence_probe_fence BEFORE INSERT OR UPDATE OR DELETE ON "${schema}".fence_probe
                     FOR EACH STATEMENT EXECUTE FUNCTION "${schema}".agnt5_fence()`);
        }
        const token = variant === "presentWithToken" ? "999999" : "";
        // Untimed first pass: the table's pages and the trigger function's plan are warm.
        await sql(loop(token));
        // Timed from the client: one DO block (one transaction) of `rows` one-row INSERT statements.
        const t0 = performance.now();
        await sql(loop(token));
        samples[variant].push(+(((performance.now() - t0) * 1000) / rows).toFixed(3));
        await sql(`TRUNCATE "${schema}".fence_probe`);
      }
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    return {
      what: "µs per one-row INSERT statement inside one DO block: trigger dropped, present (no token: single mode), present with the token set (a replica); 5 runs each, median",
      droppedUs: median(samples.dropped),
      presentUs: median(samples.present),
      presentWithTokenUs: median(samples.presentWithToken),
      samples,
      load: load(),
    };
  } finally {
    await sql(`DROP TABLE "${schema}".fence_probe`);
    await sql(`DELETE FROM "${schema}".coordinator_replicas WHERE token = 999999`);
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
