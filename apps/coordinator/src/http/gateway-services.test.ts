// GET /v1/services says which services have live workers and when one was last seen;
// DELETE /v1/services/:service removes a retired one, and only one no worker serves. A real SDK
// worker connects and disconnects over gRPC; the gateway is called over HTTP, once per store.
import { fn, Registry } from "@agnt5/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayErrorBody, pollUntil, postJson, send } from "../test-support/http.js";
import { STORE_KINDS, startTestCoordinator, type TestCoordinator } from "../test-support/test-coordinator.js";
import { startTestWorker } from "../test-support/test-worker.js";

interface ServiceBody {
  name: string;
  status: "live" | "no_workers";
  lastSeenAt: string;
  workers: Array<{ workerId: string; lastSeenAt: string }>;
}

describe.each(STORE_KINDS)("the service list (%s store)", (kind) => {
  let coordinator: TestCoordinator;
  const url = (path: string) => `${coordinator.url}${path}`;
  const services = async () => (await send<{ services: ServiceBody[] }>(url("/v1/services"))).body.services;
  const service = async (name: string) => (await services()).find((s) => s.name === name);

  beforeAll(async () => {
    coordinator = await startTestCoordinator(kind);
  });

  afterAll(async () => {
    await coordinator?.close();
  });

  it("a service is live while its worker is connected, and cannot be removed then", async () => {
    const registry = new Registry();
    fn({ name: "ping", registry }, () => "pong");
    await using worker = await startTestWorker({
      serviceName: "busy-service",
      workerId: `busy-worker-${kind}`,
      endpoint: coordinator.endpoint,
      registry,
    });

    const listed = await service("busy-service");
    expect(listed).toMatchObject({ status: "live", workers: [{ workerId: worker.workerId }] });
    expect(Number.isNaN(Date.parse(listed?.lastSeenAt ?? ""))).toBe(false);

    const refused = await send<GatewayErrorBody>(url("/v1/services/busy-service"), { method: "DELETE" });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("SERVICE_HAS_WORKERS");
    expect(refused.body.error.message).toContain("busy-service");
    expect(refused.body.error.message).toContain(worker.workerId);
    expect((await postJson(url("/v1/services/busy-service/ping"), null)).body).toBe("pong");
  });

  it("once its last worker disconnects it is listed as no_workers since then, and can be removed", async () => {
    const registry = new Registry();
    fn({ name: "ping", registry }, () => "pong");
    const worker = await startTestWorker({ serviceName: "retiring-service", endpoint: coordinator.endpoint, registry });
    const beforeStop = Date.now();
    await worker.stop();

    const retired = await pollUntil(
      () => service("retiring-service"),
      (listed) => listed?.status === "no_workers",
      { what: "retiring-service to have no workers" },
    );
    expect(retired?.workers).toEqual([]);
    expect(Date.parse(retired?.lastSeenAt ?? "")).toBeGreaterThanOrEqual(beforeStop);

    const removed = await send(url("/v1/services/retiring-service"), { method: "DELETE" });
    expect(removed.status).toBe(204);
    expect(removed.text).toBe("");
    expect((await services()).map((s) => s.name)).not.toContain("retiring-service");

    // Calls to it no longer wait for a worker: the service is unknown.
    const call = await postJson<GatewayErrorBody>(url("/v1/services/retiring-service/ping?timeoutMs=60000"), null);
    expect(call.status).toBe(404);
    expect(call.body.error.code).toBe("SERVICE_NOT_FOUND");

    const again = await send<GatewayErrorBody>(url("/v1/services/retiring-service"), { method: "DELETE" });
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe("SERVICE_NOT_FOUND");
    expect(again.body.error.message).toContain("retiring-service");
  });

  it("a removed service comes back when a worker registers it again", async () => {
    const registry = new Registry();
    fn({ name: "ping", registry }, () => "pong");
    const first = await startTestWorker({ serviceName: "returning-service", endpoint: coordinator.endpoint, registry });
    await first.stop();
    await pollUntil(
      () => service("returning-service"),
      (listed) => listed?.status === "no_workers",
      { what: "returning-service to have no workers" },
    );
    expect((await send(url("/v1/services/returning-service"), { method: "DELETE" })).status).toBe(204);

    await using _second = await startTestWorker({
      serviceName: "returning-service",
      endpoint: coordinator.endpoint,
      registry,
    });

    expect(await service("returning-service")).toMatchObject({ status: "live" });
    expect((await postJson(url("/v1/services/returning-service/ping"), null)).body).toBe("pong");
  });
});
