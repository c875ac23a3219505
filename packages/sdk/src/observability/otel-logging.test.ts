import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import { afterAll, describe, expect, it } from "vitest";
import { createWorkerLogger } from "../logger.js";
import { installOpenTelemetryLogging, removeOpenTelemetryLogging } from "./otel-logging.js";

describe("installOpenTelemetryLogging()", () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const tracer = new BasicTracerProvider().getTracer("test");
  afterAll(() => {
    removeOpenTelemetryLogging();
    context.disable();
  });

  it("adds the active span's trace and span ids to worker log lines, until removed", () => {
    const lines: Array<Record<string, unknown>> = [];
    const destination = { write: (line: string) => lines.push(JSON.parse(line)) } as unknown as NodeJS.WritableStream;
    const logger = createWorkerLogger({ level: "info", format: "json", destination }).child({ invocationId: "inv-1" });
    const span = tracer.startSpan("invocation");
    const inSpan = (message: string) => context.with(trace.setSpan(context.active(), span), () => logger.info(message));

    inSpan("before install");
    const remove = installOpenTelemetryLogging();
    inSpan("installed");
    logger.info("outside any span");
    remove();
    inSpan("removed");
    span.end();

    const { traceId, spanId } = span.spanContext();
    expect(lines.map(({ msg, trace_id, span_id }) => ({ msg, trace_id, span_id }))).toEqual([
      { msg: "before install", trace_id: undefined, span_id: undefined },
      { msg: "installed", trace_id: traceId, span_id: spanId },
      { msg: "outside any span", trace_id: undefined, span_id: undefined },
      { msg: "removed", trace_id: undefined, span_id: undefined },
    ]);
    expect(lines[1]).toMatchObject({ invocationId: "inv-1", trace_flags: "01" });
  });
});
