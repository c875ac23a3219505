// ctx.human.approval's requiredRoles against the authenticated identity (real worker, PostgreSQL):
// a key without the role is refused whatever x-agnt5-roles or body roles it sends; a key with the
// role decides, and the run records who decided from the key, not from the body's `by`.
import { Registry, workflow } from "@agnt5/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuthTestCoordinator, bearer, startAuthCoordinator } from "../test-support/auth-keys.js";
import { pollUntil, postJson, send } from "../test-support/http.js";
import { startTestWorker, type TestWorker } from "../test-support/test-worker.js";

const SERVICE = "release-service";

function releaseService() {
  const registry = new Registry();
  workflow({ name: "release", registry }, async (ctx, version: string) => {
    const decision = await ctx.human.approval("publish", { payload: { version }, requiredRoles: ["ops"] });
    return { approved: decision.approved, by: decision.by };
  });
  return registry;
}

describe("approvals by authenticated identity (PostgreSQL)", () => {
  let auth: AuthTestCoordinator;
  let worker: TestWorker;
  let starter: string;

  beforeAll(async () => {
    auth = await startAuthCoordinator("postgres");
    worker = await startTestWorker({
      serviceName: SERVICE,
      endpoint: auth.coordinator.endpoint,
      registry: releaseService(),
      token: auth.workerToken,
      suspendAfterMs: 0,
    });
    starter = (await auth.createKey({ name: "ci", scopes: ["workflows:start", "read"] })).secret;
  });
  afterAll(async () => {
    await worker?.stop();
    await auth?.close();
  });

  async function waitingRelease(version: string): Promise<string> {
    const started = await postJson(
      `${auth.coordinator.url}/v1/workflows/release/runs`,
      { input: version },
      bearer(starter),
    );
    expect(started.status).toBe(202);
    const runId = started.body.runId as string;
    await pollUntil(
      async () => (await send(`${auth.coordinator.url}/v1/runs/${runId}`, { headers: bearer(starter) })).body,
      (body) => body.status === "waiting" && body.currentStep?.kind === "signal_wait",
      { what: `run ${runId} waiting for its approval` },
    );
    return runId;
  }

  it("refuses a key without the role, whatever roles the request claims", async () => {
    const runId = await waitingRelease("1.0.0");
    const intern = await auth.createKey({ name: "intern", scopes: ["approve"], roles: ["dev"] });
    const claimed = await postJson(
      `${auth.coordinator.url}/v1/runs/${runId}/approvals/publish`,
      { decision: "approved", by: "ops-lead", roles: ["ops"] },
      { ...bearer(intern.secret), "x-agnt5-roles": "ops" },
    );
    expect(claimed.status).toBe(403);
    expect(claimed.body.error.code).toBe("FORBIDDEN");
    // It says which roles the approval needs, which the calling key has, and where a key's roles come from.
    expect(claimed.body.error.message).toBe(
      'Approval "publish" requires one of the roles ops; the calling key "intern" has the roles: dev ' +
        "(a key's roles are given when it is created: agnt5 keys create --role <role>)",
    );
    // The admin API's approval route checks the same way.
    const viaAdmin = await postJson(
      `${auth.coordinator.url}/admin/v1/runs/${runId}/approvals/publish`,
      { decision: "approved", by: "ops-lead", roles: ["ops"] },
      { ...bearer(intern.secret), "x-agnt5-roles": "ops" },
    );
    expect(viaAdmin.status).toBe(403);
    expect(viaAdmin.body.error.message).toBe(claimed.body.error.message);
    // A key with no roles at all says so.
    const roleless = await auth.createKey({ name: "roleless", scopes: ["approve"] });
    const none = await postJson(
      `${auth.coordinator.url}/v1/runs/${runId}/approvals/publish`,
      { decision: "approved" },
      bearer(roleless.secret),
    );
    expect(none.status).toBe(403);
    expect(none.body.error.message).toContain('the calling key "roleless" has the roles: none');
  });

  it("accepts a key with the role and records who decided from the key", async () => {
    const runId = await waitingRelease("1.0.1");
    const alice = await auth.createKey({ name: "alice", scopes: ["approve"], roles: ["ops"] });
    const approved = await postJson(
      `${auth.coordinator.url}/v1/runs/${runId}/approvals/publish`,
      { decision: "approved", by: "somebody-else" },
      bearer(alice.secret),
    );
    expect(approved.status).toBe(202);
    const result = await send(`${auth.coordinator.url}/v1/runs/${runId}/result?timeoutMs=20000`, {
      headers: bearer(starter),
    });
    expect(result.body).toMatchObject({ status: "completed", output: { approved: true, by: "alice" } });
    // The journal keeps the deciding key's id next to its name.
    const journal = await send(`${auth.coordinator.url}/v1/runs/${runId}/journal`, { headers: bearer(starter) });
    expect(journal.text).toContain(alice.id);
  });

  it("accepts a decision through the admin API with the role, `by` from the key", async () => {
    const runId = await waitingRelease("1.0.2");
    const bob = await auth.createKey({ name: "bob", scopes: ["approve"], roles: ["ops", "sre"] });
    const rejected = await postJson(
      `${auth.coordinator.url}/admin/v1/runs/${runId}/approvals/publish`,
      { decision: "rejected" },
      bearer(bob.secret),
    );
    expect(rejected.status).toBe(200);
    const result = await send(`${auth.coordinator.url}/v1/runs/${runId}/result?timeoutMs=20000`, {
      headers: bearer(starter),
    });
    expect(result.body).toMatchObject({ output: { approved: false, by: "bob" } });
  });
});
