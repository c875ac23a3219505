#!/usr/bin/env node
// What one session append costs as the session grows, in the two places the entity layer handles
// entity state on every write (the session entity itself writes one field per message):
// - commit: @agnt5/entity-store's commit of one append (the message, next_seq, info) on PostgreSQL:
//   since the store keeps one row per field, it writes those three rows and bumps the version row;
// - ship: the coordinator's StartInvocation carrying every field to the worker, encoded and
//   decoded; the worker then parses only the fields the append reads (info, next_seq).
// In process, no coordinator or worker: the two costs alone, per history size.
// Usage: node bench/session-state.mjs [--sizes=0,1000,5000] [--appends=30] [--url=postgres://...] [--out=bench/results/session-state-postgres.json]
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg } from "node:os";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const sizes = String(args.sizes ?? "0,1000,5000")
  .split(",")
  .map(Number);
const appends = Number(args.appends ?? 30);
const url = args.url ?? process.env.AGNT5_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

// Workspace packages by path (the bench package does not depend on them); protobuf from proto's own deps.
const { openEntityStore } = await import("../packages/entity-store/dist/index.js");
const proto = await import("../packages/proto/dist/index.js");
const protobuf = await import(
  createRequire(new URL("../packages/proto/package.json", import.meta.url)).resolve("@bufbuild/protobuf")
);

const schema = `bench_session_state_${process.pid}`;
const store = await openEntityStore({ backend: "postgres", url, schema });
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const field = (seq) => `m:${String(seq).padStart(12, "0")}`;
// A message as @agnt5/adk's agnt5.session stores it: text, the original Message, seq and time.
const message = (seq) => {
  const content = `message ${seq}: ${"a sentence of a conversation ".repeat(4)}`;
  return JSON.stringify({
    role: "user",
    content,
    message: { role: "user", content },
    seq,
    timestamp: new Date().toISOString(),
  });
};
const round = (x) => Math.round(x * 100) / 100;

const results = [];
try {
  for (const size of sizes) {
    const key = `history-${size}`;
    const info = JSON.stringify({ id: key, metadata: {}, retention: {}, createdAt: new Date().toISOString() });
    const sets = { info, next_seq: String(size + 1) };
    for (let seq = 1; seq <= size; seq++) sets[field(seq)] = message(seq);
    let version = (await store.commit("agnt5.session", key, { expectedVersion: 0, sets, deletes: [] })).version;
    let start = performance.now();
    for (let i = 0; i < appends; i++) {
      const seq = size + 1 + i;
      const result = await store.commit("agnt5.session", key, {
        expectedVersion: version,
        sets: { [field(seq)]: message(seq), next_seq: String(seq + 1), info },
        deletes: [],
        write: { invocationId: `append-${i}`, output: JSON.stringify({ seqs: [seq] }) },
      });
      version = result.version;
    }
    const commitMs = (performance.now() - start) / appends;
    const snapshot = await store.load("agnt5.session", key);
    start = performance.now();
    for (let i = 0; i < appends; i++) {
      const frame = protobuf.create(proto.StartInvocationSchema, {
        objectKey: key,
        methodName: "append",
        state: Object.entries(snapshot.state).map(([name, value]) => ({ key: name, value: encoder.encode(value) })),
      });
      const received = protobuf.fromBinary(
        proto.StartInvocationSchema,
        protobuf.toBinary(proto.StartInvocationSchema, frame),
      );
      // As packages/sdk's entity-invocation does: the bytes by field, parsed when read.
      const fields = new Map();
      for (const change of received.state) if (!change.deleted) fields.set(change.key, change.value);
      for (const read of ["info", "next_seq"]) JSON.parse(decoder.decode(fields.get(read)));
    }
    const shipMs = (performance.now() - start) / appends;
    const stateKB = Math.round(Object.entries(snapshot.state).reduce((n, [k, v]) => n + k.length + v.length, 0) / 1024);
    results.push({ historyMessages: size, stateKB, commitMs: round(commitMs), shipToWorkerMs: round(shipMs) });
    console.error(`[session state] ${JSON.stringify(results.at(-1))}`);
  }
} finally {
  const { default: pg } = await import(createRequire(import.meta.url).resolve("pg"));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
  await store.close();
}

const report = {
  benchmark:
    "One session append's cost per history size: entity-store commit on PostgreSQL (one row per changed field) and the whole state shipped to the worker, decoded, and the fields an append reads parsed; in process",
  command: `node bench/session-state.mjs ${process.argv.slice(2).join(" ")}`.trim(),
  machine: {
    cpus: cpus().length,
    cpu: cpus()[0]?.model.split(" ").slice(0, 2).join(" "),
    node: process.version,
    loadAverage1m: round(loadavg()[0]),
  },
  appendsPerSize: appends,
  results,
};
const json = JSON.stringify(report, null, 2);
console.log(json);
if (args.out) writeFileSync(args.out, `${json}\n`);
