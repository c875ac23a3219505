#!/usr/bin/env node
// Memory benchmark: VectorMemoryService on PGlite with pgvector, in process (no coordinator).
// - ingestion: memories/s through Memory.store (one at a time) and through the service's batched upsert;
// - search over N memories: p50/p99 of Memory.search (limit 10) with an exact scan, then with the HNSW
//   index (its build time too), and recall@10 of the HNSW results against the exact ones.
// Embeddings come from a deterministic model (seeded Gaussian vectors, no network), so the figures
// measure storage and search, not an embedding provider. Two kinds of data (--vectors):
// - clustered (default): memories around 1,000 topics (a topic direction plus noise), as text embeddings
//   are: sentences about one subject sit near each other;
// - random: independent uniform directions, HNSW's worst case (in 384 dimensions every point is at
//   nearly the same distance from every other, so no neighbour leads the graph search anywhere).
// Recall@10 of HNSW against the exact scan is measured at several ef_search from one index build.
// Prints one JSON document (and writes it to --out when given).
// Usage: node bench/memory.mjs [--n=10000] [--vectors=clustered|random] [--dims=384] [--queries=200]
//   [--ef-search=40,100,200,400] [--maintenance-work-mem=512MB] [--out=bench/results/memory-pglite-clustered-10000.json]
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { Memory } from "@agnt5/adk";
import { VectorMemoryService } from "@agnt5/memory-store";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const n = Number(args.n ?? 10_000);
const dims = Number(args.dims ?? 384);
const queryCount = Number(args.queries ?? 200);
const efSearches = String(args["ef-search"] ?? "40,100,200,400")
  .split(",")
  .map(Number);
const vectors = args.vectors ?? "clustered";
if (vectors !== "clustered" && vectors !== "random") throw new Error("--vectors is clustered or random");
const maintenanceWorkMem = args["maintenance-work-mem"] ?? "512MB";
const topics = 1_000;
const batch = 1_000;
const singleStores = Math.min(500, n);

/**
 * A seeded Gaussian unit vector: the same text always embeds to the same vector. "near:<i>:<j>" embeds
 * close to memory i (its vector plus noise of the same size): a query paraphrasing a stored memory.
 */
function vectorOf(text) {
  if (text.startsWith("near:")) {
    const [, i, j] = text.split(":");
    const noise = gaussian(`noise:${j}`);
    return normalize(vectorOf(content(Number(i))).map((x, d) => x + noise[d]));
  }
  const memory = /^memory (\d+):/.exec(text);
  if (vectors === "clustered" && memory) {
    // The topic's direction plus noise of the same size: two memories of a topic have cosine ~0.5.
    const topic = gaussian(`topic:${Number(memory[1]) % topics}`);
    const noise = gaussian(text);
    return normalize(topic.map((x, d) => x + noise[d]));
  }
  if (vectors === "clustered" && text.startsWith("query ")) {
    // A question about a topic: near that topic's memories, near none in particular.
    const j = Number(text.slice(6));
    const noise = gaussian(text);
    return normalize(gaussian(`topic:${(j * 7) % topics}`).map((x, d) => x + noise[d]));
  }
  return gaussian(text);
}

function normalize(v) {
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

function gaussian(text) {
  let seed = 2166136261;
  for (let i = 0; i < text.length; i++) seed = Math.imul(seed ^ text.charCodeAt(i), 16777619) >>> 0;
  const next = () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return normalize(
    Array.from({ length: dims }, () => Math.sqrt(-2 * Math.log(next() || 1e-12)) * Math.cos(2 * Math.PI * next())),
  );
}

const model = {
  specificationVersion: "v1",
  provider: "bench",
  modelId: `gaussian-${dims}`,
  async embed({ values }) {
    return { embeddings: values.map(vectorOf) };
  },
};

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const round = (x) => Math.round(x * 1000) / 1000;

async function searchLatencies(memory, queries) {
  const times = [];
  const results = [];
  for (const query of queries) {
    const start = performance.now();
    const hits = await memory.search(query, { limit: 10 });
    times.push(performance.now() - start);
    results.push(hits.map((hit) => hit.key));
  }
  times.sort((a, b) => a - b);
  return { p50Ms: round(percentile(times, 50)), p99Ms: round(percentile(times, 99)), results };
}

const service = new VectorMemoryService({
  model,
  database: { pglite: {} },
  table: "bench_memories",
  // Indexed by hand below, after the exact-scan measurements.
  hnswThreshold: Number.MAX_SAFE_INTEGER,
  hnsw: { maintenanceWorkMem },
});
const memory = new Memory({ service });
await service.start();

const content = (i) => `memory ${i}: fact number ${i} about topic ${i % topics}`;
let start = performance.now();
for (let i = 0; i < singleStores; i++) await memory.store(`m${i}`, content(i), { userId: `u${i % 10}` });
const storeSeconds = (performance.now() - start) / 1000;

start = performance.now();
for (let from = singleStores; from < n; from += batch) {
  const writes = [];
  for (let i = from; i < Math.min(n, from + batch); i++)
    writes.push({ key: `m${i}`, content: content(i), metadata: { userId: `u${i % 10}` } });
  await service.upsert(writes);
}
const upsertSeconds = (performance.now() - start) / 1000;
const progress = (what) => console.error(`[memory bench] ${new Date().toISOString()} ${what}`);
progress(`stored ${n} memories (${Math.round((n - singleStores) / upsertSeconds)}/s batched)`);

const queries = Array.from({ length: queryCount }, (_, j) => `query ${j}`);
// Queries paraphrasing a stored memory (near it), as recalls of known facts are.
const nearQueries = Array.from({ length: queryCount }, (_, j) => `near:${(j * 7919) % n}:${j}`);
const exact = await searchLatencies(memory, queries);
const exactNear = await searchLatencies(memory, nearQueries);
progress(`exact scans: p50 ${exact.p50Ms} ms`);

start = performance.now();
await service.buildIndex();
const indexSeconds = (performance.now() - start) / 1000;
progress(`HNSW index built in ${round(indexSeconds)} s`);
// The service's one PGlite connection: SET here is what its searches run with.
const db = await service.start();
const show = async () => Number(Object.values((await db.query("SHOW hnsw.ef_search"))[0])[0]);
const defaultEf = await show();
// The planner prices an HNSW scan by ef_search: check it still picks the index (else "recall" is the exact scan's).
const [probe] = (await model.embed({ values: [queries[0]] })).embeddings;
const usesIndex = async () =>
  (
    await db.query(
      `EXPLAIN SELECT key FROM bench_memories ORDER BY embedding <=> '${JSON.stringify(probe)}'::vector LIMIT 10`,
    )
  )
    .map((row) => row["QUERY PLAN"])
    .join("\n")
    .includes("bench_memories_embedding_hnsw");
const sweep = [];
for (const ef of efSearches) {
  await db.query(`SET hnsw.ef_search = ${Math.trunc(ef)}`);
  const applied = await show();
  const random = await searchLatencies(memory, queries);
  const near = await searchLatencies(memory, nearQueries);
  sweep.push({ ef, applied, indexUsed: await usesIndex(), random, near });
  progress(`ef_search ${applied}: p50 ${random.p50Ms} ms`);
}
const atDefault = sweep.find((s) => s.ef === defaultEf) ?? sweep[0];
const hnsw = atDefault.random;
const hnswNear = atDefault.near;

/** The share of near queries whose first result is the memory they paraphrase. */
function paraphrasedFirst(found) {
  return round(found.results.filter((keys, j) => keys[0] === `m${(j * 7919) % n}`).length / found.results.length);
}

function recallAt10(approximate, truth) {
  let overlap = 0;
  for (let j = 0; j < truth.results.length; j++) {
    const wanted = new Set(truth.results[j]);
    overlap += approximate.results[j].filter((key) => wanted.has(key)).length / Math.max(1, wanted.size);
  }
  return round(overlap / truth.results.length);
}
await service.close();

const report = {
  benchmark:
    "Memory on VectorMemoryService, PGlite (in memory) with pgvector, in process; deterministic Gaussian embeddings; search limit 10",
  command: `node bench/memory.mjs ${process.argv.slice(2).join(" ")}`.trim(),
  vectors:
    vectors === "clustered"
      ? `clustered: ${topics} topics, each memory its topic's direction plus as much noise; queries about a topic`
      : "random: independent uniform directions (HNSW's worst case); queries random too",
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model.split(" ").slice(0, 2).join(" "), node: process.version },
  memories: n,
  dimensions: dims,
  ingestion: {
    storeOneAtATime: { memories: singleStores, perSecond: Math.round(singleStores / storeSeconds) },
    batchedUpsert: { memories: n - singleStores, batch, perSecond: Math.round((n - singleStores) / upsertSeconds) },
  },
  search: {
    queries: queryCount,
    exactScan: {
      p50Ms: exact.p50Ms,
      p99Ms: exact.p99Ms,
      nearQueries: {
        p50Ms: exactNear.p50Ms,
        p99Ms: exactNear.p99Ms,
        paraphrasedMemoryFirst: paraphrasedFirst(exactNear),
      },
    },
    hnsw: {
      buildSeconds: round(indexSeconds),
      m: 16,
      efConstruction: 64,
      maintenanceWorkMem,
      efSearch: atDefault.applied,
      p50Ms: hnsw.p50Ms,
      p99Ms: hnsw.p99Ms,
      recallAt10VsExact: recallAt10(hnsw, exact),
      nearQueries: {
        p50Ms: hnswNear.p50Ms,
        p99Ms: hnswNear.p99Ms,
        recallAt10VsExact: recallAt10(hnswNear, exactNear),
        paraphrasedMemoryFirst: paraphrasedFirst(hnswNear),
      },
      byEfSearch: sweep.map((s) => ({
        efSearch: s.applied,
        indexUsed: s.indexUsed,
        p50Ms: s.random.p50Ms,
        p99Ms: s.random.p99Ms,
        recallAt10VsExact: recallAt10(s.random, exact),
        nearQueriesRecallAt10VsExact: recallAt10(s.near, exactNear),
        paraphrasedMemoryFirst: paraphrasedFirst(s.near),
      })),
    },
  },
};
const json = JSON.stringify(report, null, 2);
console.log(json);
if (args.out) writeFileSync(args.out, `${json}\n`);
