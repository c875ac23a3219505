import { type Attributes, type Counter, type Histogram, metrics } from "@opentelemetry/api";

/** Label values of a metric point. */
export type MetricLabels = Readonly<Record<string, string | number | boolean>>;

/** `ctx.metrics()`: counters and histograms on the OpenTelemetry metrics API. */
export interface ContextMetrics {
  /** Adds `by` (default 1) to the counter `name`. */
  increment(name: string, labels?: MetricLabels, by?: number): void;
  /** Records `value` in the histogram `name` (e.g. a latency in ms). */
  observe(name: string, value: number, labels?: MetricLabels): void;
}

/** The meter user metrics are recorded on: exported by whatever MeterProvider the process installed (none: no-op). */
export const USER_METER_NAME = "agnt5.user";

const counters = new Map<string, Counter>();
const histograms = new Map<string, Histogram>();

export interface ContextMetricsInit {
  /** Labels added to every point (service, component). */
  labels: MetricLabels;
  /** true while the handler replays recorded entries: what it records then was recorded by the first run. */
  replaying(): boolean;
}

export function createContextMetrics({ labels, replaying }: ContextMetricsInit): ContextMetrics {
  const attributes = (extra?: MetricLabels): Attributes => (extra ? { ...labels, ...extra } : { ...labels });
  return {
    increment(name, extra, by = 1) {
      if (replaying()) return;
      instrument(counters, name, (meter) => meter.createCounter(name)).add(by, attributes(extra));
    },
    observe(name, value, extra) {
      if (replaying()) return;
      instrument(histograms, name, (meter) => meter.createHistogram(name)).record(value, attributes(extra));
    },
  };
}

/**
 * Instruments are cached by name; the cache is dropped when a different global MeterProvider is
 * installed (instruments of the no-op provider would otherwise stay no-ops forever).
 */
let cachedFor: unknown;
function instrument<T>(
  cache: Map<string, T>,
  name: string,
  create: (meter: ReturnType<typeof metrics.getMeter>) => T,
): T {
  const provider = metrics.getMeterProvider();
  if (provider !== cachedFor) {
    counters.clear();
    histograms.clear();
    cachedFor = provider;
  }
  let found = cache.get(name);
  if (!found) {
    found = create(provider.getMeter(USER_METER_NAME));
    cache.set(name, found);
  }
  return found;
}
