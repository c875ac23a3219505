// Streaming functions through the gateway: chunks are forwarded as the worker produces them (NDJSON
// envelopes by default, Server-Sent Events on request), an error can follow chunks, and the
// finished invocation's recorded output is the array of its chunks. Once per store.
import { randomUUID } from "node:crypto";
import { fn, Registry } from "@agnt5/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Deferred,
  deferred,
  LineReader,
  parseSse,
  pollUntil,
  postJson,
  send,
  within,
} from "../test-support/http.js";
import { STORE_KINDS, startTestCoordinator, type TestCoordinator } from "../test-support/test-coordinator.js";
import { startTestWorker, type TestWorker } from "../test-support/test-worker.js";

const SERVICE = "streaming-service";
/** Long enough for any healthy forward of one chunk; a buffering gateway would hang forever instead. */
const CHUNK_DEADLINE_MS = 5_000;

function streamingService() {
  const registry = new Registry();
  const gates = new Map<string, Deferred>();
  const gate = (tag: string) => {
    let entry = gates.get(tag);
    if (!entry) {
      entry = deferred();
      gates.set(tag, entry);
    }
    return entry;
  };
  /** What each generator has yielded so far, per tag, and how often it was started. */
  const yielded = new Map<string, unknown[]>();
  const starts = new Map<string, number>();
  const track = (tag: string, chunk: unknown) => {
    yielded.set(tag, [...(yielded.get(tag) ?? []), chunk]);
    return chunk;
  };
  const started = (tag: string) => starts.set(tag, (starts.get(tag) ?? 0) + 1);

  // Yields one chunk, then waits for the test to open the gate before yielding the rest.
  fn({ name: "gated_ticks", registry }, async function* (input: { tag: string; count: number }) {
    started(input.tag);
    yield track(input.tag, { tick: 0 });
    await gate(input.tag).promise;
    for (let i = 1; i < input.count; i++) yield track(input.tag, { tick: i });
  });
  fn({ name: "words", registry }, async function* (input: { tag: string; text: string }) {
    started(input.tag);
    for (const word of input.text.split(" ")) yield track(input.tag, word);
  });
  fn({ name: "breaks_midway", registry, retry: { maxAttempts: 1 } }, async function* (input: { tag: string }) {
    started(input.tag);
    yield track(input.tag, "partial");
    throw new Error("stream broke after one chunk");
  });
  // Fails after its first chunk on attempt 1; attempt 2 produces the whole stream.
  fn(
    { name: "hiccup", registry, retry: { maxAttempts: 2, initialIntervalMs: 10 } },
    async function* (input: { tag: string }, ctx) {
      started(input.tag);
      yield track(input.tag, "a");
      if (ctx.attempt === 1) throw new Error("hiccup");
      yield track(input.tag, "b");
      yield track(input.tag, "c");
    },
  );
  return {
    registry,
    gate,
    yieldedBy: (tag: string) => yielded.get(tag) ?? [],
    startsOf: (tag: string) => starts.get(tag) ?? 0,
  };
}

interface Envelope {
  type: "chunk" | "done" | "error";
  seq?: number;
  data?: unknown;
  invocationId?: string;
  error?: { code: string; message: string; invocationId?: string; details?: unknown };
}

describe.each(STORE_KINDS)("gateway streaming (%s store)", (kind) => {
  const service = streamingService();
  let coordinator: TestCoordinator;
  let worker: TestWorker;
  const url = (path: string) => `${coordinator.url}${path}`;
  const stream = (handler: string, input: unknown, headers: Record<string, string> = {}) =>
    fetch(url(`/v1/services/${SERVICE}/${handler}`), {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(input),
    });
  const ndjson = async (response: Response): Promise<Envelope[]> =>
    (await response.text())
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as Envelope);

  beforeAll(async () => {
    coordinator = await startTestCoordinator(kind);
    worker = await startTestWorker({
      serviceName: SERVICE,
      endpoint: coordinator.endpoint,
      registry: service.registry,
    });
  });

  afterAll(async () => {
    await worker?.stop();
    await coordinator?.close();
  });

  it("forwards each chunk as an NDJSON envelope as soon as it is produced, then a done envelope", async () => {
    const tag = randomUUID();
    try {
      const response = await within(stream("gated_ticks", { tag, count: 3 }), CHUNK_DEADLINE_MS, "response headers");
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toContain("application/x-ndjson");
      const invocationId = response.headers.get("agnt5-invocation-id");
      expect(invocationId).toMatch(/^inv_/);
      const lines = new LineReader(response.body!);

      const first = await within(lines.next(), CHUNK_DEADLINE_MS, "chunk 0 while the generator waits at its gate");
      expect(JSON.parse(first!)).toEqual({ type: "chunk", seq: 0, data: { tick: 0 } });
      // Chunk 0 reached us while the generator had not yet yielded chunk 1: streamed, not buffered.
      expect(service.yieldedBy(tag)).toEqual([{ tick: 0 }]);

      service.gate(tag).resolve();
      const rest = (await lines.rest()).map((line) => JSON.parse(line) as Envelope);
      expect(rest).toEqual([
        { type: "chunk", seq: 1, data: { tick: 1 } },
        { type: "chunk", seq: 2, data: { tick: 2 } },
        { type: "done", invocationId },
      ]);
    } finally {
      service.gate(tag).resolve();
    }
  });

  it("sends Server-Sent Events (event: chunk / event: done) to a caller that accepts text/event-stream", async () => {
    const tag = randomUUID();
    const response = await stream("words", { tag, text: "one two three" }, { accept: "text/event-stream" });

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const invocationId = response.headers.get("agnt5-invocation-id");
    const events = parseSse(await response.text());
    expect(events.map((event) => event.event)).toEqual(["chunk", "chunk", "chunk", "done"]);
    expect(events.map((event) => JSON.parse(event.data))).toEqual([
      { type: "chunk", seq: 0, data: "one" },
      { type: "chunk", seq: 1, data: "two" },
      { type: "chunk", seq: 2, data: "three" },
      { type: "done", invocationId },
    ]);
  });

  it("SSE frames arrive as they are produced too", async () => {
    const tag = randomUUID();
    try {
      const response = await within(
        stream("gated_ticks", { tag, count: 2 }, { accept: "text/event-stream" }),
        CHUNK_DEADLINE_MS,
        "response headers",
      );
      const lines = new LineReader(response.body!);
      const frame = [await lines.next(), await lines.next(), await lines.next()];
      expect(frame[0]).toBe("event: chunk");
      expect(JSON.parse(frame[1]!.replace(/^data: /, ""))).toEqual({ type: "chunk", seq: 0, data: { tick: 0 } });
      expect(frame[2]).toBe("");
      expect(service.yieldedBy(tag)).toEqual([{ tick: 0 }]);

      service.gate(tag).resolve();
      const events = parseSse((await lines.rest()).join("\n"));
      expect(events.map((event) => event.event)).toEqual(["chunk", "done"]);
    } finally {
      service.gate(tag).resolve();
    }
  });

  it("a generator that throws after one chunk ends the stream with an error envelope", async () => {
    const tag = randomUUID();
    const response = await stream("breaks_midway", { tag });

    expect(response.status).toBe(200);
    const invocationId = response.headers.get("agnt5-invocation-id");
    const envelopes = await ndjson(response);
    expect(envelopes).toEqual([
      { type: "chunk", seq: 0, data: "partial" },
      {
        type: "error",
        error: {
          code: "HANDLER_ERROR",
          message: expect.stringContaining("stream broke after one chunk"),
          invocationId,
        },
      },
    ]);
    expect(JSON.stringify(envelopes)).not.toContain("stack");
    expect(service.startsOf(tag)).toBe(1);

    const record = await send(url(`/v1/invocations/${invocationId}`));
    expect(record.body).toMatchObject({ status: "failed", error: { code: "HANDLER_ERROR" } });
  });

  it("an SSE stream that fails ends with an error event", async () => {
    const tag = randomUUID();
    const response = await stream("breaks_midway", { tag }, { accept: "text/event-stream" });

    const events = parseSse(await response.text());
    expect(events.map((event) => event.event)).toEqual(["chunk", "error"]);
    expect(JSON.parse(events[1]!.data)).toMatchObject({
      type: "error",
      error: { code: "HANDLER_ERROR", message: expect.stringContaining("stream broke") },
    });
  });

  it("a retried stream does not repeat the chunks the caller already has", async () => {
    const tag = randomUUID();
    const response = await stream("hiccup", { tag });

    const envelopes = await ndjson(response);
    expect(envelopes).toEqual([
      { type: "chunk", seq: 0, data: "a" },
      { type: "chunk", seq: 1, data: "b" },
      { type: "chunk", seq: 2, data: "c" },
      { type: "done", invocationId: response.headers.get("agnt5-invocation-id") },
    ]);
    expect(service.startsOf(tag)).toBe(2);
    const record = await send(url(`/v1/invocations/${response.headers.get("agnt5-invocation-id")}`));
    expect(record.body).toMatchObject({ status: "completed", attempt: 2, output: ["a", "b", "c"] });
  });

  it("GET /v1/invocations/:id of a finished stream has the array of its chunks as output", async () => {
    const tag = randomUUID();
    const response = await stream("words", { tag, text: "to be recorded" });
    const envelopes = await ndjson(response);
    expect(envelopes.at(-1)?.type).toBe("done");

    const record = await send(url(`/v1/invocations/${response.headers.get("agnt5-invocation-id")}`));
    expect(record.status).toBe(200);
    expect(record.body).toMatchObject({
      serviceName: SERVICE,
      handlerName: "words",
      status: "completed",
      output: ["to", "be", "recorded"],
    });
  });

  it("a stream the caller abandons keeps running and is recorded in full", async () => {
    const tag = randomUUID();
    try {
      const response = await stream("gated_ticks", { tag, count: 3 });
      const invocationId = response.headers.get("agnt5-invocation-id");
      const lines = new LineReader(response.body!);
      expect(JSON.parse((await within(lines.next(), CHUNK_DEADLINE_MS, "chunk 0"))!)).toMatchObject({ seq: 0 });
      // Closes the response: the caller is gone.
      await lines.cancel();

      service.gate(tag).resolve();
      const record = await pollUntil(
        () => send(url(`/v1/invocations/${invocationId}`)),
        (r) => r.body?.status === "completed",
        { what: "the abandoned stream to complete" },
      );
      expect(record.body.output).toEqual([{ tick: 0 }, { tick: 1 }, { tick: 2 }]);
    } finally {
      service.gate(tag).resolve();
    }
  });

  it("?mode=async on a streaming function answers 202; its chunks are recorded as the output", async () => {
    const tag = randomUUID();
    const accepted = await postJson(url(`/v1/services/${SERVICE}/words?mode=async`), { tag, text: "later on" });

    expect(accepted.status).toBe(202);
    const record = await pollUntil(
      () => send(url(`/v1/invocations/${accepted.body.invocationId}`)),
      (r) => r.body?.status === "completed",
      { what: "the async stream to complete" },
    );
    expect(record.body.output).toEqual(["later", "on"]);
  });

  it("the /call route answers a streaming function with the array of its chunks", async () => {
    const tag = randomUUID();
    const inputData = Buffer.from(JSON.stringify({ tag, text: "all at once" })).toString("base64");
    const response = await postJson(url("/call"), { serviceName: SERVICE, handlerName: "words", inputData });

    expect(response.status).toBe(200);
    expect(response.body.output).toEqual(["all", "at", "once"]);
    expect(Buffer.from(response.body.outputData, "base64").toString()).toBe('["all","at","once"]');
  });

  it("a caller repeating the Idempotency-Key of a running stream joins it: earlier chunks replayed, later ones live", async () => {
    const tag = randomUUID();
    const headers = { "idempotency-key": `ticks-${tag}` };
    try {
      const first = await stream("gated_ticks", { tag, count: 3 }, headers);
      const firstLines = new LineReader(first.body!);
      expect(JSON.parse((await within(firstLines.next(), CHUNK_DEADLINE_MS, "chunk 0 (first caller)"))!)).toMatchObject(
        {
          seq: 0,
        },
      );

      const second = await stream("gated_ticks", { tag, count: 3 }, headers);
      expect(second.headers.get("agnt5-invocation-id")).toBe(first.headers.get("agnt5-invocation-id"));
      const secondLines = new LineReader(second.body!);
      const replayed = await within(secondLines.next(), CHUNK_DEADLINE_MS, "chunk 0 replayed to the second caller");
      expect(JSON.parse(replayed!)).toEqual({ type: "chunk", seq: 0, data: { tick: 0 } });

      service.gate(tag).resolve();
      const expected = [
        { type: "chunk", seq: 1, data: { tick: 1 } },
        { type: "chunk", seq: 2, data: { tick: 2 } },
        { type: "done", invocationId: first.headers.get("agnt5-invocation-id") },
      ];
      expect((await firstLines.rest()).map((line) => JSON.parse(line))).toEqual(expected);
      expect((await secondLines.rest()).map((line) => JSON.parse(line))).toEqual(expected);
      expect(service.startsOf(tag)).toBe(1);
    } finally {
      service.gate(tag).resolve();
    }
  });

  it("a repeated Idempotency-Key on a finished stream replays its chunks without running it again", async () => {
    const tag = randomUUID();
    const headers = { "idempotency-key": `words-${tag}` };
    const first = await stream("words", { tag, text: "say it once" }, headers);
    const firstEnvelopes = await ndjson(first);
    const second = await stream("words", { tag, text: "say it once" }, headers);
    const secondEnvelopes = await ndjson(second);

    expect(second.headers.get("agnt5-invocation-id")).toBe(first.headers.get("agnt5-invocation-id"));
    expect(secondEnvelopes).toEqual(firstEnvelopes);
    expect(secondEnvelopes.filter((e) => e.type === "chunk").map((e) => e.data)).toEqual(["say", "it", "once"]);
    expect(service.startsOf(tag)).toBe(1);
  });
});
