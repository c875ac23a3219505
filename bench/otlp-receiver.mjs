// An in-process OTLP/HTTP receiver (the JSON encoding the OpenTelemetry exporters send by default)
// for the bench's --tracing runs and for `npm run docs:trace`: it answers every export with 200,
// counts what arrives and, when asked to, keeps the spans decoded.
import { createServer } from "node:http";

function anyValue(value) {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(anyValue);
  return undefined;
}

const attributesOf = (list) => Object.fromEntries((list ?? []).map(({ key, value }) => [key, anyValue(value)]));

/**
 * @param {{ keepSpans?: boolean }} options keepSpans: decode and keep spans (docs); otherwise only count.
 * @returns {Promise<{ url: string, spans: object[], counts: { requests: number, spans: number, bytes: number },
 *   until(done: (spans: object[]) => boolean): Promise<object[]>, close(): Promise<void> }>}
 */
export async function startOtlpReceiver({ keepSpans = false } = {}) {
  const spans = [];
  const counts = { requests: 0, spans: 0, bytes: 0 };
  let waiters = [];
  const server = createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks);
      counts.requests++;
      counts.bytes += body.length;
      if (request.url === "/v1/traces") {
        for (const resourceSpans of JSON.parse(body.toString("utf8")).resourceSpans ?? []) {
          const service = String(attributesOf(resourceSpans.resource?.attributes)["service.name"] ?? "");
          for (const scope of resourceSpans.scopeSpans ?? []) {
            for (const span of scope.spans ?? []) {
              counts.spans++;
              if (!keepSpans) continue;
              spans.push({
                service,
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId ?? "",
                name: span.name,
                kind: span.kind,
                startNs: BigInt(span.startTimeUnixNano),
                endNs: BigInt(span.endTimeUnixNano),
                attributes: attributesOf(span.attributes),
                status: span.status ?? {},
              });
            }
          }
        }
        const ready = waiters.filter((waiter) => waiter.done(spans));
        waiters = waiters.filter((waiter) => !ready.includes(waiter));
        for (const waiter of ready) waiter.resolve(spans);
      }
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    spans,
    counts,
    until: (done) => (done(spans) ? Promise.resolve(spans) : new Promise((resolve) => waiters.push({ done, resolve }))),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
