#!/usr/bin/env node
// Memory benchmark: VectorMemoryService on PGlite with pgvector, in process (no coordinator).
// - ingestion: memories/s through Memory.store (one at a time) and through the service's batched upsert;
// - search over N memories: p50/p99 of Memory.search (limit 10) with an exact scan, then with the HNSW
//   index (its build time too), and recall@10 of the HNSW results against the exact ones.
// Embeddings come from a deterministic model (seeded Gaussian vectors, no network), so the figures
// measure storage and search, not an embedding provider.
// Prints one JSON document (and writes it to --out when given).
// Usage: node bench/memory.mjs [--n=10000] [--dims=384] [--queries=200] [--out=bench/results/memory-pglite-10000.json]
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { Memory } from "@agnt5/adk";
import { VectorMemoryService } from "@agnt5/memory-store";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const n = Number(args.n ?? 10_000);
const dims = Number(args.dims ?? 384);
const queryCount = Number(args.queries ?? 200);
const efSearch = Number(args["ef-search"] ?? 100);
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
    return normalize(gaussian(content(Number(i))).map((x, d) => x + noise[d]));
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
  hnsw: { efSearch },
});
const memory = new Memory({ service });
await service.start();

const content = (i) => `memory ${i}: fact number ${i} about topic ${i % 97}`;
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
await service.createIndex();
const indexSeconds = (performance.now() - start) / 1000;
progress(`HNSW index built in ${round(indexSeconds)} s`);
const hnsw = await searchLatencies(memory, queries);
const hnswNear = await searchLatencies(memory, nearQueries);

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
      efSearch,
      p50Ms: hnsw.p50Ms,
      p99Ms: hnsw.p99Ms,
      // Random queries in 384 dimensions are HNSW's worst case (no neighbour is much nearer than another).
      recallAt10VsExactRandomQueries: recallAt10(hnsw, exact),
      nearQueries: {
        p50Ms: hnswNear.p50Ms,
        p99Ms: hnswNear.p99Ms,
        recallAt10VsExact: recallAt10(hnswNear, exactNear),
        paraphrasedMemoryFirst: paraphrasedFirst(hnswNear),
      },
    },
  },
};
const json = JSON.stringify(report, null, 2);
console.log(json);
if (args.out) writeFileSync(args.out, `${json}\n`);
