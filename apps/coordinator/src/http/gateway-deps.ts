import type { AdminDeps } from "../admin/admin-deps.js";
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
  /** Serve HTTPS with this certificate and key (AGNT5_TLS_CERT_FILE / AGNT5_TLS_KEY_FILE). */
  https?: { cert: Buffer; key: Buffer };
  defaultCallTimeoutMs: number;
  /** The admin API's own dependencies; without them /admin/v1 is not served. */
  admin?: AdminDeps;
}
