import { context, trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { startTracing, tracingRequested } from "./tracing-setup.js";

// No span is ended, so nothing is exported to this address.
const env = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9" };

/** The span active inside a callback run with `span` made active: undefined without async context tracking. */
async function activeAcrossAwait(): Promise<boolean> {
  const span = trace.getTracer("test").startSpan("parent");
  return context.with(trace.setSpan(context.active(), span), async () => {
    await Promise.resolve();
    return trace.getActiveSpan() === span;
  });
}

describe("startTracing", () => {
  it("installs nothing unless the OTEL_* variables ask for traces", () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: "otlp" })).toBe(true);
    expect(tracingRequested({ ...env, OTEL_TRACES_EXPORTER: "none" })).toBe(false);
    expect(startTracing({ serviceName: "s" }, {})).toBeUndefined();
  });

  it("tracks the active span across awaits only when asked, and adds it for a later user that needs it", async () => {
    const coordinator = startTracing({ serviceName: "coordinator" }, env, { asyncContext: false });
    expect(coordinator).toBeDefined();
    expect(await activeAcrossAwait()).toBe(false);

    const worker = startTracing({ serviceName: "worker" }, env);
    expect(await activeAcrossAwait()).toBe(true);

    await worker!.shutdown();
    await coordinator!.shutdown();
    expect(await activeAcrossAwait()).toBe(false);
  });
});
