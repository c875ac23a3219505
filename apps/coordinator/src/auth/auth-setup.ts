/**
 * Authentication at start-up: dev mode (off, with a warning), or the bootstrap secrets ensured as
 * keys and a refusal to start when nothing could ever authenticate a client.
 */
import type { CoordinatorConfig } from "../config.js";
import { ConfigError } from "../config-error.js";
import type { Logger } from "../logger.js";
import type { Database } from "../store/index.js";
import type { AuthConfig } from "./auth-config.js";
import { Authenticator } from "./authenticator.js";
import { ANY_SERVICE, SCOPES } from "./identity.js";
import { JwtVerifier } from "./jwt-verifier.js";
import { KeyAdmin } from "./key-admin.js";
import { KeyStore } from "./key-store.js";
import { RouteScopes } from "./route-scopes.js";
import { MIN_CHOSEN_SECRET_LENGTH } from "./secret-format.js";

export interface CoordinatorAuth {
  /** Undefined in dev mode: every request and worker is let in. */
  authenticator: Authenticator | undefined;
  keys: KeyAdmin;
  routes: RouteScopes;
}

/** Thrown when the coordinator must not start; main prints the message on one line and exits 1. */
export class AuthConfigError extends ConfigError {
  constructor(message: string) {
    super("AUTH_CONFIG_INVALID", message);
    this.name = "AuthConfigError";
  }
}

export async function setUpAuth(
  config: Pick<CoordinatorConfig, "devMode" | "auth" | "httpPort" | "grpcPort">,
  db: Database,
  logger: Logger,
): Promise<CoordinatorAuth> {
  const store = new KeyStore(db);
  const routes = new RouteScopes({ metricsRequireKey: config.auth.metricsRequireKey });
  if (config.devMode) {
    logger.warn(
      "AGNT5_DEV_MODE is on: authentication is OFF. Anyone who reaches the HTTP gateway can call, read, " +
        "cancel and approve anything, and any process that reaches the gRPC port can register as a worker. " +
        "Never use dev mode in a deployment (docs/security.md).",
    );
    return { authenticator: undefined, keys: new KeyAdmin(store, undefined), routes };
  }
  const jwt = jwtVerifier(config.auth, logger);
  checkChosenSecret("AGNT5_BOOTSTRAP_API_KEY", config.auth.bootstrapApiKey);
  checkChosenSecret("AGNT5_BOOTSTRAP_WORKER_TOKEN", config.auth.bootstrapWorkerToken);
  if (config.auth.bootstrapApiKey) {
    await store.ensure(
      { kind: "api_key", name: "bootstrap-admin", scopes: SCOPES, roles: ["admin"], services: [ANY_SERVICE] },
      config.auth.bootstrapApiKey,
    );
  }
  if (config.auth.bootstrapWorkerToken) {
    await store.ensure(
      { kind: "worker_token", name: "bootstrap-worker", scopes: ["worker"], roles: [], services: [ANY_SERVICE] },
      config.auth.bootstrapWorkerToken,
    );
  }
  const live = await liveKeyCounts(db);
  if (live.apiKeys === 0 && !jwt) {
    throw new AuthConfigError(
      "No credentials are configured, and the coordinator does not start without them (a deployment must " +
        "not be open to anyone who reaches it). Set AGNT5_BOOTSTRAP_API_KEY to a random secret of at least " +
        `${MIN_CHOSEN_SECRET_LENGTH} characters (e.g. \`openssl rand -hex 32\`), and AGNT5_BOOTSTRAP_WORKER_TOKEN for ` +
        "workers; or AGNT5_JWKS_URL to accept your identity provider's JWTs. For local development only, " +
        "AGNT5_DEV_MODE=1 turns authentication off.",
    );
  }
  if (live.workerTokens === 0) {
    logger.warn(
      "No worker token exists: workers will be refused until AGNT5_BOOTSTRAP_WORKER_TOKEN is set or one is " +
        "created (agnt5 keys create --worker --service <name>)",
    );
  }
  logger.info(
    { apiKeys: live.apiKeys, workerTokens: live.workerTokens, jwt: Boolean(jwt) },
    "Authentication on: API keys on the gateway and admin API, worker tokens on the gRPC stream",
  );
  const authenticator = new Authenticator(store, jwt);
  return { authenticator, keys: new KeyAdmin(store, authenticator), routes };
}

function checkChosenSecret(variable: string, secret: string | undefined): void {
  if (secret !== undefined && secret.length < MIN_CHOSEN_SECRET_LENGTH) {
    // The length only: the secret itself is never printed.
    throw new AuthConfigError(
      `${variable} is ${secret.length} characters long; it must be a random secret of at least ` +
        `${MIN_CHOSEN_SECRET_LENGTH} (e.g. \`openssl rand -hex 32\`)`,
    );
  }
  if (secret !== undefined && /[^!-~]/.test(secret)) {
    throw new AuthConfigError(`${variable} must be printable ASCII without spaces (it travels in a header)`);
  }
}

async function liveKeyCounts(db: Database): Promise<{ apiKeys: number; workerTokens: number }> {
  const rows = await db.query<{ kind: string; n: number }>(
    "SELECT kind, count(*) AS n FROM api_keys WHERE revoked_at IS NULL GROUP BY kind",
  );
  const count = (kind: string) => rows.find((row) => row.kind === kind)?.n ?? 0;
  return { apiKeys: count("api_key"), workerTokens: count("worker_token") };
}

function jwtVerifier(auth: AuthConfig, logger: Logger): JwtVerifier | undefined {
  if (!auth.jwksUrl) {
    if (auth.jwtIssuer || auth.jwtAudience) {
      throw new AuthConfigError(
        "AGNT5_JWT_ISSUER and AGNT5_JWT_AUDIENCE need AGNT5_JWKS_URL (where the signing keys are)",
      );
    }
    return undefined;
  }
  if (!auth.jwtIssuer || !auth.jwtAudience) {
    logger.warn(
      { jwksUrl: auth.jwksUrl },
      "AGNT5_JWKS_URL without AGNT5_JWT_ISSUER and AGNT5_JWT_AUDIENCE: any token these keys signed is accepted, " +
        "whoever it was issued for. Set both.",
    );
  }
  try {
    return new JwtVerifier({ jwksUrl: auth.jwksUrl, issuer: auth.jwtIssuer, audience: auth.jwtAudience });
  } catch (error) {
    throw new AuthConfigError((error as Error).message);
  }
}
