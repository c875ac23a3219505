import { createSqlEntityStore, openEntityStore } from "@agnt5/entity-store";
import type { CoordinatorConfig } from "../config.js";
import type { Database } from "../store/index.js";
import type { EntityStorePort } from "./entity-store-port.js";

/**
 * The entity store chosen by AGNT5_ENTITY_STORE: by default the coordinator's own database (the
 * same PostgreSQL or PGlite, so entity state is backed up with everything else).
 */
export async function openCoordinatorEntityStore(config: CoordinatorConfig, db: Database): Promise<EntityStorePort> {
  switch (config.entityStore) {
    case "default":
      return createSqlEntityStore(db, { backend: db.kind });
    case "postgres": {
      const url = config.entityStoreUrl ?? config.databaseUrl;
      if (!url) throw new Error("AGNT5_ENTITY_STORE=postgres needs AGNT5_ENTITY_STORE_URL or AGNT5_DATABASE_URL");
      return openEntityStore({
        backend: "postgres",
        url,
        ...(config.databaseSchema ? { schema: config.databaseSchema } : {}),
      });
    }
    case "redis":
      return openEntityStore({ backend: "redis", url: config.entityStoreUrl ?? "redis://127.0.0.1:6379" });
    case "pglite":
      return openEntityStore({ backend: "pglite", dataDir: `${config.dataDir}/entities` });
    case "memory":
      return openEntityStore({ backend: "memory" });
  }
}
