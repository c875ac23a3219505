// TLS end to end: a coordinator serving HTTPS and gRPC over TLS with certificates made by openssl in
// the test; an in-process Worker and the SDK Client over them; a wrong CA refused on both sides; and
// mutual TLS, where only a worker with a certificate from the client CA may connect.
import { Agnt5ClientError, Client, fetchTrustingCa, fn, Registry, Worker, type WorkerOptions } from "@agnt5/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPki, type TestPki } from "../test-support/test-certificates.js";
import { startTestCoordinator, type TestCoordinator } from "../test-support/test-coordinator.js";

const SERVICE = "tls-service";
let pki: TestPki;

beforeAll(() => {
  pki = createTestPki();
});
afterAll(() => pki[Symbol.dispose]());

function greeter(): Registry {
  const registry = new Registry();
  fn({ name: "greet", registry }, (name: string) => `Hello, ${name}!`);
  return registry;
}

function worker(coordinator: TestCoordinator, tls: WorkerOptions["tls"]): Worker {
  return new Worker({
    serviceName: SERVICE,
    coordinatorEndpoint: `https://127.0.0.1:${coordinator.grpcPort}`,
    registry: greeter(),
    tls,
    handleSignals: false,
    catchUnhandledRejections: false,
    logLevel: "silent",
    logFormat: "json",
    shutdownGraceMs: 1_000,
    reconnectBackoff: { initialDelayMs: 50, maxDelayMs: 200 },
  });
}

/** Runs the worker until it registers. */
async function registered(subject: Worker): Promise<void> {
  void subject.run();
  await subject.ready;
}

/** Runs the worker until its first attempt to connect fails; returns the status it failed with. */
async function refused(subject: Worker): Promise<{ code: number; details: string }> {
  const failure = new Promise<{ code: number; details: string }>((resolve, reject) => {
    subject.on("disconnected", (info) => resolve(info));
    subject.on("registered", () => reject(new Error("the worker registered; it should have been refused")));
  });
  void subject.run();
  try {
    return await failure;
  } finally {
    await subject.stop();
  }
}

/** The workers connected to the coordinator, over all services (none, after a refused worker). */
async function connectedWorkers(coordinator: TestCoordinator): Promise<unknown[]> {
  const response = await fetchTrustingCa({ file: pki.caFile })(`${coordinator.url}/v1/services`);
  const { services } = (await response.json()) as { services: Array<{ workers: unknown[] }> };
  return services.flatMap((service) => service.workers);
}

describe("TLS (server certificate from files)", () => {
  let coordinator: TestCoordinator;

  beforeAll(async () => {
    coordinator = await startTestCoordinator("postgres", {
      tls: { certFile: pki.serverCertFile, keyFile: pki.serverKeyFile },
    });
  });
  afterAll(() => coordinator?.close());

  it("serves HTTPS, and a worker and a client trusting the CA complete a call", async () => {
    expect(coordinator.url).toMatch(/^https:\/\//);
    const subject = worker(coordinator, { caFile: pki.caFile });
    try {
      await registered(subject);
      const client = new Client(coordinator.url, { ca: { file: pki.caFile } });
      await expect(client.call({ serviceName: SERVICE, handlerName: "greet", input: "TLS" })).resolves.toBe(
        "Hello, TLS!",
      );
    } finally {
      await subject.stop();
    }
  });

  it("refuses a client that trusts another CA, saying the certificate is not trusted", async () => {
    const client = new Client(coordinator.url, { ca: { file: pki.otherCaFile } });
    const error = await client.call({ serviceName: SERVICE, handlerName: "greet", input: "x" }).then(
      () => {
        throw new Error("the call succeeded with an untrusted certificate");
      },
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(Agnt5ClientError);
    expect((error as Agnt5ClientError).code).toBe("NETWORK_ERROR");
    expect((error as Error).message).toMatch(/TLS certificate is not trusted .*AGNT5_TLS_CA_FILE/);
  });

  it("refuses a worker that trusts another CA, and the worker never registers", async () => {
    const failure = await refused(worker(coordinator, { caFile: pki.otherCaFile }));
    expect(failure.code).toBe(14); // UNAVAILABLE: the handshake failed
    expect(failure.details).toContain("not trusted: set tls.caFile / AGNT5_TLS_CA_FILE to the CA that signed it");
    expect(await connectedWorkers(coordinator)).toEqual([]);
  });

  it("refuses plain HTTP on the HTTPS port", async () => {
    const plain = coordinator.url.replace("https://", "http://");
    const error = await new Client(plain)
      .call({ serviceName: SERVICE, handlerName: "greet", input: "x" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Agnt5ClientError);
  });
});

describe("mutual TLS (AGNT5_TLS_CLIENT_CA_FILE)", () => {
  let coordinator: TestCoordinator;

  beforeAll(async () => {
    coordinator = await startTestCoordinator("postgres", {
      tls: { certFile: pki.serverCertFile, keyFile: pki.serverKeyFile, clientCaFile: pki.caFile },
    });
  });
  afterAll(() => coordinator?.close());

  it("refuses a worker without a client certificate, telling it which settings to give", async () => {
    const failure = await refused(worker(coordinator, { caFile: pki.caFile }));
    expect(failure.code).toBe(14);
    expect(failure.details).toContain("the coordinator requires a client certificate (mutual TLS)");
    expect(await connectedWorkers(coordinator)).toEqual([]);
  });

  it("refuses a worker whose certificate another CA signed", async () => {
    const failure = await refused(worker(coordinator, { caFile: pki.caFile, ...pki.clientFromOtherCa }));
    expect(failure.code).toBe(14);
    expect(failure.details).toContain("must be signed by the CA in the coordinator's AGNT5_TLS_CLIENT_CA_FILE");
    expect(await connectedWorkers(coordinator)).toEqual([]);
  });

  it("accepts a worker with a certificate from the client CA, which then serves calls", async () => {
    const subject = worker(coordinator, { caFile: pki.caFile, ...pki.client });
    try {
      await registered(subject);
      const client = new Client(coordinator.url, { ca: { file: pki.caFile } });
      await expect(client.call({ serviceName: SERVICE, handlerName: "greet", input: "mTLS" })).resolves.toBe(
        "Hello, mTLS!",
      );
    } finally {
      await subject.stop();
    }
  });
});
