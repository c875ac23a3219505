import { createServer, type Server } from "node:http";

/** A span as the OTLP/HTTP JSON encoding carries it, with its process's service.name. */
export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  status?: { code?: number; message?: string };
}

type AnyValue = {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: AnyValue[] };
};

function attributeValue(value: AnyValue | undefined): unknown {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(attributeValue);
  return undefined;
}

function attributesOf(list: Array<{ key: string; value: AnyValue }> | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, attributeValue(value)]));
}

/** A log record as OTLP logs carry it, with its process's service.name. */
export interface ReceivedLog {
  service: string;
  traceId: string;
  spanId: string;
  severityText: string;
  body: unknown;
  attributes: Record<string, unknown>;
}

/** A counter's data point as OTLP metrics carry it. */
export interface ReceivedPoint {
  service: string;
  metric: string;
  value: number;
  attributes: Record<string, unknown>;
}

/**
 * An in-process OTLP/HTTP trace, metrics and logs receiver (the JSON encoding the OTLP/HTTP exporter
 * sends by default): what the workers and the coordinator export, decoded, with a way to await it.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** Counter points, in arrival order (cumulative: the last one per series is the total). */
  readonly points: ReceivedPoint[] = [];
  readonly logs: ReceivedLog[] = [];
  readonly #waiters = new Set<() => void>();

  private constructor(
    readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<OtlpReceiver> {
    let receiver: OtlpReceiver | undefined;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const json = String(request.headers["content-type"]).includes("json");
        const accept = {
          "/v1/traces": (body: unknown) => receiver!.#accept(body),
          "/v1/metrics": (body: unknown) => receiver!.#acceptMetrics(body),
          "/v1/logs": (body: unknown) => receiver!.#acceptLogs(body),
        }[request.url ?? ""];
        if (!json || !accept) {
          response.writeHead(415).end();
          return;
        }
        accept(JSON.parse(Buffer.concat(chunks).toString("utf8")));
        response.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    receiver = new OtlpReceiver(server, `http://127.0.0.1:${port}`);
    return receiver;
  }

  #accept(body: any): void {
    for (const resourceSpans of body.resourceSpans ?? []) {
      const service = String(attributesOf(resourceSpans.resource?.attributes)["service.name"] ?? "");
      for (const scope of resourceSpans.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          this.spans.push({
            service,
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId ?? "",
            name: span.name,
            kind: span.kind,
            attributes: attributesOf(span.attributes),
            status: span.status,
          });
        }
      }
    }
    for (const wake of this.#waiters) wake();
  }

  #acceptMetrics(body: any): void {
    for (const resourceMetrics of body.resourceMetrics ?? []) {
      const service = String(attributesOf(resourceMetrics.resource?.attributes)["service.name"] ?? "");
      for (const scope of resourceMetrics.scopeMetrics ?? []) {
        for (const metric of scope.metrics ?? []) {
          for (const point of metric.sum?.dataPoints ?? []) {
            this.points.push({
              service,
              metric: metric.name,
              value: Number(point.asInt ?? point.asDouble ?? 0),
              attributes: attributesOf(point.attributes),
            });
          }
        }
      }
    }
    for (const wake of this.#waiters) wake();
  }

  #acceptLogs(body: any): void {
    for (const resourceLogs of body.resourceLogs ?? []) {
      const service = String(attributesOf(resourceLogs.resource?.attributes)["service.name"] ?? "");
      for (const scope of resourceLogs.scopeLogs ?? []) {
        for (const record of scope.logRecords ?? []) {
          this.logs.push({
            service,
            traceId: record.traceId ?? "",
            spanId: record.spanId ?? "",
            severityText: record.severityText ?? "",
            body: attributeValue(record.body),
            attributes: attributesOf(record.attributes),
          });
        }
      }
    }
    for (const wake of this.#waiters) wake();
  }

  /** Resolves once `done` accepts the log records received so far. */
  untilLogs(done: (logs: ReceivedLog[]) => boolean): Promise<ReceivedLog[]> {
    return new Promise((resolve) => {
      const check = () => {
        if (!done(this.logs)) return;
        this.#waiters.delete(check);
        resolve(this.logs);
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Resolves once `done` accepts the counter points received so far. */
  untilPoints(done: (points: ReceivedPoint[]) => boolean): Promise<ReceivedPoint[]> {
    return new Promise((resolve) => {
      const check = () => {
        if (!done(this.points)) return;
        this.#waiters.delete(check);
        resolve(this.points);
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Resolves once `done` accepts the spans received so far. */
  until(done: (spans: ReceivedSpan[]) => boolean): Promise<ReceivedSpan[]> {
    return new Promise((resolve) => {
      const check = () => {
        if (!done(this.spans)) return;
        this.#waiters.delete(check);
        resolve(this.spans);
      };
      this.#waiters.add(check);
      check();
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
