// Property-based fuzzing of the gateway's edge over real HTTP, against an in-process coordinator
// on a real store with a real SDK worker (a function, a workflow, an entity). Whatever a client
// sends (odd paths, percent-encodings valid or not, control characters, methods, headers, query
// values, bodies), the gateway answers it: never a 5xx, always our error shape with a code from
// the table in src/errors.ts, nothing logged as our error, and it still serves a valid call after.
//
// Seeded and bounded: AGNT5_FUZZ_SEED replays a failure (fast-check prints the seed and path),
// AGNT5_FUZZ_RUNS raises the number of requests for a longer local session.
import { entity, fn, Registry, workflow } from "@agnt5/sdk";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { gatewayErrorCodes, httpStatusFor } from "../errors.js";
import { capturingLogger, type RawRequest, type RawResponse, rawRequest } from "../test-support/fuzz-http.js";
import { postJson, send } from "../test-support/http.js";
import { startTestCoordinator, type TestCoordinator } from "../test-support/test-coordinator.js";
import { startTestWorker, type TestWorker } from "../test-support/test-worker.js";

const SEED = Number(process.env.AGNT5_FUZZ_SEED ?? 20_261_202);
const RUNS = Number(process.env.AGNT5_FUZZ_RUNS ?? 1_000);
const VALID_CALL_RUNS = Math.ceil(RUNS / 3);
/** A bound on each property's time on a loaded machine: fewer runs, never a failure. */
const TIME_LIMIT_MS = 10_000;
const SERVICE = "fuzz-service";
const MAX_BODY_BYTES = 64 * 1024;
const KNOWN_CODES = new Set(gatewayErrorCodes().map((entry) => entry.code));

function fuzzService(): Registry {
  const registry = new Registry();
  fn({ name: "echo", registry }, (input: unknown) => input ?? null);
  fn({ name: "add", registry, input: z.object({ a: z.number(), b: z.number() }) }, ({ a, b }) => a + b);
  workflow({ name: "flow", registry }, async (_ctx, input: unknown) => ({ received: input ?? null }));
  entity(
    "Counter",
    {
      add: entity.write(async (ctx, input: unknown) => {
        const count = (await ctx.get<number>("count", 0)) + 1;
        ctx.set("count", count);
        ctx.set("last", input ?? null);
        return { count };
      }),
      get: entity.shared(async (ctx) => ctx.get<number>("count", 0)),
    },
    { registry },
  );
  return registry;
}

// --- generators ------------------------------------------------------------------------------

const hex = (byte: number) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;

/** UTF-8 of a code unit taken as a code point: for a lone surrogate that is WTF-8 (%ED%A0%80), which is not UTF-8. */
function encodeCodeUnits(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += encodeURIComponent(text.slice(i, i + 2));
      i++;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      out += hex(0xe0 | (unit >> 12)) + hex(0x80 | ((unit >> 6) & 0x3f)) + hex(0x80 | (unit & 0x3f));
    } else {
      out += encodeURIComponent(text[i]!);
    }
  }
  return out;
}

/** One piece of a path segment, already percent-encoded (no raw "/", "?", "#" or "%"). */
const segmentPiece = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: "grapheme", maxLength: 12 }).map(encodeURIComponent) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 8 }).map(encodeCodeUnits) },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9_.:~!$&'()*+,;=@-]{1,16}$/) },
  // Control characters, NUL first of all: C0, DEL, C1 (U+0080-U+009F, two UTF-8 bytes).
  {
    weight: 2,
    arbitrary: fc
      .oneof(fc.integer({ min: 0, max: 0x1f }), fc.constant(0x7f), fc.integer({ min: 0x80, max: 0x9f }))
      .map((code) => encodeURIComponent(String.fromCharCode(code))),
  },
  // Malformed: not hex, truncated, not UTF-8 (a lone continuation byte, an overlong form, a surrogate).
  { weight: 2, arbitrary: fc.constantFrom("%zz", "%", "%f", "%ff", "%80", "%C0%AF", "%ED%A0%80", "%E2%82", "%%41") },
  // Very long (the router's parameter bound, the store's key bound).
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom("a", "%C3%A9", "%F0%9F%98%80", "%00"), fc.integer({ min: 100, max: 6_000 }))
      .map(([unit, times]) => unit.repeat(times)),
  },
);
const fuzzSegment = fc.array(segmentPiece, { minLength: 0, maxLength: 4 }).map((pieces) => pieces.join(""));

type Slot = "service" | "handler" | "id" | "name" | "runId" | "signal" | "type" | "key" | "method";
const VALID: Record<Slot, fc.Arbitrary<string>> = {
  service: fc.constant(SERVICE),
  handler: fc.constantFrom("echo", "add", "flow", "Counter", "missing"),
  id: fc.constantFrom("inv_00000000-0000-7000-8000-000000000000", "run-fuzz-1"),
  name: fc.constantFrom("flow", "echo"),
  runId: fc.constantFrom("run-fuzz-1", "run-fuzz-2"),
  signal: fc.constantFrom("go", "approval"),
  type: fc.constantFrom("Counter", "Unknown"),
  key: fc.constantFrom(
    "k1",
    encodeURIComponent("ada@example.com"),
    encodeURIComponent("https://x.test/a?b=c"),
    "%E2%9C%93",
  ),
  method: fc.constantFrom("add", "get", "nope"),
};
const slot = (name: Slot) => fc.oneof({ weight: 3, arbitrary: VALID[name] }, { weight: 2, arbitrary: fuzzSegment });

/** Every route, its params filled with valid or fuzzed segments, plus paths that match nothing. */
const fuzzPath: fc.Arbitrary<{ method: string; path: string }> = fc.oneof(
  fc.tuple(slot("service"), slot("handler")).map(([s, h]) => ({ method: "POST", path: `/v1/services/${s}/${h}` })),
  fc.constant({ method: "POST", path: "/call" }),
  slot("id").map((id) => ({ method: "GET", path: `/v1/invocations/${id}` })),
  fc.constantFrom({ method: "GET", path: "/v1/services" }, { method: "GET", path: "/health" }),
  slot("name").map((name) => ({ method: "POST", path: `/v1/workflows/${name}/runs` })),
  fc
    .tuple(slot("runId"), fc.constantFrom("", "/result", "/journal"))
    .map(([runId, tail]) => ({ method: "GET", path: `/v1/runs/${runId}${tail}` })),
  fc
    .tuple(slot("runId"), fc.constantFrom("signals", "approvals"), slot("signal"))
    .map(([runId, kind, name]) => ({ method: "POST", path: `/v1/runs/${runId}/${kind}/${name}` })),
  slot("runId").map((runId) => ({ method: "POST", path: `/v1/runs/${runId}/cancel` })),
  fc
    .tuple(slot("type"), slot("key"), slot("method"))
    .map(([type, key, method]) => ({ method: "POST", path: `/v1/entities/${type}/${key}/${method}` })),
  fc.tuple(slot("type"), slot("key")).map(([type, key]) => ({ method: "GET", path: `/v1/entities/${type}/${key}` })),
  fc
    .array(fuzzSegment, { minLength: 0, maxLength: 5 })
    .map((segments) => ({ method: "GET", path: `/${segments.join("/")}` })),
);

/** Mostly the route's own method, sometimes another one (fetch and node:http refuse CONNECT; TRACE has no body). */
const fuzzMethod = (own: string) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant(own) },
    { weight: 1, arbitrary: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "PROPFIND") },
  );

const ODD_NUMBERS = ["-1", "1.5", "1e3", "NaN", "Infinity", "0x10", "99999999999999999999", "", " ", "abc"];
const fuzzQuery = fc
  .record(
    {
      mode: fc.oneof(fc.constantFrom("sync", "async", "ASYNC", "", "stream"), fc.string({ maxLength: 8 })),
      // Never a small valid timeout: that would be a legitimate 504, which this suite asserts never happens.
      timeoutMs: fc.oneof(fc.constantFrom(...ODD_NUMBERS), fc.constant("20000"), fc.string({ maxLength: 8 })),
    },
    { requiredKeys: [] },
  )
  .map((query) => {
    const pairs = Object.entries(query).map(([name, value]) => `${name}=${encodeURIComponent(value)}`);
    return pairs.length ? `?${pairs.join("&")}` : "";
  });

const fuzzHeaders = fc.record(
  {
    "content-type": fc.constantFrom(
      "application/json",
      "application/json; charset=utf-8",
      "text/plain",
      "application/octet-stream",
      "multipart/form-data; boundary=x",
      "a/b;;;=",
      ";",
      "application/json; charset=latin1",
    ),
    "idempotency-key": fc.oneof(
      fc.stringMatching(/^[\x21-\x7e]{1,40}$/),
      // UTF-8 bytes sent as they are (node:http takes header values as latin1).
      fc.constantFrom(" ", "x".repeat(5_000), Buffer.from("ключ").toString("latin1"), "\u00ff\u00fe"),
    ),
    "agnt5-timeout-ms": fc.constantFrom(...ODD_NUMBERS),
    accept: fc.constantFrom("text/event-stream", "application/x-ndjson", "*/*"),
    "x-agnt5-roles": fc.constantFrom("admin", "", ",,,", "a, b"),
  },
  { requiredKeys: [] },
);

/** Bodies: random bytes, JSON of every shape, deep nesting, huge numbers, U+0000 and lone surrogates in strings. */
const fuzzBody: fc.Arbitrary<Uint8Array | string | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.uint8Array({ maxLength: 256 }),
  fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
  fc.record({ a: fc.jsonValue({ maxDepth: 1 }), b: fc.jsonValue({ maxDepth: 1 }) }).map((v) => JSON.stringify(v)),
  fc
    .record(
      { input: fc.jsonValue({ maxDepth: 2 }), runId: fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.string()) },
      {
        requiredKeys: [],
      },
    )
    .map((v) => JSON.stringify(v)),
  fc
    .record({
      serviceName: fc.oneof(fc.constant(SERVICE), fc.string()),
      handlerName: fc.constantFrom("echo", "add", "flow", "nope", ""),
      inputData: fc.oneof(fc.base64String(), fc.string(), fc.jsonValue({ maxDepth: 1 })),
    })
    .map((v) => JSON.stringify(v)),
  fc
    .record({
      decision: fc.constantFrom("approved", "rejected", "maybe"),
      by: fc.oneof(fc.string(), fc.integer()),
      roles: fc.jsonValue({ maxDepth: 1 }),
    })
    .map((v) => JSON.stringify(v)),
  fc
    .tuple(fc.constantFrom("[", '{"a":'), fc.integer({ min: 1, max: 20_000 }))
    .map(([open, depth]) => `${open.repeat(depth)}1${(open === "[" ? "]" : "}").repeat(depth)}`),
  fc.constantFrom("1e999", "-1e999", "123456789012345678901234567890", "1e-400", '{"a":1e309}', "-0"),
  fc.string().map((text) => JSON.stringify({ a: `${text}\u0000` })),
  fc.string().map((text) => JSON.stringify(`${text}\u0000`)),
  fc.constantFrom('"\\ud800"', '{"\\udfff":1}', '["\\u0000"]', '{"\\u0000":1}', '"\\\\u0000"'),
  fc.constantFrom("", " ", "{", "nul", "\u0000", "\ufeff{}", "{}".repeat(100)),
  fc.integer({ min: MAX_BODY_BYTES - 10, max: MAX_BODY_BYTES * 3 }).map((size) => "1".repeat(size)),
);

/** Sometimes a content-length short of the body: the rest reaches the gateway as a malformed next request. */
const shortBy = fc.option(fc.integer({ min: 1, max: 64 }), { freq: 5 });

const fuzzRequest: fc.Arbitrary<RawRequest> = fc
  .tuple(fuzzPath, fuzzQuery, fuzzHeaders, fuzzBody, shortBy)
  .chain(([route, query, headers, body, short]) =>
    fuzzMethod(route.method).map((method) => ({
      method,
      path: route.path + query,
      headers:
        short === null || body === undefined
          ? headers
          : { ...headers, "content-length": String(Math.max(0, Buffer.byteLength(body) - short)) },
      ...(body === undefined ? {} : { body }),
    })),
  );

/**
 * Well-formed calls of the registered handlers, with hostile bodies, headers and query values:
 * these reach the worker (the random paths above mostly stop at the edge).
 */
const validCall: fc.Arbitrary<RawRequest> = fc
  .tuple(
    fc.constantFrom(
      `/v1/services/${SERVICE}/echo`,
      `/v1/services/${SERVICE}/add`,
      `/v1/services/${SERVICE}/flow`,
      "/v1/entities/Counter/k1/add",
      "/v1/entities/Counter/k2/get",
      "/v1/workflows/flow/runs",
      "/v1/runs/run-fuzz-1/signals/go",
      "/v1/runs/run-fuzz-1/approvals/ok",
      "/call",
    ),
    // Mostly plain, so that the hostile body is what the gateway and the worker deal with.
    fc.oneof({ weight: 3, arbitrary: fc.constant("") }, { weight: 1, arbitrary: fuzzQuery }),
    fc.oneof(
      { weight: 3, arbitrary: fc.constant({ "content-type": "application/json" }) },
      { weight: 1, arbitrary: fuzzHeaders },
    ),
    fuzzBody,
  )
  .map(([path, query, headers, body]) => ({
    method: "POST",
    path: path + query,
    headers,
    ...(body === undefined ? {} : { body }),
  }));

// --- properties ------------------------------------------------------------------------------

/** What every answer to a fuzzed request must be; returns a failure description, or undefined. */
function answerProblem(request: RawRequest, response: RawResponse): string | undefined {
  if (response.status >= 500) return `answered ${response.status}: ${response.text.slice(0, 500)}`;
  if (response.status < 300 || request.method === "HEAD") return undefined;
  let body: { error?: { code?: unknown; message?: unknown } };
  try {
    body = JSON.parse(response.text) as typeof body;
  } catch {
    return `answered ${response.status} with a body that is not JSON: ${response.text.slice(0, 500)}`;
  }
  const code = body.error?.code;
  if (typeof code !== "string" || !KNOWN_CODES.has(code)) {
    return `answered ${response.status} with error code ${JSON.stringify(code)}, not in the code table: ${response.text.slice(0, 500)}`;
  }
  if (httpStatusFor(code) !== response.status) {
    return `answered ${response.status} with code ${code}, whose status in the table is ${httpStatusFor(code)}`;
  }
  if (typeof body.error?.message !== "string" || body.error.message === "") {
    return `answered ${response.status} ${code} without a message`;
  }
  return undefined;
}

const describeRequest = (request: RawRequest) =>
  `${request.method} ${request.path.length > 300 ? `${request.path.slice(0, 300)}...` : request.path} ` +
  `headers=${JSON.stringify(request.headers)} body=${
    request.body === undefined
      ? "none"
      : typeof request.body === "string"
        ? JSON.stringify(request.body.slice(0, 200))
        : `${request.body.byteLength} bytes`
  }`;

// PostgreSQL only: the edge is the same whatever the store, and a PGlite coordinator takes ~10 s
// to start on a loaded machine (the other gateway suites run on both stores).
describe("gateway fuzzing (postgres)", () => {
  let coordinator: TestCoordinator;
  let worker: TestWorker;
  const captured = capturingLogger();

  beforeAll(async () => {
    coordinator = await startTestCoordinator("postgres", { maxBodyBytes: MAX_BODY_BYTES }, captured.logger);
    worker = await startTestWorker({ serviceName: SERVICE, endpoint: coordinator.endpoint, registry: fuzzService() });
  });

  afterAll(async () => {
    await worker?.stop();
    await coordinator?.close();
  });

  it("answers every fuzzed request without a 5xx, in our error shape, with a code from the table", async () => {
    await fc.assert(
      fc.asyncProperty(fuzzRequest, async (request) => {
        const response = await rawRequest(coordinator.url, request);
        const problem = answerProblem(request, response);
        if (problem) throw new Error(`${describeRequest(request)} ${problem}`);
      }),
      { seed: SEED, numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false },
    );
  });

  it("answers well-formed calls with hostile bodies, headers and query values the same way", async () => {
    await fc.assert(
      fc.asyncProperty(validCall, async (request) => {
        const response = await rawRequest(coordinator.url, request);
        const problem = answerProblem(request, response);
        if (problem) throw new Error(`${describeRequest(request)} ${problem}`);
      }),
      { seed: SEED, numRuns: VALID_CALL_RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false },
    );
  });

  it("still serves valid calls afterwards, and logged no client mistake as an error", async () => {
    const echo = await postJson(`${coordinator.url}/v1/services/${SERVICE}/echo`, { still: "up" });
    expect(echo.status).toBe(200);
    expect(echo.body).toEqual({ still: "up" });

    const key = encodeURIComponent("after-fuzz@example.com");
    const first = await postJson(`${coordinator.url}/v1/entities/Counter/${key}/add`, { n: 1 });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ count: 1 });
    const state = await send(`${coordinator.url}/v1/entities/Counter/${key}`);
    expect(state.body).toMatchObject({ key: "after-fuzz@example.com", state: { count: 1, last: { n: 1 } } });

    const run = await postJson(`${coordinator.url}/v1/workflows/flow/runs`, { input: 7, runId: "after-fuzz-run" });
    expect(run.status).toBe(202);
    const result = await send(`${coordinator.url}/v1/runs/after-fuzz-run/result`);
    expect(result.body).toMatchObject({ status: "completed", output: { received: 7 } });

    expect(captured.errors.map((entry) => entry.msg)).toEqual([]);
  });
});
