export {
  type ConfigProvider,
  type ContextConfig,
  chainConfig,
  chooseVariant,
  envConfig,
  staticConfig,
  type VariantConfig,
} from "./config.js";
export { createContextLogger } from "./context-logger.js";
export { type ContextMetrics, type MetricLabels, USER_METER_NAME } from "./metrics.js";
export {
  createObservabilityContext,
  type ObservabilityContext,
  type ObservabilityFacts,
  type ObservabilityInit,
} from "./observability-context.js";
export {
  type ContextSecrets,
  chainSecrets,
  envName,
  envSecrets,
  MIN_REDACTED_LENGTH,
  REDACTED,
  SecretNotFoundError,
  SecretRedactor,
  type SecretsProvider,
  secretRedactor,
} from "./secrets.js";
export { type ContextSpan, type ContextTracing, TRACER_NAME } from "./tracing.js";
