import { propagation, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { FastifyInstance, FastifyRequest } from "fastify";

/**
 * A SERVER span per gateway request, under the caller's W3C `traceparent` when it sends one. The
 * request's `traceparent` is replaced by the span's own before the routes read it, so the invocation
 * it starts (whose headers are stored and forwarded to the worker) continues this trace under the
 * HTTP call; the answer carries `traceparent` too, for the caller to find the trace. Registered only
 * when tracing is on: otherwise the gateway pays nothing and forwards a caller's traceparent as is.
 */
export function registerHttpTracing(app: FastifyInstance): void {
  const spans = new WeakMap<FastifyRequest, Span>();
  const tracer = trace.getTracer("agnt5");
  app.addHook("onRequest", async (request, reply) => {
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const route = request.routeOptions.url ?? request.url.split("?")[0];
    const span = tracer.startSpan(
      `${request.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: { "http.request.method": request.method, "http.route": route ?? "", "url.path": request.url },
      },
      parent,
    );
    spans.set(request, span);
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(parent, span), carrier);
    if (carrier.traceparent) {
      request.headers.traceparent = carrier.traceparent;
      reply.header("traceparent", carrier.traceparent);
    }
  });
  app.addHook("onResponse", async (request, reply) => {
    const span = spans.get(request);
    if (!span) return;
    span.setAttribute("http.response.status_code", reply.statusCode);
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
}
