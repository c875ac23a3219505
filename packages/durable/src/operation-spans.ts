import { type Context, context, propagation, type Span, SpanStatusCode, trace } from "@opentelemetry/api";
import type { EntryResult } from "./journal-entry.js";

const TRACER_NAME = "agnt5";

/**
 * A span per journaled operation run on this attempt (step, timer, signal wait, child call, entity
 * call, ...), under the invocation's span. Replayed operations get none: their span belongs to the
 * run that recorded them. Without a trace context (tracing off) this does nothing.
 */
export class OperationSpans {
  readonly #parent: Context | undefined;
  /** Created with the first span: tracing off allocates nothing per run. */
  #spans: Map<number, Span> | undefined;

  constructor(parent: Context | undefined) {
    this.#parent = parent;
  }

  /** Starts the span of entry `index` (once). */
  start(index: number, kind: string, name: string): void {
    if (!this.#parent || index < 0 || this.#spans?.has(index)) return;
    const span = trace
      .getTracer(TRACER_NAME)
      .startSpan(
        `${kind} ${name}`,
        { attributes: { "agnt5.entry.kind": kind, "agnt5.entry.name": name, "agnt5.entry.index": index } },
        this.#parent,
      );
    this.#spans ??= new Map();
    this.#spans.set(index, span);
  }

  /** The context code of entry `index` runs in (a step's function): its span active. */
  contextOf(index: number): Context | undefined {
    const span = this.#spans?.get(index);
    return span && this.#parent ? trace.setSpan(this.#parent, span) : undefined;
  }

  /**
   * A call's request with the W3C trace context of its span (`headers.traceparent`): the coordinator
   * gives it to the child invocation, whose spans then hang under this call.
   */
  withTraceHeaders(index: number, request: unknown): unknown {
    const ctx = this.contextOf(index);
    if (!ctx || typeof request !== "object" || request === null || Array.isArray(request)) return request;
    const headers: Record<string, string> = {};
    propagation.inject(ctx, headers);
    return Object.keys(headers).length === 0 ? request : { ...request, headers };
  }

  /** Entry `index` settled with `result`. */
  end(index: number, result: EntryResult | undefined): void {
    const span = this.#spans?.get(index);
    if (!span) return;
    this.#spans!.delete(index);
    if (result && !result.ok) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: `${result.failure.code}: ${result.failure.message}` });
    }
    span.end();
  }

  /** The run's outcome is decided: spans still open end, marked with how (e.g. "suspended"). */
  endAll(outcome: string): void {
    if (!this.#spans) return;
    for (const span of this.#spans.values()) {
      span.setAttribute("agnt5.run_outcome", outcome);
      span.end();
    }
    this.#spans.clear();
  }
}

/** Runs `fn` in `ctx` when there is one. */
export function runIn<T>(ctx: Context | undefined, fn: () => T): T {
  return ctx ? context.with(ctx, fn) : fn();
}
