import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { EngineObserver, ObservedInvocation } from "./engine-observer.js";
import { type CommittedEntry, modelUsageOf } from "./model-usage.js";

/** Where the gauges are read from at scrape time (existing state: nothing is counted twice). */
export interface MetricSources {
  /** Invocations in memory, with their phase. */
  active(): Iterable<{ service: string; state: string }>;
  connectedWorkers(): number;
  /** Waiting entity writes by entity type. */
  entityQueues(): Iterable<{ type: string; writes: number }>;
  /** Suspended runs and pending timers, from the store. */
  storeCounts(): Promise<{ suspended: number; timersPending: number }>;
}

/** Seconds: from a millisecond call to a minute-long workflow. */
const INVOCATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const COMMIT_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/**
 * The coordinator's Prometheus metrics (GET /metrics). One registry per coordinator, not prom-client's
 * global one, so several coordinators in one process (tests) keep their own counts.
 */
export class CoordinatorMetrics implements EngineObserver {
  readonly registry = new Registry();
  readonly #started: Counter<"service" | "component" | "kind">;
  readonly #finished: Counter<"service" | "component" | "status">;
  readonly #duration: Histogram<"service" | "component" | "status">;
  readonly #commits: Histogram<"kind">;
  readonly #suspensions: Counter<"service" | "component">;
  readonly #tokens: Counter<"provider" | "model" | "direction">;
  /** When each invocation admitted by this process started (end-to-end latency). */
  readonly #startedAt = new Map<string, number>();
  #sources: MetricSources | undefined;

  constructor() {
    const registers = [this.registry];
    this.#started = new Counter({
      name: "agnt5_invocations_started_total",
      help: "Invocations admitted (client calls and child calls), by service, component and kind",
      labelNames: ["service", "component", "kind"],
      registers,
    });
    this.#finished = new Counter({
      name: "agnt5_invocations_finished_total",
      help: "Invocations that ended, by service, component and status (completed, failed, cancelled)",
      labelNames: ["service", "component", "status"],
      registers,
    });
    this.#duration = new Histogram({
      name: "agnt5_invocation_duration_seconds",
      help: "End-to-end latency of invocations admitted by this coordinator, from admission to recorded end",
      labelNames: ["service", "component", "status"],
      buckets: INVOCATION_BUCKETS,
      registers,
    });
    this.#commits = new Histogram({
      name: "agnt5_journal_commit_duration_seconds",
      help: "Time from a proposed journal entry's arrival to its commit, by entry kind",
      labelNames: ["kind"],
      buckets: COMMIT_BUCKETS,
      registers,
    });
    this.#suspensions = new Counter({
      name: "agnt5_invocations_suspended_total",
      help: "Suspensions (an invocation leaving its worker to wait on a timer, signal or child)",
      labelNames: ["service", "component"],
      registers,
    });
    this.#tokens = new Counter({
      name: "agnt5_model_tokens_total",
      help: "Model tokens of journaled model calls (ctx.llm, agents), by provider, model and direction (input, output)",
      labelNames: ["provider", "model", "direction"],
      registers,
    });
    const self = this;
    new Gauge({
      name: "agnt5_queue_depth",
      help: "Invocations waiting for a worker slot, by service",
      labelNames: ["service"],
      registers,
      collect() {
        this.reset();
        for (const invocation of self.#sources?.active() ?? []) {
          if (invocation.state === "queued") this.inc({ service: invocation.service });
        }
      },
    });
    new Gauge({
      name: "agnt5_active_invocations",
      help: "Invocations in this coordinator's memory, by service and phase",
      labelNames: ["service", "phase"],
      registers,
      collect() {
        this.reset();
        for (const invocation of self.#sources?.active() ?? []) {
          this.inc({ service: invocation.service, phase: invocation.state });
        }
      },
    });
    new Gauge({
      name: "agnt5_connected_workers",
      help: "Worker streams connected to this coordinator",
      registers,
      collect() {
        this.set(self.#sources?.connectedWorkers() ?? 0);
      },
    });
    new Gauge({
      name: "agnt5_entity_write_queue_length",
      help: "Entity write methods waiting for their key, by entity type",
      labelNames: ["type"],
      registers,
      collect() {
        this.reset();
        for (const queue of self.#sources?.entityQueues() ?? []) this.inc({ type: queue.type }, queue.writes);
      },
    });
    // The store counts are one query per scrape (two counts), shared by both gauges.
    let counts: Promise<{ suspended: number; timersPending: number }> | undefined;
    const storeCounts = () => {
      counts ??= (self.#sources?.storeCounts() ?? Promise.resolve({ suspended: 0, timersPending: 0 })).finally(() => {
        counts = undefined;
      });
      return counts;
    };
    new Gauge({
      name: "agnt5_suspended_runs",
      help: "Invocations recorded as suspended (in the store, across replicas)",
      registers,
      async collect() {
        this.set((await storeCounts()).suspended);
      },
    });
    new Gauge({
      name: "agnt5_timers_pending",
      help: "Durable timers (sleeps, timers, signal timeouts) not fired yet",
      registers,
      async collect() {
        this.set((await storeCounts()).timersPending);
      },
    });
  }

  /** Where the gauges read from (the engine and connections exist after the metrics). */
  attach(sources: MetricSources): void {
    this.#sources = sources;
  }

  /** The Prometheus text exposition. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  started(invocation: ObservedInvocation): void {
    this.#started.inc({ service: invocation.service, component: invocation.handler, kind: invocation.kind });
    this.#startedAt.set(invocation.id, performance.now());
  }

  settled(invocation: ObservedInvocation, status: "completed" | "failed" | "cancelled"): void {
    const labels = { service: invocation.service, component: invocation.handler, status };
    this.#finished.inc(labels);
    const startedAt = this.#startedAt.get(invocation.id);
    if (startedAt === undefined) return;
    this.#startedAt.delete(invocation.id);
    this.#duration.observe(labels, (performance.now() - startedAt) / 1000);
  }

  left(invocation: ObservedInvocation): void {
    this.#startedAt.delete(invocation.id);
  }

  journalCommitted(entry: CommittedEntry, seconds: number): void {
    this.#commits.observe({ kind: entry.kind }, seconds);
    const usage = modelUsageOf(entry);
    if (!usage) return;
    const { provider, model } = usage;
    this.#tokens.inc({ provider, model, direction: "input" }, usage.inputTokens);
    this.#tokens.inc({ provider, model, direction: "output" }, usage.outputTokens);
  }

  suspended(invocation: ObservedInvocation): void {
    this.#suspensions.inc({ service: invocation.service, component: invocation.handler });
  }
}
