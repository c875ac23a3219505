import type { KeyAdmin } from "../auth/key-admin.js";
import type { EntityStorePort } from "../entities/entity-store-port.js";
import type { GatewayDeps } from "../http/gateway-deps.js";
import type { Queryable } from "../store/index.js";
import type { RunRetentionSweeper } from "./retention/run-retention-sweeper.js";

/** What the admin routes need besides the gateway's own dependencies. */
export interface AdminDeps {
  /** The coordinator's database: the admin queries read it directly (read-only, see queries/). */
  db: Queryable;
  entityStore: EntityStorePort;
  /** True when entity state is in the coordinator's database (AGNT5_ENTITY_STORE=default): its table is queried for counts and times. */
  entityStateInDb: boolean;
  retention: RunRetentionSweeper;
  /** API keys and worker tokens (create, list, revoke). */
  keys: KeyAdmin;
  /** In a cluster (AGNT5_CLUSTER=1): this replica's fencing token (GET /replicas says who answered). */
  replicaToken?: string;
}

/** The gateway's dependencies with the admin ones: what every admin handler receives. */
export type AdminContext = GatewayDeps & { admin: AdminDeps };
