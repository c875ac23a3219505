import type { Context } from "@opentelemetry/api";
import type { Logger } from "../logger.js";
import { type ConfigProvider, type ContextConfig, chainConfig, createContextConfig, envConfig } from "./config.js";
import { createContextLogger } from "./context-logger.js";
import { type ContextMetrics, createContextMetrics } from "./metrics.js";
import { type ContextSecrets, createContextSecrets, envSecrets, type SecretsProvider } from "./secrets.js";
import { type ContextTracing, createContextTracing } from "./tracing.js";

/** The observability and configuration members of every DurableContext (the seed's ctx.log(), ...). */
export interface ObservabilityContext {
  /** The invocation's structured logger (ctx.logger), quiet during replay, secrets redacted. */
  log(): Logger;
  /** Counters and histograms (OpenTelemetry metrics API); not recorded again during replay. */
  metrics(): ContextMetrics;
  /** Spans under the invocation's span (OpenTelemetry tracing API). */
  traceSpan(): ContextTracing;
  /** Secrets from the environment, a secrets file or your SecretsProvider; redacted wherever they would leave the process. */
  secrets(): ContextSecrets;
  /** Configuration and journaled A/B variants. */
  config(): ContextConfig;
}

/** What a runtime gives a context for its observability members (every field has a default). */
export interface ObservabilityInit {
  secrets?: SecretsProvider;
  config?: ConfigProvider;
  /** The invocation's trace context (the parent of ctx.traceSpan() spans). */
  traceContext?: Context;
}

export interface ObservabilityFacts extends ObservabilityInit {
  logger: Logger;
  runId: string;
  invocationId: string;
  componentName: string;
  componentType: string;
  serviceName?: string;
  replaying(): boolean;
  step<T>(name: string, fn: () => T | Promise<T>): Promise<T>;
}

/** Builds the members lazily: a handler that never calls ctx.metrics() pays nothing for it. */
export function createObservabilityContext(facts: ObservabilityFacts): ObservabilityContext {
  const labels = {
    "agnt5.component": facts.componentName,
    ...(facts.serviceName ? { "agnt5.service": facts.serviceName } : {}),
  };
  let log: Logger | undefined;
  let metrics: ContextMetrics | undefined;
  let tracing: ContextTracing | undefined;
  let secrets: ContextSecrets | undefined;
  let config: ContextConfig | undefined;
  return {
    log: () => (log ??= createContextLogger(facts.logger, facts.replaying)),
    metrics: () => (metrics ??= createContextMetrics({ labels, replaying: facts.replaying })),
    traceSpan: () =>
      (tracing ??= createContextTracing({
        ...(facts.traceContext ? { parent: facts.traceContext } : {}),
        attributes: { ...labels, "agnt5.invocation_id": facts.invocationId, "agnt5.run_id": facts.runId },
      })),
    secrets: () => (secrets ??= createContextSecrets(facts.secrets ?? envSecrets())),
    config: () =>
      (config ??= createContextConfig({
        provider: facts.config ?? chainConfig(envConfig()),
        runId: facts.runId,
        step: facts.step,
      })),
  };
}
