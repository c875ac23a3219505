// The gateway's edge, case by case (gateway-fuzz.test.ts explores the same ground at random):
// every path parameter is checked before the store sees it, U+0000 in a JSON body is refused,
// malformed URLs and HTTP get our error shape, and an unknown entity type is a 404. In-process
// coordinator and SDK worker over real gRPC and HTTP, once per store.
import { entity, fn, Registry, workflow } from "@agnt5/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { capturingLogger, rawRequest, rawSocketExchange } from "../test-support/fuzz-http.js";
import { base64, postJson, postText, send } from "../test-support/http.js";
import { STORE_KINDS, startTestCoordinator, type TestCoordinator } from "../test-support/test-coordinator.js";
import { startTestWorker, type TestWorker } from "../test-support/test-worker.js";

const SERVICE = "edge-service";

function edgeService(): Registry {
  const registry = new Registry();
  fn({ name: "echo", registry }, (input: unknown) => input ?? null);
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
    },
    { registry },
  );
  return registry;
}

/** Every route with a path parameter: the route with each parameter valid, and a way to put a bad value in one. */
const ROUTES: Array<{ method: string; path: Record<string, string>; template: string }> = [
  { method: "POST", template: "/v1/services/:service/:handler", path: { service: SERVICE, handler: "echo" } },
  { method: "GET", template: "/v1/invocations/:id", path: { id: "inv_x" } },
  { method: "POST", template: "/v1/workflows/:name/runs", path: { name: "flow" } },
  { method: "GET", template: "/v1/runs/:runId", path: { runId: "run-1" } },
  { method: "GET", template: "/v1/runs/:runId/result", path: { runId: "run-1" } },
  { method: "GET", template: "/v1/runs/:runId/journal", path: { runId: "run-1" } },
  { method: "POST", template: "/v1/runs/:runId/signals/:name", path: { runId: "run-1", name: "go" } },
  { method: "POST", template: "/v1/runs/:runId/approvals/:name", path: { runId: "run-1", name: "ok" } },
  { method: "POST", template: "/v1/runs/:runId/cancel", path: { runId: "run-1" } },
  { method: "POST", template: "/v1/entities/:type/:key/:method", path: { type: "Counter", key: "k", method: "add" } },
  { method: "GET", template: "/v1/entities/:type/:key", path: { type: "Counter", key: "k" } },
];

const fill = (template: string, values: Record<string, string>) =>
  template.replace(/:([A-Za-z]+)/g, (_, name: string) => values[name]!);

/** Every (route, parameter) pair. */
const PARAMS = ROUTES.flatMap((route) => Object.keys(route.path).map((param) => ({ ...route, param })));

describe.each(STORE_KINDS)("gateway edge (%s)", (kind) => {
  let coordinator: TestCoordinator;
  let worker: TestWorker;
  const captured = capturingLogger();

  beforeAll(async () => {
    coordinator = await startTestCoordinator(kind, {}, captured.logger);
    worker = await startTestWorker({ serviceName: SERVICE, endpoint: coordinator.endpoint, registry: edgeService() });
  });

  afterAll(async () => {
    await worker?.stop();
    await coordinator?.close();
  });

  const call = (method: string, path: string, body?: string) =>
    rawRequest(coordinator.url, {
      method,
      path,
      ...(body === undefined ? {} : { body, headers: { "content-type": "application/json" } }),
    });

  describe("path parameters", () => {
    it.each(PARAMS)("$method $template refuses U+0000 in :$param with 400 INVALID_ID naming it", async (route) => {
      const response = await call(route.method, fill(route.template, { ...route.path, [route.param]: "a%00b" }), "{}");
      expect(response.status).toBe(400);
      const { error } = JSON.parse(response.text);
      expect(error.code).toBe("INVALID_ID");
      expect(error.message).toContain(`"${route.param}"`);
      expect(error.message).toContain("U+0000");
      expect(error.details).toEqual({ parameter: route.param });
    });

    it.each([
      ["a control character (U+001F)", "a%1Fb", "U+001F"],
      ["DEL", "a%7Fb", "U+007F"],
      ["a C1 control (U+0085)", "a%C2%85b", "U+0085"],
      ["more than 1024 UTF-8 bytes", "%C3%A9".repeat(513), "1024 UTF-8 bytes"],
    ])("refuses an entity key holding %s", async (_what, key, expected) => {
      const response = await call("POST", `/v1/entities/Counter/${key}/add`, "1");
      expect(response.status).toBe(400);
      const { error } = JSON.parse(response.text);
      expect(error).toMatchObject({ code: "INVALID_ID", details: { parameter: "key" } });
      expect(error.message).toContain(expected);
    });

    it.each([
      ["an email", "ada@example.com"],
      ["a URL", "https://example.com/a?b=c&d=e#f"],
      ["unicode with emoji and a joiner", "Zoë 👩‍💻 ключ 鍵"],
      ["1024 UTF-8 bytes", "é".repeat(512)],
    ])("accepts an entity key that is %s, and GET shows its state", async (_what, key) => {
      const path = `/v1/entities/Counter/${encodeURIComponent(key)}`;
      const first = await call("POST", `${path}/add`, '{"n":1}');
      expect(first.status).toBe(200);
      expect(JSON.parse(first.text)).toEqual({ count: 1 });
      const state = await call("GET", path);
      expect(JSON.parse(state.text)).toMatchObject({ type: "Counter", key, state: { count: 1, last: { n: 1 } } });
    });

    it.each([
      ["a slash", "a%2Fb"],
      ["a space", "a%20b"],
      ["1025 characters", "a".repeat(1025)],
      ["unicode", "%C3%A9"],
    ])("refuses a run id with %s with 400 INVALID_ID", async (_what, runId) => {
      for (const path of [`/v1/runs/${runId}`, `/v1/runs/${runId}/cancel`, `/v1/invocations/${runId}`]) {
        const response = await call(path.endsWith("cancel") ? "POST" : "GET", path);
        expect(response.status, path).toBe(400);
        expect(JSON.parse(response.text).error.code).toBe("INVALID_ID");
      }
    });

    it("accepts a run id of 200 characters (the router's own parameter limit is above it)", async () => {
      const runId = `r${"x".repeat(199)}`;
      const started = await postJson(`${coordinator.url}/v1/workflows/flow/runs`, { input: 1, runId });
      expect(started.status).toBe(202);
      const result = await send(`${coordinator.url}/v1/runs/${runId}/result`);
      expect(result.body).toMatchObject({ status: "completed", output: { received: 1 } });
    });

    it("accepts the longer ids of child invocations (the parent's id and .<entry index>)", async () => {
      const childId = `r${"x".repeat(199)}.0.12`;
      const response = await send(`${coordinator.url}/v1/invocations/${childId}`);
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe("INVOCATION_NOT_FOUND");
    });
  });

  describe("U+0000 in a JSON body", () => {
    const nul = JSON.stringify({ name: "a\u0000b" });

    it.each([
      ["a function call", () => `/v1/services/${SERVICE}/echo`],
      ["an entity call", () => "/v1/entities/Counter/nul-key/add"],
      ["a workflow start", () => "/v1/workflows/flow/runs"],
      ["a signal", () => "/v1/runs/nul-run/signals/go"],
    ])("is refused with 400 INVALID_JSON in %s", async (_what, path) => {
      const response = await postText(`${coordinator.url}${path()}`, nul);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe("INVALID_JSON");
      expect(response.body.error.message).toContain("U+0000");
    });

    it("is refused in /call's base64 inputData, JSON or plain text", async () => {
      for (const inputData of [base64(nul), base64("plain\u0000text")]) {
        const response = await postJson(`${coordinator.url}/call`, {
          serviceName: SERVICE,
          handlerName: "echo",
          inputData,
        });
        expect(response.status).toBe(400);
        expect(response.body.error.code).toBe("INVALID_JSON");
      }
    });

    it("is not confused with an escaped backslash followed by u0000, which is stored and returned", async () => {
      const text = JSON.stringify({ path: "C:\\u0000" });
      const response = await postText(`${coordinator.url}/v1/services/${SERVICE}/echo`, text);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ path: "C:\\u0000" });
    });

    it("left nothing behind: the entity key has no state", async () => {
      const state = await send(`${coordinator.url}/v1/entities/Counter/nul-key`);
      expect(state.body).toMatchObject({ version: 0, state: {} });
    });
  });

  describe("deeply nested JSON", () => {
    const nested = (depth: number) => `${"[".repeat(depth)}1${"]".repeat(depth)}`;

    it("512 levels reach the handler and come back", async () => {
      const response = await postText(`${coordinator.url}/v1/services/${SERVICE}/echo`, nested(512));
      expect(response.status).toBe(200);
      expect(response.text).toBe(nested(512));
    });

    it.each([
      ["a function call", () => `/v1/services/${SERVICE}/echo`],
      ["an entity call", () => "/v1/entities/Counter/deep-key/add"],
      ["a workflow start", () => "/v1/workflows/flow/runs"],
    ])("513 levels are refused with 400 INVALID_JSON in %s (not a handler's 500 later)", async (_what, path) => {
      for (const body of [nested(513), `{"input":${nested(600)}}`, `${'{"a":'.repeat(20_000)}1${"}".repeat(20_000)}`]) {
        const response = await postText(`${coordinator.url}${path()}`, body);
        expect(response.status).toBe(400);
        expect(response.body.error.code).toBe("INVALID_JSON");
        expect(response.body.error.message).toContain("nests deeper than 512 levels");
      }
    });

    it("brackets inside strings do not count", async () => {
      const text = JSON.stringify({ text: "[".repeat(2_000), quote: '"[[[', escaped: "\\[" });
      const response = await postText(`${coordinator.url}/v1/services/${SERVICE}/echo`, text);
      expect(response.status).toBe(200);
      expect(response.body).toEqual(JSON.parse(text));
    });

    it("is refused in /call's base64 inputData too", async () => {
      const response = await postJson(`${coordinator.url}/call`, {
        serviceName: SERVICE,
        handlerName: "echo",
        inputData: base64(nested(513)),
      });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe("INVALID_JSON");
    });
  });

  describe("entity types", () => {
    it("GET of an entity type no service registered is 404 ENTITY_NOT_FOUND naming the known types", async () => {
      const response = await send(`${coordinator.url}/v1/entities/NoSuchType/k`);
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe("ENTITY_NOT_FOUND");
      expect(response.body.error.message).toContain('"NoSuchType"');
      expect(response.body.error.message).toContain("Counter");
    });

    it("an entity called through /v1/services is refused with the route to use", async () => {
      const response = await postJson(`${coordinator.url}/v1/services/${SERVICE}/Counter`, 1);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe("INVALID_REQUEST");
      expect(response.body.error.message).toContain("/v1/entities/Counter/:key/:method");
    });
  });

  describe("malformed URLs and HTTP", () => {
    it.each(["%zz", "%", "%ff", "%ED%A0%80", "%C0%AF", "%E2%82"])(
      "a path with %s answers 400 in our error shape",
      async (bad) => {
        for (const path of [`/v1/entities/Counter/${bad}`, `/v1/runs/${bad}`, `/v1/nowhere/${bad}`]) {
          const response = await call("GET", path);
          expect(response.status, path).toBe(400);
          const { error } = JSON.parse(response.text);
          expect(error.code).toBe("INVALID_REQUEST");
          expect(error.message).toContain("percent-encoding");
        }
      },
    );

    it.each([
      ["an invalid method", "FO(O / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "INVALID_REQUEST"],
      [
        "a content-length that is not a number",
        "POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        400,
        "INVALID_REQUEST",
      ],
      [
        "both content-length and chunked",
        "POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        400,
        "INVALID_REQUEST",
      ],
      [
        "a header with a control character",
        "GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\u0001b\r\n\r\n",
        400,
        "INVALID_REQUEST",
      ],
      [
        "headers over 16 KiB",
        `GET /health HTTP/1.1\r\nHost: x\r\nX-A: ${"a".repeat(20_000)}\r\n\r\n`,
        431,
        "HEADERS_TOO_LARGE",
      ],
    ])("a request with %s answers %i in our error shape", async (_what, bytes, status, code) => {
      const response = await rawSocketExchange(coordinator.url, bytes);
      expect(response.status).toBe(status);
      const { error } = JSON.parse(response.text);
      expect(error.code).toBe(code);
      expect(error.message).not.toBe("");
    });

    it("a HEAD answered from the HTTP parser has no body (its client would read one as the next response)", async () => {
      const response = await rawSocketExchange(
        coordinator.url,
        `HEAD /health HTTP/1.1\r\nHost: x\r\nX-A: ${"a".repeat(20_000)}\r\n\r\n`,
      );
      expect(response.status).toBe(431);
      expect(response.text).toBe("");
    });

    it("a body longer than its content-length: the request is answered, then the rest is a 400", async () => {
      const response = await rawSocketExchange(
        coordinator.url,
        `POST /v1/services/${SERVICE}/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a":1}garbage\r\n\r\n`,
        { halfClose: false },
      );
      expect(response.status).toBe(200);
      const [answer, next] = response.text.split("HTTP/1.1 ");
      expect(JSON.parse(answer!)).toEqual({ a: 1 });
      expect(next).toMatch(/^400 /);
      expect(next).toContain('"code":"INVALID_REQUEST"');
    });

    it("an unknown method on a known path is 404 ROUTE_NOT_FOUND", async () => {
      const response = await call("PROPFIND", "/v1/services");
      expect(response.status).toBe(404);
      expect(JSON.parse(response.text).error.code).toBe("ROUTE_NOT_FOUND");
    });
  });

  it.each(["%20", "0x10", "1e3", "+5", "1.0", "-0"])(
    "a timeoutMs of %s is refused with 400 (not read as a number, a blank not as 0 ms)",
    async (timeoutMs) => {
      const response = await call("POST", `/v1/services/${SERVICE}/echo?timeoutMs=${timeoutMs}`, "{}");
      expect(response.status).toBe(400);
      const { error } = JSON.parse(response.text);
      expect(error.code).toBe("INVALID_REQUEST");
      expect(error.message).toContain("timeoutMs");
    },
  );

  it("logged none of these client mistakes as an error", () => {
    expect(captured.errors.map((entry) => entry.msg)).toEqual([]);
  });
});
