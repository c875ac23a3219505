import { metrics } from "@opentelemetry/api";
import { afterEach, describe, expect, it } from "vitest";
import { logsRequested } from "./logs-setup.js";
import { type MetricsExport, metricsRequested, startMetricsExport } from "./metrics-setup.js";

const started: MetricsExport[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((e) => e.shutdown()));
});

function start(options: Parameters<typeof startMetricsExport>[2], env: NodeJS.ProcessEnv = {}): MetricsExport {
  const exported = startMetricsExport({ serviceName: "prom-test", serviceVersion: "1.2.3" }, env, options);
  if (!exported) throw new Error("nothing was installed");
  started.push(exported);
  return exported;
}

describe("startMetricsExport with a Prometheus port", () => {
  it("serves the counts and histograms recorded on the global meter at GET /metrics", async () => {
    const exported = start({ prometheus: { port: 0, host: "127.0.0.1" } });
    const address = await exported.prometheus!;
    expect(address.url).toBe(`http://127.0.0.1:${address.port}/metrics`);

    const meter = metrics.getMeter("agnt5.user");
    const counter = meter.createCounter("orders.count");
    const histogram = meter.createHistogram("latency.ms");
    for (let i = 0; i < 7; i++) counter.add(1, { region: "eu" });
    counter.add(5, { region: "us" });
    for (const value of [3, 30, 300]) histogram.record(value, { endpoint: "/pay" });

    const response = await fetch(address.url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    expect(text).toMatch(/^orders_count_total\{region="eu"[^}]*\} 7$/m);
    expect(text).toMatch(/^orders_count_total\{region="us"[^}]*\} 5$/m);
    expect(text).toMatch(/^latency_ms_count\{endpoint="\/pay"[^}]*\} 3$/m);
    expect(text).toMatch(/^latency_ms_sum\{endpoint="\/pay"[^}]*\} 333$/m);
    expect(text).toMatch(/^target_info\{[^}]*service_name="prom-test"/m);
  });

  it("answers other paths with 404 in the error shape", async () => {
    const address = await start({ prometheus: { port: 0, host: "127.0.0.1" } }).prometheus!;
    const response = await fetch(`http://127.0.0.1:${address.port}/other`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
  });

  it("rejects the address when the port is taken, and stops listening on shutdown", async () => {
    const first = start({ prometheus: { port: 0, host: "127.0.0.1" } });
    const { port } = await first.prometheus!;
    await first.shutdown();
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();

    const holder = start({ prometheus: { port: 0, host: "127.0.0.1" } });
    const taken = (await holder.prometheus!).port;
    await holder.shutdown();
    const { createServer } = await import("node:http");
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(taken, "127.0.0.1", resolve));
    try {
      await expect(start({ prometheus: { port: taken, host: "127.0.0.1" } }).prometheus).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it("shares one installation: a second user gets no endpoint of its own", async () => {
    const first = start({ prometheus: { port: 0, host: "127.0.0.1" } });
    const second = start({ prometheus: { port: 0, host: "127.0.0.1" } });
    expect(second.prometheus).toBeUndefined();
    const { url } = await first.prometheus!;
    await second.shutdown();
    expect((await fetch(url)).status).toBe(200);
  });

  it("installs nothing without a port or an OTEL_* request", () => {
    expect(startMetricsExport({ serviceName: "x" }, {})).toBeUndefined();
  });
});

describe("what the OTEL_* variables ask for", () => {
  it("metrics and logs follow the OTLP endpoint, their own exporter variable and OTEL_SDK_DISABLED", () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" };
    for (const requested of [metricsRequested, logsRequested]) {
      expect(requested({})).toBe(false);
      expect(requested(endpoint)).toBe(true);
      expect(requested({ ...endpoint, OTEL_SDK_DISABLED: "true" })).toBe(false);
    }
    expect(metricsRequested({ ...endpoint, OTEL_METRICS_EXPORTER: "none" })).toBe(false);
    expect(logsRequested({ ...endpoint, OTEL_LOGS_EXPORTER: "none" })).toBe(false);
    expect(logsRequested({ OTEL_LOGS_EXPORTER: "otlp" })).toBe(true);
    expect(logsRequested({ OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: "http://collector:4318/v1/logs" })).toBe(true);
    expect(logsRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://collector:4318/v1/traces" })).toBe(false);
  });
});
