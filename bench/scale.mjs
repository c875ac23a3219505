#!/usr/bin/env node
import { execSync } from "node:child_process";
// Memory and scale: real coordinator and bench/scale-worker.mjs processes on loopback, one JSON
// document. Phases (--phases, default all three):
// - suspended: --runs workflow runs (default 10,000) waiting on a signal, all suspended at once: the
//   coordinator's and the worker's RSS and JS heap after a full collection against idle (bytes per
//   suspended run), then every run signalled and completed;
// - recovery (PostgreSQL only): --recover unfinished runs (default 100,000) seeded with SQL, then a
//   coordinator started on them: spawn to "listening", to every run finished, RSS meanwhile;
// - journal: one run of --steps steps (default 1,000): time per step at the start and the end, the
//   journal's size, and the re-dispatch of the whole journal after its worker is SIGKILLed in the
//   last step.
// Usage: node bench/scale.mjs [--store=postgres|pglite] [--phases=suspended,recovery,journal]
//        [--runs=10000] [--recover=100000] [--steps=1000] [--snapshot] [--out=<file>] [--root=<checkout>]
// --root runs another checkout's built coordinator (the worker and this script stay these).
// --snapshot adds heap snapshots of the coordinator summarised by constructor (slow, large).
import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { resolve } from "node:path";
import { rssAvailable } from "./rss.mjs";
import { coordinatorBuild, root } from "./scale-harness.mjs";
import { journalPhase } from "./scale-journal.mjs";
import { recoveryPhase } from "./scale-recovery.mjs";
import { suspendedPhase } from "./scale-suspended.mjs";

if (!rssAvailable) throw new Error("bench/scale.mjs reads /proc/<pid>/status: run it on Linux");
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const kind = args.store ?? "postgres";
const phases = (args.phases ?? "suspended,recovery,journal").split(",");
if (args.root) coordinatorBuild.root = resolve(args.root);
const progress = (what) => console.error(`[scale bench] ${new Date().toISOString()} ${what}`);

const report = {
  benchmark: "Memory and scale: coordinator and worker processes on loopback",
  command: `node bench/scale.mjs ${process.argv.slice(2).join(" ")}`.trim(),
  commit: execSync("git rev-parse --short HEAD", { cwd: root }).toString().trim(),
  coordinatorRoot: coordinatorBuild.root,
  machine: {
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  },
  date: new Date().toISOString(),
};
for (const phase of phases) {
  progress(`${phase} on ${kind}`);
  if (phase === "suspended") {
    report.suspended = await suspendedPhase(kind, { runs: Number(args.runs ?? 10_000), snapshot: "snapshot" in args });
  } else if (phase === "recovery") {
    report.recovery = await recoveryPhase(kind, { runs: Number(args.recover ?? 100_000) });
  } else if (phase === "journal") {
    report.journal = await journalPhase(kind, { steps: Number(args.steps ?? 1_000) });
  } else throw new Error(`--phases: unknown phase "${phase}" (suspended, recovery, journal)`);
}
const json = JSON.stringify(report, null, 2);
console.log(json);
if (args.out) writeFileSync(args.out, `${json}\n`);
