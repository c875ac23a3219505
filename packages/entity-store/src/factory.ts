// One entry point for all backends, and the AGNT5_ENTITY_STORE environment mapping.
import { join } from "node:path";
import { invalid } from "./errors.js";
import { createMemoryEntityStore } from "./memory.js";
import { openRedisEntityStore } from "./redis.js";
import type { Queryable } from "./sql.js";
import { createSqlEntityStore, openPgliteEntityStore, openPostgresEntityStore } from "./sql.js";
import type { EntityStore, EntityStoreBackend } from "./types.js";

/** Values of AGNT5_ENTITY_STORE. "default" is the host's own database: only the host can resolve it. */
export const ENTITY_STORE_CHOICES = ["default", "postgres", "pglite", "redis", "memory"] as const;
export type EntityStoreChoice = (typeof ENTITY_STORE_CHOICES)[number];

export interface EntityStoreConfig {
  backend: EntityStoreBackend;
  /** postgres: connection string (required unless `queryable`); redis: redis:// URL (default local). */
  url?: string;
  /** postgres/pglite: schema holding entity_state. */
  schema?: string;
  /** pglite: data directory (required unless `queryable`). */
  dataDir?: string;
  /** postgres/pglite: run on this database instead of opening one (the store will not close it). */
  queryable?: Queryable;
  /** redis: key prefix, default "agnt5:entity:". */
  redisPrefix?: string;
}

/** Opens the configured backend (creating the table or connecting as needed). */
export async function openEntityStore(config: EntityStoreConfig): Promise<EntityStore> {
  const schema = config.schema ? { schema: config.schema } : {};
  switch (config.backend as EntityStoreChoice) {
    case "memory":
      return createMemoryEntityStore();
    case "postgres":
    case "pglite": {
      const backend = config.backend as "postgres" | "pglite";
      if (config.queryable) {
        const store = createSqlEntityStore(config.queryable, { backend, ...schema });
        await store.migrate();
        return store;
      }
      if (backend === "postgres") {
        if (!config.url) throw invalid('the "postgres" entity store needs a url (AGNT5_ENTITY_STORE_URL)');
        return openPostgresEntityStore({ url: config.url, ...schema });
      }
      if (!config.dataDir) throw invalid('the "pglite" entity store needs a dataDir');
      return openPgliteEntityStore({ dataDir: config.dataDir, ...schema });
    }
    case "redis":
      return openRedisEntityStore({
        ...(config.url ? { url: config.url } : {}),
        ...(config.redisPrefix !== undefined ? { prefix: config.redisPrefix } : {}),
      });
    case "default":
      throw invalid(
        'entity store "default" means the host\'s own database: resolve it to { backend: "postgres" | "pglite", queryable } first',
      );
    default:
      throw invalid(
        `unknown entity store backend ${JSON.stringify(config.backend)}: use one of ${ENTITY_STORE_CHOICES.join(", ")}`,
      );
  }
}

/** What the environment asks for; `backend: "default"` is left to the host to resolve. */
export type EntityStoreEnvConfig = Omit<EntityStoreConfig, "backend" | "queryable"> & { backend: EntityStoreChoice };

/**
 * Reads the entity store settings from the environment:
 *   AGNT5_ENTITY_STORE            default | postgres | pglite | redis | memory (unset: default)
 *   AGNT5_ENTITY_STORE_URL        postgres connection string (falls back to AGNT5_DATABASE_URL)
 *   AGNT5_ENTITY_STORE_SCHEMA     postgres/pglite schema (falls back to AGNT5_DATABASE_SCHEMA)
 *   AGNT5_ENTITY_STORE_DATA_DIR   pglite directory (default <AGNT5_DATA_DIR or .agnt5>/entity-pglite)
 *   AGNT5_REDIS_URL               redis URL (default redis://127.0.0.1:6379)
 *   AGNT5_ENTITY_STORE_REDIS_PREFIX  redis key prefix (default agnt5:entity:)
 */
export function entityStoreConfigFromEnv(env: Record<string, string | undefined> = process.env): EntityStoreEnvConfig {
  const raw = (env.AGNT5_ENTITY_STORE ?? "").trim().toLowerCase() || "default";
  if (!(ENTITY_STORE_CHOICES as readonly string[]).includes(raw)) {
    throw invalid(`AGNT5_ENTITY_STORE=${JSON.stringify(raw)} is not one of ${ENTITY_STORE_CHOICES.join(", ")}`);
  }
  const backend = raw as EntityStoreChoice;
  const config: EntityStoreEnvConfig = { backend };
  const schema = env.AGNT5_ENTITY_STORE_SCHEMA || env.AGNT5_DATABASE_SCHEMA;
  switch (backend) {
    case "postgres": {
      const url = env.AGNT5_ENTITY_STORE_URL || env.AGNT5_DATABASE_URL;
      if (url) config.url = url;
      if (schema) config.schema = schema;
      break;
    }
    case "pglite":
      config.dataDir = env.AGNT5_ENTITY_STORE_DATA_DIR || join(env.AGNT5_DATA_DIR || ".agnt5", "entity-pglite");
      if (schema) config.schema = schema;
      break;
    case "redis":
      config.url = env.AGNT5_REDIS_URL || "redis://127.0.0.1:6379";
      if (env.AGNT5_ENTITY_STORE_REDIS_PREFIX !== undefined) config.redisPrefix = env.AGNT5_ENTITY_STORE_REDIS_PREFIX;
      break;
    default:
      if (schema) config.schema = schema;
  }
  return config;
}
