import type { AdminDeps } from "../admin/admin-deps.js";
import type { GatewayAuth } from "../auth/http-auth-hook.js";
import type { InvocationManager } from "../invocations/invocation-manager.js";
import type { Logger } from "../logger.js";
import type { InvocationStore, JournalStore } from "../store/index.js";
import type { ServiceRegistry } from "../workers/service-registry.js";

export interface GatewayDeps {
  invocations: InvocationManager;
  services: ServiceRegistry;
  store: InvocationStore;
  journal: JournalStore;
  logger: Logger;
  maxBodyBytes: number;
  /** Requests each caller may make in a minute (AGNT5_RATE_LIMIT_PER_MINUTE); 0 or absent = no limit. */
  rateLimitPerMinute?: number;
  /** In a cluster: count rate limits in this Redis under this prefix, shared by the replicas. */
  rateLimitRedis?: { redisUrl: string; prefix: string };
  /** Serve HTTPS with this certificate and key (AGNT5_TLS_CERT_FILE / AGNT5_TLS_KEY_FILE). */
  https?: { cert: Buffer; key: Buffer };
  defaultCallTimeoutMs: number;
  /** Who may call which route (no authenticator: dev mode). */
  auth: GatewayAuth;
  /** The admin API's own dependencies; without them /admin/v1 is not served. */
  admin?: AdminDeps;
}
