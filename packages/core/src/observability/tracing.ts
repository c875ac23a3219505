import { type Attributes, type Context, context, type Span, SpanStatusCode, trace } from "@opentelemetry/api";

/** The tracer every AGNT5 span is made with. */
export const TRACER_NAME = "agnt5";

/** A span started by ctx.traceSpan().start(): end it with `using`, `end()` in a finally, or `run()`. */
export interface ContextSpan extends Disposable {
  /** The OpenTelemetry span (a non-recording one when tracing is off). */
  readonly span: Span;
  setAttribute(key: string, value: string | number | boolean): this;
  /** Records `error` on the span and marks it failed. */
  fail(error: unknown): this;
  end(): void;
}

/** `ctx.traceSpan()`. */
export interface ContextTracing {
  /** Starts a child span of the invocation's span (the seed's `with ctx.trace_span().start(name, service=...)`). */
  start(name: string, attributes?: Attributes): ContextSpan;
  /** Runs `fn` in a span that is active while it runs (spans started inside nest under it), ending it after. */
  run<T>(name: string, fn: (span: ContextSpan) => T | Promise<T>, attributes?: Attributes): Promise<T>;
  /** The trace context of the invocation, for your own OpenTelemetry calls. */
  readonly context: Context;
}

export interface ContextTracingInit {
  /** The invocation's trace context (its span is the parent); the active context when absent. */
  parent?: Context;
  /** Attributes added to every span (service, component, invocation id). */
  attributes: Attributes;
}

export function createContextTracing(init: ContextTracingInit): ContextTracing {
  const parentContext = () => init.parent ?? context.active();
  const startSpan = (name: string, attributes: Attributes | undefined, parent: Context): ContextSpan => {
    const span = trace
      .getTracer(TRACER_NAME)
      .startSpan(name, { attributes: { ...init.attributes, ...attributes } }, parent);
    return wrapSpan(span);
  };
  return {
    get context() {
      return parentContext();
    },
    // Spans made with start() nest under the innermost run() span that is active, else the invocation's.
    start: (name, attributes) => startSpan(name, attributes, activeOr(parentContext())),
    async run(name, fn, attributes) {
      const parent = activeOr(parentContext());
      const span = startSpan(name, attributes, parent);
      try {
        return await context.with(trace.setSpan(parent, span.span), () => fn(span));
      } catch (error) {
        span.fail(error);
        throw error;
      } finally {
        span.end();
      }
    },
  };
}

/** The active context when a span is active in it (inside run()), else `fallback`. */
function activeOr(fallback: Context): Context {
  const active = context.active();
  return trace.getSpan(active) ? active : fallback;
}

function wrapSpan(span: Span): ContextSpan {
  let ended = false;
  const wrapped: ContextSpan = {
    span,
    setAttribute(key, value) {
      span.setAttribute(key, value);
      return wrapped;
    },
    fail(error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      return wrapped;
    },
    end() {
      if (ended) return;
      ended = true;
      span.end();
    },
    [Symbol.dispose]() {
      wrapped.end();
    },
  };
  return wrapped;
}
