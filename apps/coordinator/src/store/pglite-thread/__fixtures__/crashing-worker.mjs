// A stand-in for pglite-worker.mjs that says ready, then dies on the first batch it receives
// (an uncaught error ends the thread), as a WASM abort or an out-of-memory would.
import { parentPort } from "node:worker_threads";

parentPort.on("message", () => {
  throw new Error("simulated crash of the PGlite thread");
});
parentPort.postMessage([{ id: 0, ready: true }]);
