// Worker tokens on the gRPC stream, with real SDK workers against a real coordinator (PostgreSQL):
// a wrong or missing token is refused UNAUTHENTICATED, a token registering a service outside its
// list PERMISSION_DENIED naming the service; the worker logs it as an error and retries at its
// backoff ceiling, not at full speed. A token for the service registers and serves calls.
import { once } from "node:events";
import { fn, Registry, Worker } from "@agnt5/sdk";
import { status as GrpcStatus } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuthTestCoordinator, bearer, startAuthCoordinator } from "../test-support/auth-keys.js";
import { postJson } from "../test-support/http.js";
import { capturingLogger } from "../test-support/test-engine.js";
import { startTestWorker } from "../test-support/test-worker.js";

const MAX_DELAY_MS = 30_000;

function registry() {
  const r = new Registry();
  fn({ name: "ping", registry: r }, () => "pong");
  return r;
}

/** A worker that is expected to be refused: resolves with its first disconnection and what it logged. */
async function refusedWorker(endpoint: string, serviceName: string, token: string | undefined) {
  const captured = capturingLogger();
  const worker = new Worker({
    serviceName,
    coordinatorEndpoint: endpoint,
    registry: registry(),
    handleSignals: false,
    catchUnhandledRejections: false,
    logger: captured.logger,
    reconnectBackoff: { initialDelayMs: 1, maxDelayMs: MAX_DELAY_MS },
    ...(token === undefined ? {} : { token }),
  });
  const disconnected = once(worker, "disconnected");
  const running = worker.run();
  const [info] = (await disconnected) as [{ code: number; details: string; retryInMs: number }];
  await worker.stop();
  await running;
  return { info, lines: captured.lines };
}

describe("worker tokens (PostgreSQL)", () => {
  let auth: AuthTestCoordinator;

  beforeAll(async () => {
    // The SDK reads AGNT5_WORKER_TOKEN when no token option is given: none may leak in from the shell.
    delete process.env.AGNT5_WORKER_TOKEN;
    auth = await startAuthCoordinator("postgres");
  });
  afterAll(() => auth?.close());

  it("refuses a wrong token with UNAUTHENTICATED; the worker logs an error and retries at its ceiling", async () => {
    const wrong = "agnt5_wt_not-a-real-token-not-a-real-token-xxxx";
    const { info, lines } = await refusedWorker(auth.coordinator.endpoint, "billing", wrong);
    expect(info.code).toBe(GrpcStatus.UNAUTHENTICATED);
    expect(info.details).toContain("Worker token refused");
    expect(info.details).toContain("The worker token is not valid (unknown or revoked)");
    // A worker is never told about API keys: it needs a worker token.
    expect(info.details).not.toContain("API key");
    expect(info.details).toContain("AGNT5_WORKER_TOKEN");
    expect(info.details).not.toContain(wrong);
    expect(info.retryInMs).toBe(MAX_DELAY_MS);
    const logged = lines.find(
      (line) => line.level === 50 && String(line.msg).includes("rejected the worker's registration"),
    );
    expect(logged?.msg).toContain("UNAUTHENTICATED");
    expect(JSON.stringify(lines)).not.toContain(wrong);
  });

  it("refuses a worker without a token", async () => {
    const { info } = await refusedWorker(auth.coordinator.endpoint, "billing", undefined);
    expect(info.code).toBe(GrpcStatus.UNAUTHENTICATED);
    expect(info.details).toContain("Missing Authorization header: send Authorization: Bearer <worker token>");
    expect(info.details).not.toContain("API key");
  });

  it("refuses an API key without the worker scope, with PERMISSION_DENIED", async () => {
    const key = await auth.createKey({ name: "client", scopes: ["call", "read"] });
    const { info } = await refusedWorker(auth.coordinator.endpoint, "billing", key.secret);
    expect(info.code).toBe(GrpcStatus.PERMISSION_DENIED);
    expect(info.details).toContain('"worker" scope');
  });

  it("refuses a token registering a service outside its list, naming the service", async () => {
    const token = await auth.createKey({ name: "billing-only", kind: "worker_token", services: ["billing"] });
    const { info } = await refusedWorker(auth.coordinator.endpoint, "shipping", token.secret);
    expect(info.code).toBe(GrpcStatus.PERMISSION_DENIED);
    expect(info.details).toContain('may not register service "shipping"');
    expect(info.details).toContain('"billing"');
  });

  it("refuses a revoked token", async () => {
    const token = await auth.createKey({ name: "old", kind: "worker_token", services: ["*"] });
    await auth.admin.revokeKey(token.id);
    const { info } = await refusedWorker(auth.coordinator.endpoint, "billing", token.secret);
    expect(info.code).toBe(GrpcStatus.UNAUTHENTICATED);
  });

  it("closes the open stream of a worker whose token is revoked, and refuses it when it reconnects", async () => {
    const token = await auth.createKey({ name: "to-revoke", kind: "worker_token", services: ["audit"] });
    await using worker = await startTestWorker({
      serviceName: "audit",
      endpoint: auth.coordinator.endpoint,
      registry: registry(),
      token: token.secret,
    });
    const dropped = once(worker.worker, "disconnected");
    await auth.admin.revokeKey(token.id);
    const [info] = (await dropped) as [{ code: number; details: string }];
    expect(info).toMatchObject({ code: GrpcStatus.UNAUTHENTICATED, details: "The worker token was revoked" });
    const [again] = (await once(worker.worker, "disconnected")) as [{ code: number; details: string }];
    expect(again.code).toBe(GrpcStatus.UNAUTHENTICATED);
    expect(again.details).toContain("Worker token refused");
  });

  it("registers with a token for its service and serves calls made with an API key", async () => {
    const token = await auth.createKey({ name: "billing-workers", kind: "worker_token", services: ["billing"] });
    await using _worker = await startTestWorker({
      serviceName: "billing",
      endpoint: auth.coordinator.endpoint,
      registry: registry(),
      token: token.secret,
    });
    const caller = await auth.createKey({ name: "caller", scopes: ["call"] });
    const answer = await postJson(`${auth.coordinator.url}/v1/services/billing/ping`, null, bearer(caller.secret));
    expect(answer.status).toBe(200);
    expect(answer.body).toBe("pong");
  });
});
