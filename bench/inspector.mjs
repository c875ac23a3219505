// A process's JavaScript heap, read over the DevTools protocol of a process started with
// --inspect=127.0.0.1:<port>: a full collection then process.memoryUsage(), and optionally a heap
// snapshot summarised by constructor (object count and self size). The bench uses it on the
// coordinator, which has no endpoint of its own for this.
import { WebSocket } from "undici";

export async function connectInspector(port) {
  let targets;
  for (let i = 0; i < 100 && !targets; i++) {
    try {
      targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (!targets?.[0]) throw new Error(`no inspector on port ${port}`);
  const socket = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  let next = 1;
  const pending = new Map();
  const listeners = new Map();
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.id !== undefined) {
      const { resolve, reject } = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) reject(new Error(`${message.error.message} (${message.error.code})`));
      else resolve(message.result);
    } else listeners.get(message.method)?.(message.params);
  };
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params }));
    });

  return {
    /** process.memoryUsage() after a full collection. */
    async memoryAfterGc() {
      await send("HeapProfiler.collectGarbage");
      const { result } = await send("Runtime.evaluate", {
        expression: "JSON.stringify(process.memoryUsage())",
        returnByValue: true,
      });
      return JSON.parse(result.value);
    },
    /** A heap snapshot summarised: { [constructor]: { count, selfBytes } } for the `top` largest. */
    async heapSummary(top = 25) {
      const chunks = [];
      listeners.set("HeapProfiler.addHeapSnapshotChunk", ({ chunk }) => chunks.push(chunk));
      await send("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
      listeners.delete("HeapProfiler.addHeapSnapshotChunk");
      return summarize(JSON.parse(chunks.join("")), top);
    },
    close: () => socket.close(),
  };
}

function summarize(snapshot, top) {
  const { node_fields: fields, node_types: types } = snapshot.snapshot.meta;
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ["type", "name", "self_size"].map((f) => fields.indexOf(f));
  const typeNames = types[0];
  const byName = new Map();
  const nodes = snapshot.nodes;
  for (let i = 0; i < nodes.length; i += width) {
    const type = typeNames[nodes[i + typeAt]];
    // Objects by constructor; strings, closures, arrays and code as their own groups.
    const name = type === "object" ? snapshot.strings[nodes[i + nameAt]] : `(${type})`;
    const entry = byName.get(name) ?? { count: 0, selfBytes: 0 };
    entry.count++;
    entry.selfBytes += nodes[i + sizeAt];
    byName.set(name, entry);
  }
  return Object.fromEntries([...byName].sort((a, b) => b[1].selfBytes - a[1].selfBytes).slice(0, top));
}
