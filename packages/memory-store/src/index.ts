/**
 * @agnt5/memory-store: SQL backends for @agnt5/adk's Memory, in their own package so a worker that
 * keeps memories in process (InMemoryMemoryService) installs and loads no database driver.
 *
 * - `VectorMemoryService`: embeddings through @agnt5/llm's `embed` (any provider), stored and searched
 *   with pgvector on PostgreSQL or PGlite; exact scan for small sets, an HNSW index above a threshold.
 * - `DatabaseMemoryService`: PostgreSQL full-text search, no embeddings; PostgreSQL or PGlite.
 */
export { DatabaseMemoryService, type DatabaseMemoryServiceOptions } from "./database-memory-service.js";
export type { HnswBuildOptions, HnswIndexStatus } from "./hnsw-index.js";
export type { MemoryDatabase } from "./sql-database.js";
export { VectorMemoryService, type VectorMemoryServiceOptions } from "./vector-memory-service.js";
