import { context, trace } from "@opentelemetry/api";
import { logs } from "@opentelemetry/api-logs";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs";
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import { afterAll, describe, expect, it } from "vitest";
import { createWorkerLogger } from "../logger.js";
import { installOpenTelemetryLogging, removeOpenTelemetryLogging } from "./otel-logging.js";

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const tracer = new BasicTracerProvider().getTracer("test");
// What the worker's OTLP log export would receive.
const exported = new InMemoryLogRecordExporter();
logs.setGlobalLoggerProvider(
  new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: exported })] }),
);
afterAll(() => {
  removeOpenTelemetryLogging();
  context.disable();
  logs.disable();
});

describe("installOpenTelemetryLogging()", () => {
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

describe("installOpenTelemetryLogging(): log records", () => {
  it("emits every line written after install as a record with the span's ids, bindings and fields", () => {
    const destination = { write: () => {} } as unknown as NodeJS.WritableStream;
    const logger = createWorkerLogger({ level: "debug", format: "json", destination }).child({ invocationId: "inv-2" });
    const span = tracer.startSpan("invocation");
    const inSpan = (write: () => void) => context.with(trace.setSpan(context.active(), span), write);

    exported.reset();
    logger.info("before install");
    installOpenTelemetryLogging({ level: "info" });
    inSpan(() => logger.info({ order: "o-1", amount: 12, items: ["a"] }, "charging %s", "now"));
    inSpan(() => logger.debug("below the installed level"));
    // ctx.log() passes an undefined message along: not part of the body.
    (logger.warn as (...args: unknown[]) => void)("outside any span", undefined);
    logger.error(new TypeError("boom"));
    removeOpenTelemetryLogging();
    logger.info("after remove");
    span.end();

    const records = exported.getFinishedLogRecords();
    expect(records.map((record) => [record.severityText, record.body])).toEqual([
      ["INFO", "charging now"],
      ["WARN", "outside any span"],
      ["ERROR", "boom"],
    ]);
    const [charging, outside, failure] = records;
    expect(charging!.spanContext).toMatchObject({
      traceId: span.spanContext().traceId,
      spanId: span.spanContext().spanId,
    });
    expect(charging!.attributes).toEqual({
      name: "agnt5.worker",
      invocationId: "inv-2",
      order: "o-1",
      amount: 12,
      items: '["a"]',
    });
    expect(charging!.instrumentationScope.name).toBe("agnt5.worker");
    expect(outside!.spanContext).toBeUndefined();
    expect(failure!.attributes).toMatchObject({ "exception.type": "TypeError", "exception.message": "boom" });
  });
});
