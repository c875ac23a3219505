import { afterEach, describe, expect, it } from "vitest";
import { Client } from "./client.js";
import { Agnt5ClientError } from "./client-error.js";
import { type FakeGateway, type GatewayScript, json, startFakeGateway } from "./test-support/fake-gateway.js";

const gateways: FakeGateway[] = [];
afterEach(async () => {
  for (const gateway of gateways.splice(0)) await gateway.close();
});

async function gateway(script: GatewayScript) {
  const fake = await startFakeGateway(script);
  gateways.push(fake);
  return { fake, client: new Client(`${fake.url}/`, { headers: { authorization: "Bearer t" } }) };
}

const base64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64");

describe("Client", () => {
  it("call() posts the seed's /call body with base64 input and returns the decoded output", async () => {
    const { fake, client } = await gateway((request, res) => {
      const input = JSON.parse(Buffer.from((request.body as { inputData: string }).inputData, "base64").toString());
      json(res, 200, { invocationId: "inv-1", output: `Hello, ${input}!`, outputData: base64(`Hello, ${input}!`) });
    });

    // The seed's example sends "QWxpY2U=" (base64 of the bare text Alice); JSON input is base64 of "\"Alice\"".
    const result = await client.call({
      serviceName: "hello-service",
      handlerName: "greet",
      inputData: base64("Alice"),
    });
    expect(result).toBe("Hello, Alice!");
    expect(fake.requests[0]).toMatchObject({
      method: "POST",
      path: "/call",
      body: { serviceName: "hello-service", handlerName: "greet", inputData: base64("Alice") },
      headers: { authorization: "Bearer t" },
    });

    await client.call({ serviceName: "hello-service", handlerName: "math_add", input: { a: 5, b: 3 } });
    expect((fake.requests[1]!.body as { inputData: string }).inputData).toBe(base64({ a: 5, b: 3 }));
  });

  it("call() falls back to outputData when the gateway sends no output field", async () => {
    const { client } = await gateway((_request, res) =>
      json(res, 200, { invocationId: "inv-1", outputData: base64({ sum: 8 }) }),
    );
    expect(await client.call({ serviceName: "s", handlerName: "h", input: 1 })).toEqual({ sum: 8 });
  });

  it("invoke() posts JSON input with idempotency key and timeout, and returns the JSON output", async () => {
    const { fake, client } = await gateway((_request, res) =>
      json(res, 200, { sum: 8 }, { "agnt5-invocation-id": "inv-9" }),
    );
    const output = await client.invoke(
      "hello service",
      "math_add",
      { a: 5, b: 3 },
      { idempotencyKey: "k-1", timeoutMs: 2500, headers: { "x-extra": "1" } },
    );

    expect(output).toEqual({ sum: 8 });
    const request = fake.requests[0]!;
    expect(request.path).toBe("/v1/services/hello%20service/math_add");
    expect(request.query.get("timeoutMs")).toBe("2500");
    expect(request.headers).toMatchObject({
      "idempotency-key": "k-1",
      "x-extra": "1",
      "content-type": "application/json",
    });
    expect(request.body).toEqual({ a: 5, b: 3 });
  });

  it("submit() asks for async mode and returns the invocation id; waitForResult() polls until it completes", async () => {
    let polls = 0;
    const { fake, client } = await gateway((request, res) => {
      if (request.method === "POST") return json(res, 202, { invocationId: "inv-7" });
      polls += 1;
      const done = polls >= 3;
      json(res, 200, {
        invocationId: "inv-7",
        serviceName: "s",
        handlerName: "h",
        status: done ? "completed" : "running",
        attempt: 1,
        createdAt: "2026-01-01T00:00:00Z",
        ...(done ? { output: "finished", completedAt: "2026-01-01T00:00:01Z" } : {}),
      });
    });

    expect(await client.submit("s", "h", { x: 1 })).toEqual({ invocationId: "inv-7" });
    expect(fake.requests[0]?.query.get("mode")).toBe("async");
    expect(await client.getInvocation("inv-7")).toMatchObject({ status: "running", attempt: 1 });
    expect(await client.waitForResult("inv-7", { timeoutMs: 5000 })).toBe("finished");
    expect(fake.requests.at(-1)?.path).toBe("/v1/invocations/inv-7");
  });

  it("waitForResult() throws the invocation's error when it failed", async () => {
    const { client } = await gateway((_request, res) =>
      json(res, 200, {
        invocationId: "inv-8",
        serviceName: "s",
        handlerName: "h",
        status: "failed",
        attempt: 3,
        createdAt: "2026-01-01T00:00:00Z",
        completedAt: "2026-01-01T00:00:01Z",
        error: { code: "HANDLER_ERROR", message: "boom" },
      }),
    );
    const error = await client.waitForResult("inv-8").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Agnt5ClientError);
    expect(error).toMatchObject({ code: "HANDLER_ERROR", message: "boom", invocationId: "inv-8" });
  });

  it("stream() yields NDJSON chunks until the done envelope", async () => {
    const { fake, client } = await gateway((_request, res) => {
      res.writeHead(200, { "content-type": "application/x-ndjson", "agnt5-invocation-id": "inv-s" });
      // Split one envelope across writes: the client must reassemble lines.
      res.write('{"type":"chunk","seq":0,"data":{"i":1}}\n{"type":"chunk","se');
      res.write('q":1,"data":{"i":2}}\n');
      res.end('{"type":"done","invocationId":"inv-s"}\n');
    });
    const chunks: unknown[] = [];
    for await (const chunk of client.stream("s", "count", 2)) chunks.push(chunk);
    expect(chunks).toEqual([{ i: 1 }, { i: 2 }]);
    expect(fake.requests[0]?.headers.accept).toBe("application/x-ndjson");
  });

  it("stream() reads Server-Sent Events when asked for them", async () => {
    const { fake, client } = await gateway((_request, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(': keep-alive\n\nevent: chunk\ndata: {"type":"chunk","seq":0,"data":"a"}\n\n');
      res.write('event: chunk\ndata: {"type":"chunk","seq":1,"data":"b"}\n\n');
      res.end('event: done\ndata: {"type":"done","invocationId":"inv-e"}\n\n');
    });
    const chunks: unknown[] = [];
    for await (const chunk of client.stream("s", "letters", null, { format: "sse" })) chunks.push(chunk);
    expect(chunks).toEqual(["a", "b"]);
    expect(fake.requests[0]?.headers.accept).toBe("text/event-stream");
  });

  it("stream() throws the error envelope as an Agnt5ClientError after the chunks before it", async () => {
    const { client } = await gateway((_request, res) => {
      res.writeHead(200, { "content-type": "application/x-ndjson", "agnt5-invocation-id": "inv-x" });
      res.end(
        '{"type":"chunk","seq":0,"data":1}\n{"type":"error","error":{"code":"HANDLER_ERROR","message":"midway"}}\n',
      );
    });
    const chunks: unknown[] = [];
    const error = await (async () => {
      for await (const chunk of client.stream("s", "h", null)) chunks.push(chunk);
    })().catch((e: unknown) => e);
    expect(chunks).toEqual([1]);
    expect(error).toMatchObject({ code: "HANDLER_ERROR", message: "midway", invocationId: "inv-x" });
  });

  it("stream() reports a stream that ends without done as interrupted", async () => {
    const { client } = await gateway((_request, res) => {
      res.writeHead(200, { "content-type": "application/x-ndjson" });
      res.end('{"type":"chunk","seq":0,"data":1}\n');
    });
    const error = await (async () => {
      for await (const _ of client.stream("s", "h", null));
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "STREAM_INTERRUPTED" });
  });

  it("maps gateway errors to Agnt5ClientError with status, code, details and invocation id", async () => {
    const { client } = await gateway((request, res) => {
      if (request.path.endsWith("/missing")) {
        return json(res, 404, {
          error: { code: "COMPONENT_NOT_FOUND", message: "No handler missing", details: { registered: ["greet"] } },
        });
      }
      json(
        res,
        504,
        { error: { code: "TIMEOUT", message: "No result within 100 ms" } },
        { "agnt5-invocation-id": "inv-t" },
      );
    });

    const notFound = await client.invoke("s", "missing", 1).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(Agnt5ClientError);
    expect(notFound).toMatchObject({
      status: 404,
      code: "COMPONENT_NOT_FOUND",
      message: "No handler missing",
      details: { registered: ["greet"] },
    });
    expect((notFound as Agnt5ClientError).retryable).toBe(false);
    expect(Agnt5ClientError.isInstance(notFound)).toBe(true);

    const timeout = await client.invoke("s", "slow", 1, { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(timeout).toMatchObject({ status: 504, code: "TIMEOUT", invocationId: "inv-t" });
    expect((timeout as Agnt5ClientError).retryable).toBe(true);
  });

  it("reports an unreachable gateway as NETWORK_ERROR with status 0", async () => {
    const { fake } = await gateway((_request, res) => json(res, 200, {}));
    const url = fake.url;
    await gateways.pop()?.close();
    const error = await new Client(url).invoke("s", "h", 1).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 0, code: "NETWORK_ERROR" });
    expect((error as Agnt5ClientError).retryable).toBe(true);
  });
});

describe("Client entities", () => {
  it("invokeEntity() posts JSON to /v1/entities/:type/:key/:method with the invoke options", async () => {
    const { fake, client } = await gateway((_request, res) => json(res, 200, { count: 2 }));
    const output = await client.invokeEntity<{ count: number }>(
      "ShoppingCart",
      "cart/1",
      "add_item",
      { sku: "pen", qty: 1 },
      { idempotencyKey: "k-2", timeoutMs: 1000, headers: { "x-extra": "1" } },
    );
    expect(output).toEqual({ count: 2 });
    const request = fake.requests[0]!;
    expect(request).toMatchObject({ method: "POST", path: "/v1/entities/ShoppingCart/cart%2F1/add_item" });
    expect(request.query.get("timeoutMs")).toBe("1000");
    expect(request.headers).toMatchObject({ "idempotency-key": "k-2", "x-extra": "1", authorization: "Bearer t" });
    expect(request.body).toEqual({ sku: "pen", qty: 1 });

    await client.invokeEntity("ShoppingCart", "cart-2", "get_items");
    expect(fake.requests[1]).toMatchObject({ path: "/v1/entities/ShoppingCart/cart-2/get_items", body: null });
  });

  it("getEntity() reads { type, key, version, state }", async () => {
    const body = { type: "ShoppingCart", key: "cart-1", version: 3, state: { items: [{ sku: "pen" }] } };
    const { fake, client } = await gateway((_request, res) => json(res, 200, body));
    await expect(client.getEntity("ShoppingCart", "cart-1")).resolves.toEqual(body);
    expect(fake.requests[0]).toMatchObject({ method: "GET", path: "/v1/entities/ShoppingCart/cart-1" });
  });

  it("turns a failed entity call into Agnt5ClientError with the gateway's code", async () => {
    const { client } = await gateway((_request, res) =>
      json(res, 404, { error: 'Entity ShoppingCart has no method "x"', code: "COMPONENT_NOT_FOUND" }),
    );
    await expect(client.invokeEntity("ShoppingCart", "c", "x")).rejects.toMatchObject({
      name: "Agnt5ClientError",
      status: 404,
      code: "COMPONENT_NOT_FOUND",
    });
  });
});
