// The PGlite worker thread: owns the PGlite instance so its WASM (planning, executing, writing
// WAL) runs off the coordinator's event loop. Plain JavaScript because Node 20 cannot load a
// TypeScript file into a Worker; the build copies it next to the compiled proxy.
//
// Protocol (pglite-proxy.ts is the other side):
//   in:  an array of { id, op: "query" | "exec", sql, params } or { id, op: "close" }
//   out: an array of { id, rows } | { id, error: { message, code, detail, ... } }
// Messages run strictly in arrival order, one at a time: the proxy relies on that order to keep
// a transaction's BEGIN ... COMMIT free of statements from outside it.
import { parentPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";

// Must stay identical to `customParsers` in ../database.ts (the proxy's tests compare the types
// both threads return): pg's own text parsers, so PGlite and PostgreSQL hand back the same values.
const OID = { INT8: 20, NUMERIC: 1700, DATE: 1082, TIMESTAMP: 1114, TIMESTAMPTZ: 1184 };
const textParser = (oid) => pg.types.getTypeParser(oid, "text");
const parsers = {
  [OID.INT8]: (text) => {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text);
  },
  [OID.NUMERIC]: Number,
  [OID.DATE]: textParser(OID.DATE),
  [OID.TIMESTAMP]: textParser(OID.TIMESTAMP),
  [OID.TIMESTAMPTZ]: textParser(OID.TIMESTAMPTZ),
};

// A thrown value does not cross postMessage with its own fields (structured clone keeps an
// Error's message and stack only): PostgreSQL's code, detail, constraint... are copied by hand.
function errorFields(err) {
  if (!(err instanceof Error)) return { message: String(err) };
  const fields = { message: err.message, name: err.name };
  for (const [key, value] of Object.entries(err)) {
    if (value === undefined || value === null) continue;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") fields[key] = value;
  }
  return fields;
}

const db = await PGlite.create({ dataDir: workerData.dataDir, parsers });
const queue = [];
let running = false;

async function run(message) {
  switch (message.op) {
    case "query":
      return { id: message.id, rows: (await db.query(message.sql, message.params)).rows };
    case "exec":
      await db.exec(message.sql);
      return { id: message.id, rows: [] };
    case "close":
      // Everything queued before the close has run (the queue is in order); closing flushes the WAL.
      if (!db.closed) await db.close();
      return { id: message.id, rows: [] };
    default:
      throw new Error(`unknown PGlite worker op ${String(message.op)}`);
  }
}

async function drain() {
  running = true;
  while (queue.length > 0) {
    const message = queue.shift();
    let reply;
    try {
      reply = await run(message);
    } catch (err) {
      reply = { id: message.id, error: errorFields(err) };
    }
    // Each reply goes at once: a caller waiting for its one statement must not wait for the
    // statements queued behind it.
    parentPort.postMessage([reply]);
    if (message.op === "close") {
      parentPort.close();
      return;
    }
  }
  running = false;
}

parentPort.on("message", (batch) => {
  for (const message of batch) queue.push(message);
  if (!running) void drain();
});
parentPort.postMessage([{ id: 0, ready: true }]);
