// The SDK's Client against the real gateway, called by imported definitions (typed input and output,
// the service named once), and its body limit: refused before sending when it knows the limit, and
// the gateway's own 413 surfacing as PAYLOAD_TOO_LARGE, not as a network error.
import { randomUUID } from "node:crypto";
import { Agnt5ClientError, Client, entity, fn, Registry, workflow } from "@agnt5/sdk";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { startTestCoordinator, type TestCoordinator } from "../test-support/test-coordinator.js";
import { startTestWorker, type TestWorker } from "../test-support/test-worker.js";

const SERVICE = "typed-client-service";
const GATEWAY_LIMIT = 4096;

const registry = new Registry();
const greet = fn({ name: "greet", registry }, (name: string) => `Hello, ${name}!`);
const release = workflow({ name: "typed_release", registry }, async (ctx, input: { version: string }) => {
  const tag = await ctx.step("tag", () => `v${input.version}`);
  return { tag };
});
const Counter = entity(
  "TypedCounter",
  {
    add: entity.write(async (ctx, amount: number) => {
      const total = (await ctx.get<number>("total", 0)) + amount;
      ctx.set("total", total);
      return { total };
    }),
  },
  { registry },
);

async function rejection(promise: Promise<unknown>): Promise<Agnt5ClientError> {
  const error = await promise.then(
    (value) => expect.unreachable(`resolved with ${JSON.stringify(value)}`),
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Agnt5ClientError);
  return error as Agnt5ClientError;
}

describe("@agnt5/sdk Client by definition, against the gateway", () => {
  let coordinator: TestCoordinator;
  let worker: TestWorker;

  beforeAll(async () => {
    coordinator = await startTestCoordinator("postgres", { maxBodyBytes: GATEWAY_LIMIT });
    worker = await startTestWorker({ serviceName: SERVICE, endpoint: coordinator.endpoint, registry });
  });
  afterAll(async () => {
    await worker?.stop();
    await coordinator?.close();
  });

  it("invokes a function, runs a workflow and calls an entity by their definitions", async () => {
    const client = new Client(coordinator.url, { service: SERVICE });
    const greeting = await client.invoke(greet, "Ada");
    expectTypeOf(greeting).toEqualTypeOf<string>();
    expect(greeting).toBe("Hello, Ada!");
    await expect(new Client(coordinator.url).service(SERVICE).invoke(greet, "Grace")).resolves.toBe("Hello, Grace!");
    // The string form still works.
    await expect(client.invoke(SERVICE, "greet", "Linus")).resolves.toBe("Hello, Linus!");

    const released = await client.runWorkflow(release, { version: "2.0.0" }, { runId: `release-${randomUUID()}` });
    expect(released).toEqual({ tag: "v2.0.0" });

    const counter = client.entity(Counter, `c-${randomUUID()}`);
    await counter.add(2);
    await expect(counter.add(3)).resolves.toEqual({ total: 5 });
  });

  it("binds the seed's { name } object input to the handler's parameter in the worker, as executeComponent does", async () => {
    const client = new Client(coordinator.url);
    await expect(client.invoke(SERVICE, "greet", { name: "Ada" })).resolves.toBe("Hello, Ada!");
    const error = await rejection(client.invoke(SERVICE, "greet", { name: "Ada", greeting: "Hi" }));
    expect(error).toMatchObject({ code: "INVALID_INPUT", status: 400 });
    expect(error.message).toContain('it takes one parameter, "name"');
  });

  it("refuses a body over its maxBodyBytes before sending it", async () => {
    const client = new Client(coordinator.url, { service: SERVICE, maxBodyBytes: GATEWAY_LIMIT });
    const error = await rejection(client.invoke(greet, "x".repeat(GATEWAY_LIMIT)));
    expect(error).toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      status: 413,
      details: { bodyBytes: GATEWAY_LIMIT + 2, maxBodyBytes: GATEWAY_LIMIT },
    });
  });

  it("surfaces the gateway's 413 as PAYLOAD_TOO_LARGE when the Client's limit is higher", async () => {
    const client = new Client(coordinator.url, { service: SERVICE });
    const error = await rejection(client.invoke(greet, "x".repeat(2 * GATEWAY_LIMIT)));
    expect(error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", status: 413 });
  });
});
