import { createServer, type Server } from "node:http";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";

/** Where a Prometheus endpoint listens. */
export interface MetricsEndpointAddress {
  host: string;
  port: number;
  /** e.g. "http://localhost:9464/metrics". */
  url: string;
}

export interface PrometheusEndpointOptions {
  /** 0 picks a free port (tests). */
  port: number;
  /** Default: every interface, like the worker's HTTP runtime. */
  host?: string;
}

/**
 * The OpenTelemetry Prometheus exporter (a MetricReader: it reads the same MeterProvider the OTLP
 * reader does) served by our own HTTP server rather than the exporter's, so port 0 works and the
 * bound address is known: the exporter's own server does not report it.
 */
export class PrometheusEndpoint {
  readonly reader = new PrometheusExporter({ preventServerStart: true });
  readonly #server: Server;
  readonly listening: Promise<MetricsEndpointAddress>;

  constructor(options: PrometheusEndpointOptions) {
    this.#server = createServer((request, response) => {
      const path = request.url?.split("?")[0];
      if (request.method !== "GET" || (path !== "/metrics" && path !== "/")) {
        response.writeHead(404, { "content-type": "application/json" });
        response.end(JSON.stringify({ error: { code: "NOT_FOUND", message: "Metrics are served at GET /metrics" } }));
        return;
      }
      this.reader.getMetricsRequestHandler(request, response);
    });
    this.listening = new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(options.port, options.host, () => {
        this.#server.off("error", reject);
        const address = this.#server.address();
        const port = typeof address === "object" && address ? address.port : options.port;
        const bound = typeof address === "object" && address ? address.address : "";
        // An unspecified address ("::", "0.0.0.0") is reachable as localhost; show that in the URL.
        const host = options.host ?? (bound === "::" || bound === "0.0.0.0" ? "localhost" : bound);
        const urlHost = host.includes(":") ? `[${host}]` : host;
        resolve({ host, port, url: `http://${urlHost}:${port}/metrics` });
      });
    });
    // Handled here too, so a caller that never awaits the address gets no unhandled rejection.
    this.listening.catch(() => {});
  }

  /** Stops listening; the reader itself is shut down with its MeterProvider. */
  close(): Promise<void> {
    if (!this.#server.listening) return Promise.resolve();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
