// The admin API's entity and service routes end to end (coordinator on PostgreSQL, SDK worker over
// gRPC): entity types with key counts, keys page by page, a key's state, version and the writes
// queued behind a running write (stuck keys), and the registered services with their workers.
import { AdminClient } from "@agnt5/admin-client";
import { entity, Registry } from "@agnt5/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deferred, pollUntil, postJson } from "../test-support/http.js";
import { startTestCoordinator, type TestCoordinator } from "../test-support/test-coordinator.js";
import { startTestWorker, type TestWorker } from "../test-support/test-worker.js";

const SERVICE = "admin-entities";

describe("admin API: entities and services (PostgreSQL)", () => {
  let coordinator: TestCoordinator;
  let worker: TestWorker;
  let admin: AdminClient;
  const holding = deferred();
  const release = deferred();

  beforeAll(async () => {
    const registry = new Registry();
    entity(
      "Counter",
      {
        add: entity.write(async (ctx, n: number) => {
          const count = (await ctx.get<number>("count", 0)) + n;
          ctx.set("count", count);
          return count;
        }),
        // Holds its key until the test releases it: writes behind it queue.
        hold: entity.write(async (ctx) => {
          holding.resolve();
          await release.promise;
          ctx.set("held", true);
          return "held";
        }),
      },
      { registry },
    );
    coordinator = await startTestCoordinator("postgres");
    worker = await startTestWorker({
      serviceName: SERVICE,
      endpoint: coordinator.endpoint,
      registry,
      serviceVersion: "1.2.3",
    });
    admin = new AdminClient({ baseUrl: coordinator.url });
  }, 60_000);

  afterAll(async () => {
    release.resolve();
    await worker?.stop();
    await coordinator?.close();
  });

  const call = (key: string, method: string, input: unknown) =>
    postJson(`${coordinator.url}/v1/entities/Counter/${encodeURIComponent(key)}/${method}?timeoutMs=30000`, input);

  it("lists entity types with their key counts, keys page by page, and a key's state and version", async () => {
    for (const key of ["k1", "k2", "k3", "other"]) expect((await call(key, "add", 1)).status).toBe(200);
    expect((await call("k2", "add", 5)).body).toBe(6);

    expect((await admin.listEntityTypes()).types).toEqual([{ service: SERVICE, type: "Counter", keys: 4 }]);

    const first = await admin.listEntityKeys("Counter", { prefix: "k", limit: 2 });
    expect(first.keys.map(({ key, version, queued }) => ({ key, version, queued }))).toEqual([
      { key: "k1", version: 1, queued: 0 },
      { key: "k2", version: 2, queued: 0 },
    ]);
    expect(first.keys.every((k) => typeof k.updatedAt === "string")).toBe(true);
    const second = await admin.listEntityKeys("Counter", { prefix: "k", limit: 2, cursor: first.nextCursor as string });
    expect(second.keys.map((k) => k.key)).toEqual(["k3"]);
    expect(second.nextCursor).toBeNull();
    expect((await admin.listEntityKeys("Counter")).keys.map((k) => k.key)).toEqual(["k1", "k2", "k3", "other"]);

    expect(await admin.getEntityKey("Counter", "k2")).toEqual({
      type: "Counter",
      key: "k2",
      state: { count: 6 },
      version: 2,
      updatedAt: expect.any(String),
      queue: [],
    });
  }, 60_000);

  it("shows the writes queued behind a running write, and the key as stuck until it is released", async () => {
    const held = call("busy", "hold", null);
    await holding.promise;
    const queued = call("busy", "add", 2);
    const waiting = await pollUntil(
      () => admin.getEntityKey("Counter", "busy"),
      (key) => key.queue.length === 1,
      { what: "the add to queue behind the hold", timeoutMs: 30_000 },
    );
    expect(waiting).toMatchObject({ version: 0, state: {}, queue: [{ method: "add", since: expect.any(String) }] });
    expect((await admin.listStuckEntityKeys({ olderThanMs: 0 })).keys).toEqual([
      { type: "Counter", key: "busy", queued: 1, oldestSince: waiting.queue[0]?.since },
    ]);
    // Not stuck by the default threshold (a minute).
    expect((await admin.listStuckEntityKeys()).keys).toEqual([]);

    release.resolve();
    expect((await held).body).toBe("held");
    expect((await queued).body).toBe(2);
    expect(await admin.getEntityKey("Counter", "busy")).toMatchObject({
      state: { held: true, count: 2 },
      version: 2,
      queue: [],
    });
    expect((await admin.listStuckEntityKeys({ olderThanMs: 0 })).keys).toEqual([]);
  }, 60_000);

  it("lists services with their components and connected workers", async () => {
    const { services } = await admin.listServices();
    expect(services).toEqual([
      {
        name: SERVICE,
        version: "1.2.3",
        status: "live",
        components: [expect.objectContaining({ name: "Counter", kind: "entity" })],
        workers: [{ id: worker.workerId, connectedAt: expect.any(String), activeInvocations: 0 }],
      },
    ]);
    await worker.stop();
    const after = await pollUntil(
      () => admin.listServices(),
      (answer) => answer.services[0]?.status === "no_workers",
      { what: "the service to have no workers", timeoutMs: 30_000 },
    );
    expect(after.services[0]?.workers).toEqual([]);
  }, 60_000);
});
