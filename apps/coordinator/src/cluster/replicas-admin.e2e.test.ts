// The operator's view of replicas (GET /admin/v1/replicas through the AdminClient) on an
// in-process 2-replica cluster: names, tokens, services with workers and the unfinished runs each
// owns, and a replica stopping is taken over; a single coordinator lists none. The rate limit is
// one budget across replicas (counted in Redis).
import { AdminClient } from "@agnt5/admin-client";
import { Registry, workflow } from "@agnt5/sdk";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RouteScopes } from "../auth/route-scopes.js";
import { pollUntil, postJson, send } from "../test-support/http.js";
import { startTestCluster, type TestCluster } from "../test-support/test-cluster.js";
import { startTestCoordinator, TEST_DATABASE_URL } from "../test-support/test-coordinator.js";
import { startTestWorker, type TestWorker } from "../test-support/test-worker.js";

const SERVICE = "replicas-admin";

async function withTestPostgres<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describe("GET /admin/v1/replicas on a 2-replica cluster", () => {
  let cluster: TestCluster;
  let worker: TestWorker | undefined;

  beforeAll(async () => {
    cluster = await startTestCluster(2);
    const registry = new Registry();
    workflow({ name: "waiting", registry }, async (ctx) => ctx.signal<number>("go", { timeoutMs: 600_000 }));
    worker = await startTestWorker({ serviceName: SERVICE, endpoint: cluster.replicas[1]!.endpoint, registry });
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    await cluster?.close();
  });

  it("lists each replica with its services and the unfinished runs it owns; a stopped one is taken over", async () => {
    const [one, two] = cluster.replicas;
    const admin = new AdminClient({ baseUrl: one!.url });
    const started = await postJson(`${two!.url}/v1/workflows/waiting/runs`, { input: null });
    expect(started.status).toBe(202);
    const runId = started.body.runId as string;
    await pollUntil(
      () => send(`${two!.url}/v1/runs/${runId}`),
      (response) => response.body?.status === "suspended" || response.body?.status === "running",
      { what: "the run to start" },
    );

    const listed = await pollUntil(
      () => admin.listReplicas(),
      (answer) => answer.replicas.find((replica) => replica.token === two!.token)?.services.includes(SERVICE) ?? false,
      { timeoutMs: 15_000, what: "replica 2 to announce its worker's service" },
    );
    expect(listed.cluster).toBe(true);
    expect(listed.self).toBe(one!.token);
    expect(listed.replicas.map(({ name, token, expired }) => ({ name, token, expired }))).toEqual([
      { name: "replica-1", token: one!.token, expired: false },
      { name: "replica-2", token: two!.token, expired: false },
    ]);
    const second = listed.replicas[1]!;
    expect(second.unfinishedInvocations).toBe(1);
    expect(listed.replicas[0]!.unfinishedInvocations).toBe(0);
    expect(Date.parse(second.expiresAt)).toBeGreaterThan(Date.parse(second.renewedAt));
    expect(Date.parse(second.startedAt)).toBeLessThanOrEqual(Date.parse(second.renewedAt));

    // Replica 2 stops (giving its lease up): replica 1 takes its run over at its next round.
    await two!.close();
    const after = await pollUntil(
      () => admin.listReplicas(),
      (answer) => answer.replicas.length === 1,
      { timeoutMs: 15_000, what: "replica 1 to take over replica 2" },
    );
    expect(after.replicas[0]).toMatchObject({ name: "replica-1", unfinishedInvocations: 1, expired: false });
    // Its polls wait up to 15 s each for a lease round: the test's own limit is above them.
  }, 60_000);

  it("fences the entity tables of a fresh database from the first replica's start", async () => {
    const triggers = await withTestPostgres((client) =>
      client.query<{ tgname: string }>(
        `SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND t.tgname LIKE '%\\_fence' ORDER BY t.tgname`,
        [cluster.schema],
      ),
    );
    expect(triggers.rows.map((row) => row.tgname)).toEqual([
      "entity_field_fence",
      "entity_key_owners_fence",
      "entity_state_fence",
      "invocations_fence",
      "journal_entries_fence",
      "signals_fence",
      "timers_fence",
    ]);
  });

  it("needs the admin scope", () => {
    expect(new RouteScopes({ metricsRequireKey: false }).ruleFor("GET", "/admin/v1/replicas")).toBe("admin");
  });
});

describe("GET /admin/v1/replicas on a single coordinator", () => {
  it("says it is not a cluster and lists no replica", async () => {
    await using coordinator = await startTestCoordinator("postgres");
    expect(await new AdminClient({ baseUrl: coordinator.url }).listReplicas()).toEqual({
      cluster: false,
      self: null,
      replicas: [],
    });
  });
});

describe("the rate limit of a cluster", () => {
  it("is one budget for a caller across replicas", async () => {
    await using cluster = await startTestCluster(2, { config: { rateLimitPerMinute: 6 } });
    const [one, two] = cluster.replicas;
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const replica = i % 2 === 0 ? one! : two!;
      statuses.push((await send(`${replica.url}/v1/services`)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
  });
});
