// Input that fails a component's registered schema is refused by the coordinator with 400
// INVALID_INPUT before anything is recorded or dispatched, on every entry point, in the shape the
// worker's own INVALID_INPUT takes. In-process coordinator and SDK worker over real gRPC and HTTP,
// once per store.
import { randomUUID } from "node:crypto";
import { type ComponentDefinition, entity, fn, Registry, workflow } from "@agnt5/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { base64Json, type GatewayErrorBody, postJson, send } from "../test-support/http.js";
import { STORE_KINDS, startTestCoordinator, type TestCoordinator } from "../test-support/test-coordinator.js";
import { startTestWorker, type TestWorker } from "../test-support/test-worker.js";

const SERVICE = "validated-service";

/**
 * The worker looks every invocation it receives up by component name in its registry: counting
 * those look-ups counts the invocations that reached the worker (before its own zod validation).
 */
class CountingRegistry extends Registry {
  readonly #received = new Map<string, number>();

  override get(name: string): ComponentDefinition | undefined {
    this.#received.set(name, this.received(name) + 1);
    return super.get(name);
  }

  received(name: string): number {
    return this.#received.get(name) ?? 0;
  }
}

function validatedService() {
  const registry = new CountingRegistry();
  fn({ name: "add_numbers", registry, input: z.object({ a: z.number(), b: z.number() }) }, ({ a, b }) => a + b);
  // zod coerces "21": the JSON Schema says number, and the coordinator must not refuse the string.
  fn({ name: "double", registry, input: z.object({ n: z.coerce.number() }) }, ({ n }) => n * 2);
  // A refinement is not in the JSON Schema: only the worker can refuse 13.
  fn(
    {
      name: "pick_number",
      registry,
      input: z.object({ n: z.number() }).refine((value) => value.n !== 13, { path: ["n"], message: "unlucky" }),
    },
    ({ n }) => n,
  );
  fn({ name: "greet", registry }, (name: string) => `Hello, ${name}!`);
  workflow(
    { name: "ship_order", registry, input: z.object({ orderId: z.string(), qty: z.int().positive() }) },
    async (ctx, order) => ctx.step("ship", () => ({ shipped: order.orderId, qty: order.qty })),
  );
  entity(
    "Counter",
    {
      add: entity.write({ input: z.object({ by: z.int() }) }, async (ctx, { by }) => {
        const total = (await ctx.get<number>("total", 0)) + by;
        ctx.set("total", total);
        return total;
      }),
    },
    { registry },
  );
  return registry;
}

describe.each(STORE_KINDS)("input validation at the coordinator (%s store)", (kind) => {
  const registry = validatedService();
  let coordinator: TestCoordinator;
  let worker: TestWorker;
  const url = (path: string) => `${coordinator.url}${path}`;
  const invoke = (handler: string, input: unknown, query = "") =>
    postJson<GatewayErrorBody>(url(`/v1/services/${SERVICE}/${handler}${query}`), input);

  beforeAll(async () => {
    coordinator = await startTestCoordinator(kind);
    worker = await startTestWorker({ serviceName: SERVICE, endpoint: coordinator.endpoint, registry });
  });

  afterAll(async () => {
    await worker?.stop();
    await coordinator?.close();
  });

  describe("functions", () => {
    it("a bad input is 400 INVALID_INPUT naming the field, and the worker never receives it", async () => {
      const before = registry.received("add_numbers");

      const response = await invoke("add_numbers", { a: 1, b: "two" });

      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe("INVALID_INPUT");
      expect(response.body.error.message).toMatch(/^Invalid input for add_numbers: b: /);
      expect(response.body.error.details).toEqual({ issues: [{ path: "b", message: expect.any(String) }] });
      expect(response.headers.get("agnt5-invocation-id")).toBeNull();

      // A valid call after it reaches the worker (on the same stream): the bad one never did.
      const valid = await invoke("add_numbers", { a: 1, b: 2 });
      expect(valid.status).toBe(200);
      expect(valid.body).toBe(3);
      expect(registry.received("add_numbers")).toBe(before + 1);
    });

    it("a missing field is named too, and ?mode=async is refused the same way instead of 202", async () => {
      const before = registry.received("add_numbers");

      const response = await invoke("add_numbers", { a: 1 }, "?mode=async");

      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe("INVALID_INPUT");
      expect(response.body.error.details.issues).toEqual([{ path: "b", message: expect.any(String) }]);
      expect(registry.received("add_numbers")).toBe(before);
    });

    it("POST /call refuses a bad inputData with the same error", async () => {
      const before = registry.received("add_numbers");

      const response = await postJson<GatewayErrorBody>(url("/call"), {
        serviceName: SERVICE,
        handlerName: "add_numbers",
        inputData: base64Json({ a: "one", b: 2 }),
      });

      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe("INVALID_INPUT");
      expect(response.body.error.details.issues).toEqual([{ path: "a", message: expect.any(String) }]);
      expect(registry.received("add_numbers")).toBe(before);
    });

    it("inputs zod accepts pass: a coerced field, and a handler without a schema takes anything", async () => {
      const doubled = await invoke("double", { n: "21" });
      expect(doubled.status).toBe(200);
      expect(doubled.body).toBe(42);

      const greeted = await invoke("greet", "Ada");
      expect(greeted.status).toBe(200);
      expect(greeted.body).toBe("Hello, Ada!");
    });

    it("the coordinator's INVALID_INPUT has the shape of the worker's (a refinement only the worker checks)", async () => {
      const byWorker = await invoke("pick_number", { n: 13 });
      const byCoordinator = await invoke("pick_number", { n: "13" });

      expect(byWorker.status).toBe(400);
      expect(byCoordinator.status).toBe(400);
      for (const response of [byWorker, byCoordinator]) {
        expect(response.body.error.code).toBe("INVALID_INPUT");
        expect(response.body.error.message).toMatch(/^Invalid input for pick_number: n: /);
        expect(response.body.error.details).toEqual({ issues: [{ path: "n", message: expect.any(String) }] });
      }
      // Only the worker's went through an invocation.
      expect(byWorker.body.error.invocationId).toMatch(/^inv_/);
      expect(byCoordinator.body.error.invocationId).toBeUndefined();
    });
  });

  describe("workflows", () => {
    it("a bad start is 400 INVALID_INPUT and no run is recorded", async () => {
      const runId = `bad-order-${randomUUID()}`;
      const before = registry.received("ship_order");

      const response = await postJson<GatewayErrorBody>(url("/v1/workflows/ship_order/runs"), {
        runId,
        input: { orderId: "o-1", qty: 0 },
      });

      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe("INVALID_INPUT");
      expect(response.body.error.message).toMatch(/^Invalid input for ship_order: qty: /);
      expect(response.body.error.details).toEqual({ issues: [{ path: "qty", message: expect.any(String) }] });
      const run = await send<GatewayErrorBody>(url(`/v1/runs/${runId}`));
      expect(run.status).toBe(404);
      expect(run.body.error.code).toBe("RUN_NOT_FOUND");
      expect(registry.received("ship_order")).toBe(before);
    });

    it("a start without input is refused when the schema requires one", async () => {
      const response = await postJson<GatewayErrorBody>(url("/v1/workflows/ship_order/runs"), {});

      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe("INVALID_INPUT");
      expect(response.body.error.message).toContain("ship_order");
    });

    it("a valid start runs", async () => {
      const started = await postJson(url("/v1/workflows/ship_order/runs"), { input: { orderId: "o-2", qty: 3 } });
      expect(started.status).toBe(202);

      const result = await send(url(`/v1/runs/${started.body.runId}/result`));
      expect(result.body).toMatchObject({ status: "completed", output: { shipped: "o-2", qty: 3 } });
    });
  });

  describe("entities", () => {
    it("a bad method input is 400 INVALID_INPUT naming <type>.<method> and the field; the state is untouched", async () => {
      const key = `k-${randomUUID()}`;
      const before = registry.received("Counter");

      const response = await postJson<GatewayErrorBody>(url(`/v1/entities/Counter/${key}/add`), { by: "one" });

      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe("INVALID_INPUT");
      expect(response.body.error.message).toMatch(/^Invalid input for Counter\.add: by: /);
      expect(response.body.error.details).toEqual({ issues: [{ path: "by", message: expect.any(String) }] });
      expect(registry.received("Counter")).toBe(before);

      const valid = await postJson(url(`/v1/entities/Counter/${key}/add`), { by: 2 });
      expect(valid.status).toBe(200);
      expect(valid.body).toBe(2);
      expect(registry.received("Counter")).toBe(before + 1);
    });
  });
});
