// Traces that follow a run across processes: a coordinator and two worker processes export OTLP
// (JSON over HTTP) to a receiver started by the test. The run of a workflow with two steps, a model
// call, a child call to the other worker and a durable sleep (it suspends twice) is one trace under
// the caller's traceparent: the HTTP span, the workflow's invocation spans (one per resume), a
// span per journaled operation, the model call with GenAI attributes, and the child's spans under
// the parent's call span.
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postJson, TestCluster } from "./support/cluster.js";
import { OtlpReceiver, type ReceivedSpan } from "./support/otlp-receiver.js";
import { createTestStore, type TestStore } from "./support/stores.js";

const tracedWorker = fileURLToPath(new URL("./fixtures/traced-worker.mjs", import.meta.url));
const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN = "00f067aa0ba902b7";

describe("distributed tracing", () => {
  let receiver: OtlpReceiver;
  let store: TestStore;
  let cluster: TestCluster;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    store = await createTestStore("postgres");
    cluster = await TestCluster.create(store, {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      // Export every 50 ms (spans, log records) and 200 ms (metrics), so they arrive while the test waits.
      OTEL_BSP_SCHEDULE_DELAY: "50",
      OTEL_BLRP_SCHEDULE_DELAY: "50",
      OTEL_METRIC_EXPORT_INTERVAL: "200",
    });
    await cluster.startCoordinator();
    await cluster.startWorker({ E2E_ROLE: "child", AGNT5_SUSPEND_AFTER_MS: "0" }, tracedWorker);
    await cluster.startWorker({ E2E_ROLE: "parent", AGNT5_SUSPEND_AFTER_MS: "0" }, tracedWorker);
  }, 120_000);

  afterAll(async () => {
    await cluster?.dispose();
    await store?.dispose();
    await receiver?.close();
  }, 60_000);

  it("exports one trace under the caller's traceparent, across two workers and two suspensions", async () => {
    const answer = await postJson(
      `${cluster.url}/v1/services/traced-parent/traced_flow`,
      { name: "Ada" },
      { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` },
    );
    expect(answer.status, answer.text).toBe(200);
    expect(answer.json).toEqual({ text: "hi", child: 6 });
    // The answer names the gateway's span in the caller's trace.
    expect(answer.headers.get("traceparent")).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));

    const spans = await receiver.until((received) => {
      const ofTrace = received.filter((span) => span.traceId === TRACE_ID);
      return (
        ofTrace.some((s) => s.name === "step double") &&
        ofTrace.some((s) => s.service === "agnt5-coordinator") &&
        ofTrace.filter((s) => s.name === "workflow traced_flow").length >= 3
      );
    });
    const trace = spans.filter((span) => span.traceId === TRACE_ID);
    const byId = new Map(trace.map((span) => [span.spanId, span]));
    const one = (name: string): ReceivedSpan => {
      const found = trace.filter((span) => span.name === name);
      expect(
        found.map((span) => span.name),
        name,
      ).toEqual([name]);
      return found[0]!;
    };
    const parentOf = (span: ReceivedSpan) => byId.get(span.parentSpanId);

    // The gateway's SERVER span, under the caller's span.
    const http = one("POST /v1/services/:service/:handler");
    expect(http).toMatchObject({ service: "agnt5-coordinator", parentSpanId: CALLER_SPAN, kind: 2 });
    expect(answer.headers.get("traceparent")).toContain(http.spanId);

    // The workflow ran three times (first run, resume after the child, resume after the sleep):
    // every run's span hangs under the HTTP span.
    const runs = trace.filter((span) => span.name === "workflow traced_flow");
    expect(runs).toHaveLength(3);
    for (const run of runs) {
      expect(run.service).toBe("traced-parent");
      expect(run.parentSpanId).toBe(http.spanId);
    }
    expect(runs.map((run) => run.attributes["agnt5.outcome"]).sort()).toEqual(["completed", "suspended", "suspended"]);

    // Each journaled operation once, under the run that did it (replays make no spans).
    for (const name of [
      "step a",
      "step llm:scripted/scripted-model",
      "step b",
      "call traced-child/child_fn",
      "timer sleep",
    ]) {
      const matches = trace.filter((span) => span.name === name);
      expect(matches, name).toHaveLength(1);
      expect(parentOf(matches[0]!)?.name, name).toBe("workflow traced_flow");
    }
    expect(trace.filter((span) => span.name.startsWith("step ")).map((span) => span.name)).toEqual(
      expect.arrayContaining(["step a", "step b", "step double"]),
    );

    // The model call, with GenAI attributes, under its step.
    const chat = trace.find((span) => span.attributes["gen_ai.operation.name"] === "chat");
    expect(chat?.attributes).toMatchObject({
      "gen_ai.usage.input_tokens": 12,
      "gen_ai.usage.output_tokens": 3,
      "gen_ai.response.finish_reasons": ["stop"],
    });
    expect(parentOf(chat!)?.name).toMatch(/^step llm:/);

    // The child, in the other process, under the parent's call span.
    const call = trace.find(
      (span) => span.name.startsWith("call ") && span.attributes["agnt5.entry.name"] === "traced-child/child_fn",
    );
    expect(call).toBeDefined();
    const child = one("function child_fn");
    expect(child).toMatchObject({ service: "traced-child", parentSpanId: call!.spanId });
    expect(parentOf(one("step double"))?.spanId).toBe(child.spanId);
  }, 120_000);

  it("exports the handler's ctx.log() lines as OTLP log records in the run's trace (installOpenTelemetryLogging)", async () => {
    const traceId = "5bf92f3577b34da6a3ce929d0e0e4737";
    const answer = await postJson(
      `${cluster.url}/v1/services/traced-parent/traced_flow`,
      { name: "Cy" },
      { traceparent: `00-${traceId}-${CALLER_SPAN}-01` },
    );
    expect(answer.status, answer.text).toBe(200);
    const done = (received: typeof receiver.logs) =>
      received.filter((record) => record.body === "traced_flow done" && record.traceId === traceId);
    const [line, ...more] = done(await receiver.untilLogs((received) => done(received).length > 0));
    // Written once: the replays before the last resume are quiet.
    expect(more).toEqual([]);
    expect(line).toMatchObject({
      service: "traced-parent",
      severityText: "INFO",
      attributes: { component: "traced_flow", attempt: expect.any(Number) },
    });
    expect(line!.attributes.invocationId).toEqual(expect.any(String));
    // The record's span is the last run of the workflow, in the caller's trace.
    const spans = await receiver.until((received) => received.some((span) => span.spanId === line!.spanId));
    const span = spans.find((candidate) => candidate.spanId === line!.spanId);
    expect(span).toMatchObject({ traceId, name: "workflow traced_flow", attributes: { "agnt5.outcome": "completed" } });
  }, 120_000);

  it("exports the handler's ctx.metrics() counters over OTLP, once per run", async () => {
    const answer = await postJson(`${cluster.url}/v1/services/traced-parent/traced_flow`, { name: "Bo" });
    expect(answer.status, answer.text).toBe(200);
    // The counter is incremented after the run's last journal entry: exported once, with the labels.
    const ofBo = (received: typeof receiver.points) =>
      received.filter((point) => point.metric === "traced_flow.completed" && point.attributes.name === "Bo");
    const points = await receiver.untilPoints((received) => ofBo(received).length > 0);
    const ours = ofBo(points);
    expect(Math.max(...ours.map((point) => point.value))).toBe(1);
    expect(ours.at(-1)).toMatchObject({
      service: "traced-parent",
      attributes: { greeting: "hi", "agnt5.component": "traced_flow", "agnt5.service": "traced-parent" },
    });
  }, 120_000);
});
