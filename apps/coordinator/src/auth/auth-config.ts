import { ConfigError } from "../config-error.js";

/** AGNT5_* settings of authentication (the dev-mode switch itself is config.devMode, AGNT5_DEV_MODE). */
export interface AuthConfig {
  /** AGNT5_BOOTSTRAP_API_KEY: a secret of 32+ characters ensured at start as an admin key with every scope. */
  bootstrapApiKey: string | undefined;
  /** AGNT5_BOOTSTRAP_WORKER_TOKEN: a secret of 32+ characters ensured as a worker token for every service. */
  bootstrapWorkerToken: string | undefined;
  /** AGNT5_JWKS_URL: accept JWTs signed by a key of this JWK set (with AGNT5_JWT_ISSUER, AGNT5_JWT_AUDIENCE). */
  jwksUrl: string | undefined;
  jwtIssuer: string | undefined;
  jwtAudience: string | undefined;
  /** AGNT5_METRICS_AUTH=1: /metrics needs a key with the "read" scope (default: open, for scrapers). */
  metricsRequireKey: boolean;
}

export function authConfigFromEnv(env: NodeJS.ProcessEnv): AuthConfig {
  const metrics = env.AGNT5_METRICS_AUTH?.trim().toLowerCase();
  if (metrics && !["0", "1", "true", "false"].includes(metrics)) {
    throw new ConfigError("CONFIG_INVALID", `AGNT5_METRICS_AUTH must be 1 or 0, got "${env.AGNT5_METRICS_AUTH}"`);
  }
  return {
    bootstrapApiKey: env.AGNT5_BOOTSTRAP_API_KEY || undefined,
    bootstrapWorkerToken: env.AGNT5_BOOTSTRAP_WORKER_TOKEN || undefined,
    jwksUrl: env.AGNT5_JWKS_URL || undefined,
    jwtIssuer: env.AGNT5_JWT_ISSUER || undefined,
    jwtAudience: env.AGNT5_JWT_AUDIENCE || undefined,
    metricsRequireKey: metrics === "1" || metrics === "true",
  };
}
