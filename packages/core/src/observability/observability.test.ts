import { context, metrics, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, describe, expect, it } from "vitest";
import { createExecutionContext } from "../context.js";
import { createLocalDurableContext } from "../local-durable-context.js";
import type { Logger } from "../logger.js";
import { chooseVariant, envConfig, staticConfig } from "./config.js";
import { createContextLogger } from "./context-logger.js";
import { envSecrets, REDACTED, SecretRedactor, secretRedactor } from "./secrets.js";

/** A Logger that keeps what it is given. */
function captureLogger(lines: Array<{ level: string; obj: unknown; message?: string }>, bindings = {}): Logger {
  const at =
    (level: string) =>
    (obj: object | string, message?: string): void => {
      if (typeof obj === "string") lines.push({ level, obj: { ...bindings }, message: obj });
      else lines.push({ level, obj: { ...bindings, ...obj }, message });
    };
  return {
    trace: at("trace"),
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: (more) => captureLogger(lines, { ...bindings, ...more }),
  };
}

describe("SecretRedactor", () => {
  it("replaces every known value in strings, nested fields, keys and errors, longest first", () => {
    const redactor = new SecretRedactor();
    redactor.add("sk-live-123");
    redactor.add("sk-live-123456");
    redactor.add("abc"); // too short to redact
    expect(redactor.redactText("key sk-live-123456 and sk-live-123 abc")).toBe(`key ${REDACTED} and ${REDACTED} abc`);
    const value = { nested: [{ token: "Bearer sk-live-123" }], "sk-live-123": 1, n: 5 };
    expect(redactor.redact(value)).toEqual({ nested: [{ token: `Bearer ${REDACTED}` }], [REDACTED]: 1, n: 5 });
    expect(value.nested[0]?.token).toBe("Bearer sk-live-123");
    const error = redactor.redact(new Error("failed with sk-live-123"));
    expect(error.message).toBe(`failed with ${REDACTED}`);
    const untouched = { a: "plain" };
    expect(redactor.redact(untouched)).toBe(untouched);
  });

  it("handles regular-expression characters and cycles", () => {
    const redactor = new SecretRedactor();
    redactor.add("p@ss.w*rd(1)");
    const cyclic: Record<string, unknown> = { text: "p@ss.w*rd(1)" };
    cyclic.self = cyclic;
    const copy = redactor.redact(cyclic);
    expect(copy.text).toBe(REDACTED);
    expect(copy.self).toBe(copy);
    expect(redactor.redactText("pXss.wwrd(1)")).toBe("pXss.wwrd(1)");
  });
});

describe("ctx.secrets()", () => {
  it("reads the environment (OPENAI_API_KEY for openai_api_key), registers the value for redaction, and require() names a missing key", async () => {
    const ctx = createLocalDurableContext({}, { secrets: envSecrets({ OPENAI_API_KEY: "sk-test-secret-value-1" }) });
    expect(await ctx.secrets().get("openai_api_key")).toBe("sk-test-secret-value-1");
    expect(secretRedactor.redactText("x sk-test-secret-value-1")).toBe(`x ${REDACTED}`);
    expect(await ctx.secrets().get("missing")).toBeUndefined();
    await expect(ctx.secrets().require("database_password")).rejects.toMatchObject({
      code: "SECRET_NOT_FOUND",
      message: expect.stringContaining('"database_password"'),
    });
  });

  it("never lets a secret into a ctx.log() line, in the message or a field", async () => {
    const lines: Array<{ level: string; obj: unknown; message?: string }> = [];
    const ctx = createLocalDurableContext(
      { logger: captureLogger(lines) },
      { secrets: { get: async (key) => (key === "db" ? "hunter2-db-password" : undefined) } },
    );
    const password = await ctx.secrets().require("db");
    ctx.log().info({ dsn: `postgres://app:${password}@db/app` }, `connecting with ${password}`);
    ctx.log().child({ password }).warn("child");
    expect(JSON.stringify(lines)).not.toContain("hunter2-db-password");
    expect(lines[0]).toEqual({
      level: "info",
      obj: { dsn: `postgres://app:${REDACTED}@db/app` },
      message: `connecting with ${REDACTED}`,
    });
    expect(lines[1]).toMatchObject({ obj: { password: REDACTED }, message: "child" });
  });
});

describe("ctx.log()", () => {
  it("is quiet while replaying and prints once the code runs past the journal", () => {
    const lines: Array<{ level: string; obj: unknown; message?: string }> = [];
    let replaying = true;
    const log = createContextLogger(captureLogger(lines), () => replaying, new SecretRedactor());
    log.info("recorded part");
    replaying = false;
    log.info("new part");
    expect(lines.map((line) => line.message)).toEqual(["new part"]);
  });
});

describe("ctx.config()", () => {
  it("get() returns the configured value or the default; env values are JSON when they parse", () => {
    const ctx = createLocalDurableContext(
      {},
      { config: envConfig({ AGNT5_CONFIG_NEW_FEATURE_ENABLED: "true", AGNT5_CONFIG_REGION: "eu-west" }) },
    );
    expect(ctx.config().get("new_feature_enabled", false)).toBe(true);
    expect(ctx.config().get("region", "us")).toBe("eu-west");
    expect(ctx.config().get("absent", 42)).toBe(42);
    expect(ctx.config().get("absent")).toBeUndefined();
  });

  it("variant() returns a fixed variant, the default without configuration, and draws weighted variants per run", async () => {
    const ctx = createLocalDurableContext(
      { runId: "run-a" },
      { config: staticConfig({ fixed: "treatment", split: { control: 1, treatment: 1 }, broken: [1] }) },
    );
    expect(await ctx.config().variant("fixed", "control")).toBe("treatment");
    expect(await ctx.config().variant("unset", "control")).toBe("control");
    expect(await ctx.config().variant("broken", "control")).toBe("control");
    // Sticky: the same run always lands in the same group; many runs spread over both.
    const drawn = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const first = chooseVariant({ control: 1, treatment: 1 }, `run-${i}:split`, "none");
      expect(chooseVariant({ control: 1, treatment: 1 }, `run-${i}:split`, "none")).toBe(first);
      drawn.add(first);
    }
    expect([...drawn].sort()).toEqual(["control", "treatment"]);
    expect(chooseVariant({ only: 5, never: 0 }, "x", "none")).toBe("only");
  });
});

describe("ctx.metrics() and ctx.traceSpan()", () => {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  trace.setGlobalTracerProvider(tracerProvider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  afterAll(() => {
    trace.disable();
    metrics.disable();
    context.disable();
  });

  it("records counters and histograms with the component label on the OpenTelemetry metrics API", async () => {
    const ctx = createLocalDurableContext(createExecutionContext({ componentName: "checkout" }));
    ctx.metrics().increment("requests.count", { service: "api" });
    ctx.metrics().increment("requests.count", { service: "api" }, 2);
    ctx.metrics().observe("latency.ms", 12.5, { endpoint: "/api/process" });
    const { resourceMetrics } = await reader.collect();
    const found = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
    const counter = found.find((metric) => metric.descriptor.name === "requests.count");
    expect(counter?.dataPoints[0]).toMatchObject({
      value: 3,
      attributes: { service: "api", "agnt5.component": "checkout" },
    });
    const histogram = found.find((metric) => metric.descriptor.name === "latency.ms");
    expect(histogram?.dataPoints[0]).toMatchObject({ value: { count: 1, sum: 12.5 } });
  });

  it("starts spans that end with `using`, with end() in a finally, and nest under run()", async () => {
    const ctx = createLocalDurableContext(createExecutionContext({ componentName: "pay", invocationId: "inv-9" }));
    {
      using span = ctx.traceSpan().start("external_api_call", { service: "payments" });
      span.setAttribute("http.status", 200);
    }
    await ctx.traceSpan().run("outer", async () => {
      const inner = ctx.traceSpan().start("inner");
      inner.end();
    });
    await expect(
      ctx.traceSpan().run("failing", () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    const finished = spans.getFinishedSpans();
    const byName = new Map(finished.map((span) => [span.name, span]));
    expect(byName.get("external_api_call")?.attributes).toMatchObject({
      service: "payments",
      "http.status": 200,
      "agnt5.component": "pay",
      "agnt5.invocation_id": "inv-9",
    });
    expect(byName.get("inner")?.parentSpanContext?.spanId).toBe(byName.get("outer")?.spanContext().spanId);
    expect(byName.get("failing")?.status).toMatchObject({ code: 2, message: "boom" });
  });
});
