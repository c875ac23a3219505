import { TRACER_NAME } from "@agnt5/core";
import type { ExecutionOutcome } from "@agnt5/durable";
import {
  type Context,
  context,
  ProxyTracerProvider,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";

export interface InvocationSpan {
  /** The context handlers run in: the invocation's span is its active span. */
  readonly context: Context;
  /** false when tracing is off (no provider installed): the runner then passes no trace context on. */
  readonly recording: boolean;
  end(outcome: ExecutionOutcome): void;
}

export interface InvocationFacts {
  invocationId: string;
  runId: string;
  attempt: number;
  service: string;
  component: string;
  kind: string;
  /** The invocation's headers: `traceparent` (from the HTTP call, or the parent's call entry) is the parent span. */
  headers: Readonly<Record<string, string>>;
}

/** What the API's proxy provider delegates to while no SDK is installed (its no-op provider). */
const NO_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * false while no tracer provider is installed (tracing off): the runner then makes no span, no
 * context and no attributes for an invocation. A provider from another copy of the API counts as
 * installed; its spans then say whether they record.
 */
export function tracingInstalled(): boolean {
  const provider = trace.getTracerProvider() as Partial<ProxyTracerProvider>;
  return provider.getDelegate?.() !== NO_PROVIDER;
}

/**
 * One span per run of an invocation on this worker (each attempt, and each resume after a
 * suspension, is a span of its own), under the trace context in its headers: a resumed run's spans
 * hang under the same parent as its first run's, and a child's under its parent's call.
 */
export function startInvocationSpan(facts: InvocationFacts): InvocationSpan {
  const parent = facts.headers.traceparent ? propagation.extract(ROOT_CONTEXT, facts.headers) : ROOT_CONTEXT;
  const span: Span = trace.getTracer(TRACER_NAME).startSpan(
    `${facts.kind} ${facts.component}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        "agnt5.service": facts.service,
        "agnt5.component": facts.component,
        "agnt5.component_type": facts.kind,
        "agnt5.invocation_id": facts.invocationId,
        "agnt5.run_id": facts.runId,
        "agnt5.attempt": facts.attempt,
      },
    },
    parent,
  );
  return {
    context: trace.setSpan(parent, span),
    recording: span.isRecording(),
    end(outcome) {
      span.setAttribute("agnt5.outcome", outcome.type);
      if (outcome.type === "failed") {
        span.setStatus({ code: SpanStatusCode.ERROR, message: `${outcome.failure.code}: ${outcome.failure.message}` });
      }
      span.end();
    },
  };
}

/** Runs `fn` with `ctx` active (handler code, its spans and its log lines see the invocation's span). */
export function withContext<T>(ctx: Context, fn: () => T): T {
  return context.with(ctx, fn);
}
