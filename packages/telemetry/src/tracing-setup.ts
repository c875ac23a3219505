import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { otlpSignalRequested } from "./otlp-signal.js";

export interface Tracing {
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}

/**
 * true when the standard OpenTelemetry variables ask for traces: an OTLP endpoint
 * (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) or OTEL_TRACES_EXPORTER=otlp,
 * unless OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none.
 */
export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return otlpSignalRequested("TRACES", env);
}

export interface TracingOptions {
  /**
   * Track the active span across async calls (AsyncLocalStorage), so spans started inside a span's
   * callback become its children. Default true. The coordinator passes false: it hands every parent
   * over explicitly, and AsyncLocalStorage on Node 20 hooks every promise the process makes.
   */
  asyncContext?: boolean;
}

let installed: { tracing: Tracing; users: number; asyncContext: boolean } | undefined;

/**
 * Installs OTLP/HTTP (JSON) trace export for this process when the OTEL_* environment asks for it
 * (see tracingRequested), with W3C trace-context propagation and (unless options.asyncContext is
 * false) async context tracking. Without
 * it nothing is installed: the OpenTelemetry API stays a no-op and spans cost next to nothing.
 * Several workers or coordinators in one process share one installation; the last shutdown flushes it.
 */
export function startTracing(
  resource: { serviceName: string; serviceVersion?: string },
  env: NodeJS.ProcessEnv = process.env,
  options: TracingOptions = {},
): Tracing | undefined {
  if (!tracingRequested(env)) return undefined;
  const asyncContext = options.asyncContext !== false;
  if (installed) {
    installed.users++;
    // A worker joining a coordinator's installation in one process (tests) needs the async context.
    if (asyncContext && !installed.asyncContext) {
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
      installed.asyncContext = true;
    }
    return release();
  }
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      "service.name": env.OTEL_SERVICE_NAME || resource.serviceName,
      ...(resource.serviceVersion ? { "service.version": resource.serviceVersion } : {}),
    }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  // A process that installed its own OpenTelemetry SDK keeps it: ours is then not used, and its
  // globals are left alone on shutdown.
  if (!trace.setGlobalTracerProvider(provider)) {
    void provider.shutdown();
    return undefined;
  }
  if (asyncContext) context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  installed = {
    users: 1,
    asyncContext,
    tracing: {
      shutdown: async () => {
        await provider.shutdown();
        trace.disable();
        propagation.disable();
        context.disable();
      },
    },
  };
  return release();
}

function release(): Tracing {
  let released = false;
  return {
    shutdown: async () => {
      if (released || !installed) return;
      released = true;
      const current = installed;
      if (--current.users > 0) return;
      installed = undefined;
      await current.tracing.shutdown();
    },
  };
}
