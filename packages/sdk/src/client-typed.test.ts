// The Client's calls by imported definition, and its body limit, against a fake gateway that records
// what arrives (client.test.ts covers the calls by name; the real gateway is in the coordinator's
// gateway-typed-client.test.ts).
import { entity, fn, workflow } from "@agnt5/core";
import { afterEach, describe, expect, it } from "vitest";
import { Client } from "./client.js";
import { Agnt5ClientError } from "./client-error.js";
import { type FakeGateway, type GatewayScript, json, startFakeGateway } from "./test-support/fake-gateway.js";

const registry = false as const;
const greet = fn({ name: "greet", registry }, (name: string) => `Hello, ${name}!`);
const deploy = workflow({ name: "deployment", registry }, async (_ctx, input: { version: string }) => input.version);
const Cart = entity(
  "ShoppingCart",
  { add_item: entity.write(async (_ctx, item: { sku: string }) => ({ count: item.sku.length })) },
  { registry },
);

const gateways: FakeGateway[] = [];
afterEach(async () => {
  for (const gateway of gateways.splice(0)) await gateway.close();
});

async function gateway(script: GatewayScript) {
  const fake = await startFakeGateway(script);
  gateways.push(fake);
  return fake;
}

async function rejection(promise: Promise<unknown>): Promise<Agnt5ClientError> {
  const error = await promise.then(
    (value) => expect.unreachable(`resolved with ${JSON.stringify(value)}`),
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Agnt5ClientError);
  return error as Agnt5ClientError;
}

describe("calls by definition", () => {
  it("invoke(definition, input) posts to the definition's handler of the service named for it", async () => {
    const fake = await gateway((request, res) => json(res, 200, `Hello, ${request.body}!`));
    const client = new Client(fake.url);

    await expect(client.service("hello-service").invoke(greet, "Alice")).resolves.toBe("Hello, Alice!");
    await expect(client.invoke(greet, "Bob", { service: "other-service", timeoutMs: 900 })).resolves.toBe(
      "Hello, Bob!",
    );
    await new Client(fake.url, { service: "default-service" }).invoke(greet, "Eve");

    expect(fake.requests.map((request) => [request.path, request.query.get("timeoutMs")])).toEqual([
      ["/v1/services/hello-service/greet", null],
      ["/v1/services/other-service/greet", "900"],
      ["/v1/services/default-service/greet", null],
    ]);
  });

  it("invoke(definition) without a service says how to name one, and sends nothing", async () => {
    const fake = await gateway((_request, res) => json(res, 200, null));
    const error = await rejection(new Client(fake.url).invoke(greet, "Alice"));
    expect(error.code).toBe("INVALID_ARGUMENT");
    expect(error.message).toContain('invoke(greet) needs the service that registers greet: client.service("<name>")');
    expect(fake.requests).toHaveLength(0);
  });

  it("starts workflows and calls entity methods by their definitions", async () => {
    const fake = await gateway((request, res) => {
      if (request.path === "/v1/workflows/deployment/runs") return json(res, 201, { runId: "r-1", created: true });
      if (request.path === "/v1/runs/r-1/result") return json(res, 200, { status: "completed", output: "2.0.0" });
      json(res, 200, { count: 5 });
    });
    const client = new Client(fake.url);
    await expect(client.runWorkflow(deploy, { version: "2.0.0" })).resolves.toBe("2.0.0");
    await expect(client.entity(Cart, "cart-42").add_item({ sku: "apple" })).resolves.toEqual({ count: 5 });
    expect(fake.requests.map((request) => [request.method, request.path])).toEqual([
      ["POST", "/v1/workflows/deployment/runs"],
      ["GET", "/v1/runs/r-1/result"],
      ["POST", "/v1/entities/ShoppingCart/cart-42/add_item"],
    ]);
    expect(fake.requests[2]?.body).toEqual({ sku: "apple" });
  });
});

describe("the body limit", () => {
  it("refuses a body over maxBodyBytes before sending it, naming its size and the limit", async () => {
    const fake = await gateway((_request, res) => json(res, 200, null));
    const client = new Client(fake.url, { maxBodyBytes: 1024 });
    const error = await rejection(client.invoke("svc", "echo", "x".repeat(2000)));
    expect(error).toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      status: 413,
      retryable: false,
      details: { bodyBytes: 2002, maxBodyBytes: 1024 },
    });
    expect(error.message).toBe(
      "The request body of POST /v1/services/svc/echo is 2002 bytes, over the gateway's limit of 1024 bytes " +
        "(the coordinator's AGNT5_MAX_BODY_BYTES; the Client's maxBodyBytes): not sent",
    );
    // Every method with a body goes through the check.
    await rejection(client.startWorkflow("wf", "x".repeat(2000)));
    await rejection(client.invokeEntity("T", "k", "m", "x".repeat(2000)));
    await rejection(client.call({ serviceName: "svc", handlerName: "h", input: "x".repeat(2000) }));
    expect(fake.requests).toHaveLength(0);
    // Exactly the limit is sent.
    await client.invoke("svc", "echo", "x".repeat(1022));
    expect(fake.requests).toHaveLength(1);
  });

  it("defaults to the coordinator's 10 MiB", async () => {
    const fake = await gateway((_request, res) => json(res, 200, null));
    const error = await rejection(new Client(fake.url).invoke("svc", "echo", "x".repeat(10 * 1024 * 1024)));
    expect(error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(error.details).toEqual({ bodyBytes: 10 * 1024 * 1024 + 2, maxBodyBytes: 10 * 1024 * 1024 });
    expect(fake.requests).toHaveLength(0);
  });

  it("surfaces the gateway's 413 as PAYLOAD_TOO_LARGE, with or without an error body", async () => {
    const fake = await gateway((request, res) => {
      if (request.path.endsWith("/plain")) {
        res.writeHead(413, { "content-type": "text/plain" }).end("Too large");
        return;
      }
      json(res, 413, { error: { code: "PAYLOAD_TOO_LARGE", message: "The body exceeds 1024 bytes" } });
    });
    const client = new Client(fake.url);
    expect(await rejection(client.invoke("svc", "structured", "x".repeat(2000)))).toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      status: 413,
      message: "The body exceeds 1024 bytes",
    });
    expect(await rejection(client.invoke("svc", "plain", "x"))).toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      status: 413,
    });
  });
});
