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
  defaultCallTimeoutMs: number;
}
