// @agnt5/entity-store: entity state behind one interface. The drivers (pg, PGlite, ioredis) are
// loaded only when their backend is opened.
export { EntityStoreError, type EntityStoreErrorCode } from "./errors.js";
export {
  ENTITY_STORE_CHOICES,
  type EntityStoreChoice,
  type EntityStoreConfig,
  type EntityStoreEnvConfig,
  entityStoreConfigFromEnv,
  openEntityStore,
} from "./factory.js";
export { createMemoryEntityStore } from "./memory.js";
export {
  COMMIT_SCRIPT,
  createRedisEntityStore,
  DEFAULT_REDIS_PREFIX,
  LOAD_SCRIPT,
  type OpenRedisEntityStoreOptions,
  openRedisEntityStore,
  type RedisEntityStore,
  type RedisEntityStoreOptions,
} from "./redis.js";
export {
  createSqlEntityStore,
  entityStoreSchemaSql,
  openPgliteEntityStore,
  openPostgresEntityStore,
  type PgliteEntityStoreOptions,
  type PostgresEntityStoreOptions,
  type Queryable,
  type SqlEntityStore,
  type SqlEntityStoreOptions,
} from "./sql.js";
export type {
  CommitResult,
  EntityCommit,
  EntitySnapshot,
  EntityStore,
  EntityStoreBackend,
  LastWrite,
  ListKeysOptions,
  ListKeysPage,
} from "./types.js";
export { DEFAULT_LIST_LIMIT, MAX_ID_BYTES, MAX_LIST_LIMIT } from "./validate.js";
