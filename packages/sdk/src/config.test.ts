import { describe, expect, it } from "vitest";
import { resolveWorkerConfig } from "./config.js";
import { ConfigError } from "./config-error.js";

describe("resolveWorkerConfig", () => {
  it("uses the seed's defaults when only the service name is given", () => {
    const config = resolveWorkerConfig({ serviceName: "hello-service", logFormat: "json" }, {});
    expect(config).toMatchObject({
      serviceName: "hello-service",
      serviceVersion: "1.0.0",
      coordinatorEndpoint: "http://localhost:9091",
      coordinator: { address: "localhost:9091", tls: false },
      runtime: "standalone",
      logLevel: "info",
      maxConcurrency: 100,
      shutdownGraceMs: 30_000,
      httpPort: 8000,
    });
  });

  it("takes AGNT5_* environment variables over the defaults", () => {
    const config = resolveWorkerConfig(
      {},
      {
        AGNT5_SERVICE_NAME: "env-service",
        AGNT5_SERVICE_VERSION: "2.0.0",
        AGNT5_COORDINATOR_ENDPOINT: "https://coordinator.agnt5.com",
        AGNT5_RUNTIME: "asgi",
        AGNT5_LOG_LEVEL: "DEBUG",
        AGNT5_LOG_FORMAT: "pretty",
        AGNT5_MAX_CONCURRENCY: "8",
        AGNT5_SHUTDOWN_GRACE_MS: "500",
        AGNT5_WORKER_HTTP_PORT: "9000",
      },
    );
    expect(config).toMatchObject({
      serviceName: "env-service",
      serviceVersion: "2.0.0",
      coordinator: { address: "coordinator.agnt5.com:443", tls: true },
      runtime: "http",
      logLevel: "debug",
      logFormat: "pretty",
      maxConcurrency: 8,
      shutdownGraceMs: 500,
      httpPort: 9000,
    });
  });

  it("takes constructor options over environment variables", () => {
    const config = resolveWorkerConfig(
      {
        serviceName: "explicit-service",
        coordinatorEndpoint: "127.0.0.1:7000",
        runtime: "standalone",
        maxConcurrency: 3,
        logLevel: "warn",
      },
      {
        AGNT5_SERVICE_NAME: "env-service",
        AGNT5_COORDINATOR_ENDPOINT: "http://other:1",
        AGNT5_RUNTIME: "http",
        AGNT5_MAX_CONCURRENCY: "8",
      },
    );
    expect(config).toMatchObject({
      serviceName: "explicit-service",
      coordinator: { address: "127.0.0.1:7000", tls: false },
      runtime: "standalone",
      maxConcurrency: 3,
      logLevel: "warn",
    });
  });

  it("reads suspendAfterMs from the option, then AGNT5_SUSPEND_AFTER_MS, default 1000", () => {
    expect(resolveWorkerConfig({ serviceName: "s" }, {}).suspendAfterMs).toBe(1000);
    expect(resolveWorkerConfig({ serviceName: "s" }, { AGNT5_SUSPEND_AFTER_MS: "0" }).suspendAfterMs).toBe(0);
    expect(
      resolveWorkerConfig({ serviceName: "s", suspendAfterMs: 250 }, { AGNT5_SUSPEND_AFTER_MS: "0" }).suspendAfterMs,
    ).toBe(250);
    expect(() => resolveWorkerConfig({ serviceName: "s" }, { AGNT5_SUSPEND_AFTER_MS: "-1" })).toThrow(
      /suspendAfterMs "-1"/,
    );
  });

  it("falls back to PORT for the HTTP runtime, below AGNT5_WORKER_HTTP_PORT", () => {
    expect(resolveWorkerConfig({ serviceName: "s" }, { PORT: "3000" }).httpPort).toBe(3000);
    expect(resolveWorkerConfig({ serviceName: "s" }, { PORT: "3000", AGNT5_WORKER_HTTP_PORT: "4000" }).httpPort).toBe(
      4000,
    );
  });

  it("serves no Prometheus port unless metricsPort or AGNT5_METRICS_PORT gives one", () => {
    expect(resolveWorkerConfig({ serviceName: "s" }, {}).metricsPort).toBeUndefined();
    expect(resolveWorkerConfig({ serviceName: "s" }, { AGNT5_METRICS_PORT: "9464" }).metricsPort).toBe(9464);
    expect(resolveWorkerConfig({ serviceName: "s", metricsPort: 0 }, { AGNT5_METRICS_PORT: "9464" }).metricsPort).toBe(
      0,
    );
    expect(() => resolveWorkerConfig({ serviceName: "s" }, { AGNT5_METRICS_PORT: "70000" })).toThrow(
      /metricsPort "70000"/,
    );
  });

  it("fails with an error naming AGNT5_SERVICE_NAME when no service name is given", () => {
    expect(() => resolveWorkerConfig({}, {})).toThrow(ConfigError);
    expect(() => resolveWorkerConfig({ serviceName: "  " }, {})).toThrow(/AGNT5_SERVICE_NAME/);
  });

  it("rejects values it cannot use, naming the setting", () => {
    expect(() => resolveWorkerConfig({ serviceName: "s", runtime: "lambda" as never }, {})).toThrow(/runtime "lambda"/);
    expect(() => resolveWorkerConfig({ serviceName: "s" }, { AGNT5_MAX_CONCURRENCY: "lots" })).toThrow(
      /maxConcurrency/,
    );
    expect(() => resolveWorkerConfig({ serviceName: "s" }, { AGNT5_LOG_LEVEL: "chatty" })).toThrow(/log level/);
    expect(() => resolveWorkerConfig({ serviceName: "s", coordinatorEndpoint: "ftp://x:1" }, {})).toThrow(
      /coordinator endpoint/,
    );
  });

  it("accepts every coordinator endpoint form", () => {
    const target = (endpoint: string) =>
      resolveWorkerConfig({ serviceName: "s", coordinatorEndpoint: endpoint }, {}).coordinator;
    expect(target("http://localhost:9091")).toEqual({ address: "localhost:9091", tls: false });
    expect(target("https://coordinator.example.com:8443")).toEqual({
      address: "coordinator.example.com:8443",
      tls: true,
    });
    expect(target("coordinator:9091")).toEqual({ address: "coordinator:9091", tls: false });
    expect(target("http://[::1]:9091")).toEqual({ address: "[::1]:9091", tls: false });
    expect(target("unix:/run/agnt5.sock")).toEqual({ address: "unix:/run/agnt5.sock", tls: false });
    expect(target("unix:///run/agnt5.sock")).toEqual({ address: "unix:/run/agnt5.sock", tls: false });
  });

  it("refuses an endpoint that is not one of the forms, naming the setting and the forms (not retried forever)", () => {
    const expected =
      /Invalid coordinator endpoint "notaurl" \(coordinatorEndpoint \/ AGNT5_COORDINATOR_ENDPOINT\): expected "host:port", "http:\/\/host:port", "https:\/\/host:port" or "unix:\/path\/to\/socket"/;
    expect(() => resolveWorkerConfig({ serviceName: "s", coordinatorEndpoint: "notaurl" }, {})).toThrow(expected);
    expect(() => resolveWorkerConfig({ serviceName: "s" }, { AGNT5_COORDINATOR_ENDPOINT: "notaurl" })).toThrow(
      expected,
    );
    for (const endpoint of ["coordinator", "localhost:", "host:port", "http://", "unix:", "tcp://host:1"]) {
      let error: unknown;
      try {
        resolveWorkerConfig({ serviceName: "s", coordinatorEndpoint: endpoint }, {});
      } catch (caught) {
        error = caught;
      }
      expect(error, endpoint).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({
        code: "INVALID_CONFIG",
        setting: "coordinatorEndpoint / AGNT5_COORDINATOR_ENDPOINT",
      });
    }
  });
  it("takes several coordinator endpoints, as an array or comma-separated, the tls option applying to each", () => {
    const fromArray = resolveWorkerConfig(
      { serviceName: "s", coordinatorEndpoint: ["https://a:9091", "b:9091"], tls: { caFile: "/ca.pem" } },
      {},
    );
    expect(fromArray.coordinators).toEqual([
      { endpoint: "https://a:9091", target: { address: "a:9091", tls: true }, tls: { caFile: "/ca.pem" } },
      { endpoint: "b:9091", target: { address: "b:9091", tls: true }, tls: { caFile: "/ca.pem" } },
    ]);
    // The first endpoint stays in the single-endpoint fields.
    expect(fromArray).toMatchObject({ coordinatorEndpoint: "https://a:9091", coordinator: { address: "a:9091" } });
    const fromEnv = resolveWorkerConfig(
      { serviceName: "s" },
      { AGNT5_COORDINATOR_ENDPOINT: " http://a:9091 ,http://b:9091,unix:/run/c.sock" },
    );
    expect(fromEnv.coordinators.map((c) => [c.endpoint, c.target.address, c.tls])).toEqual([
      ["http://a:9091", "a:9091", undefined],
      ["http://b:9091", "b:9091", undefined],
      ["unix:/run/c.sock", "unix:/run/c.sock", undefined],
    ]);
    expect(resolveWorkerConfig({ serviceName: "s" }, {}).coordinators).toHaveLength(1);
  });

  it("refuses a bad entry in an endpoint list, naming the entry and where it is", () => {
    expect(() => resolveWorkerConfig({ serviceName: "s" }, { AGNT5_COORDINATOR_ENDPOINT: "a:1,notaurl,b:2" })).toThrow(
      'Invalid coordinator endpoint "notaurl" (entry 2 of 3 in "a:1,notaurl,b:2", coordinatorEndpoint / AGNT5_COORDINATOR_ENDPOINT): expected',
    );
    expect(() => resolveWorkerConfig({ serviceName: "s", coordinatorEndpoint: ["a:1", " "] }, {})).toThrow(
      'Invalid coordinator endpoint " " (entry 2 of 2 in "a:1, "',
    );
    expect(() => resolveWorkerConfig({ serviceName: "s" }, { AGNT5_COORDINATOR_ENDPOINT: "a:1," })).toThrow(
      /entry 2 of 2/,
    );
    expect(() => resolveWorkerConfig({ serviceName: "s", coordinatorEndpoint: [] }, {})).toThrow(
      "coordinatorEndpoint is an empty list",
    );
  });
});
