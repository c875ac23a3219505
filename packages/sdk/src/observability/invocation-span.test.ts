import { trace } from "@opentelemetry/api";
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it } from "vitest";
import { startInvocationSpan, tracingInstalled } from "./invocation-span.js";

const facts = {
  invocationId: "inv-1",
  runId: "inv-1",
  attempt: 1,
  service: "svc",
  component: "echo",
  kind: "function",
  headers: {},
};

afterEach(() => trace.disable());

describe("tracingInstalled()", () => {
  it("is false while no tracer provider is registered: the runner then makes no span at all", () => {
    expect(tracingInstalled()).toBe(false);
  });

  it("is true once a provider is registered, and false again after it is removed", () => {
    trace.setGlobalTracerProvider(new BasicTracerProvider());
    expect(tracingInstalled()).toBe(true);
    const span = startInvocationSpan(facts);
    expect(span.recording).toBe(true);
    span.end({ type: "completed", value: null });
    trace.disable();
    expect(tracingInstalled()).toBe(false);
  });
});
