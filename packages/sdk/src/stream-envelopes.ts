/** One frame of a streamed invocation, as the gateway sends it (NDJSON lines or SSE `data:`). */
export type StreamEnvelope =
  | { type: "chunk"; seq: number; data: unknown }
  | { type: "done"; invocationId?: string }
  | { type: "error"; error: { code: string; message: string; details?: unknown }; invocationId?: string };

/** Envelopes from an NDJSON body: one JSON document per line, blank lines ignored. */
export async function* readNdjsonEnvelopes(body: ReadableStream<Uint8Array>): AsyncIterable<StreamEnvelope> {
  for await (const line of readLines(body)) {
    if (line.trim() !== "") yield JSON.parse(line) as StreamEnvelope;
  }
}

/**
 * Envelopes from a Server-Sent Events body. Events end at a blank line; multi-line `data:` is
 * joined with "\n"; `event:` names the type when the data does not; comments (":") are skipped.
 */
export async function* readSseEnvelopes(body: ReadableStream<Uint8Array>): AsyncIterable<StreamEnvelope> {
  let event = "";
  let data: string[] = [];
  for await (const line of readLines(body, true)) {
    if (line === "") {
      if (data.length) {
        const parsed = JSON.parse(data.join("\n")) as Record<string, unknown>;
        yield (parsed.type ? parsed : { ...parsed, type: event || "chunk" }) as StreamEnvelope;
      }
      event = "";
      data = [];
      continue;
    }
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
}

/** Splits a byte stream into text lines (without terminators); the reader is released on exit. */
async function* readLines(body: ReadableStream<Uint8Array>, flushEmpty = false): AsyncIterable<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      buffered += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let newline = buffered.indexOf("\n");
      while (newline !== -1) {
        yield buffered.slice(0, newline).replace(/\r$/, "");
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf("\n");
      }
      if (done) break;
    }
    if (buffered !== "") yield buffered;
    // An SSE stream's last event may lack its closing blank line.
    if (flushEmpty) yield "";
  } finally {
    // Also runs when the consumer stops early: cancelling closes the HTTP response.
    await reader.cancel().catch(() => {});
  }
}
