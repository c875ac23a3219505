export { InMemoryMemoryService, type InMemoryMemoryServiceOptions } from "./in-memory-memory-service.js";
export { Memory, type MemoryOptions } from "./memory.js";
export { attachMemoryContext } from "./memory-context.js";
export { cosineSimilarity, embedTexts, keywordScore, keywords, type MemoryEmbedding } from "./memory-embedding.js";
export { checkContent, checkKey, checkMetadata, matchesFilter, mergeMetadata } from "./memory-filter.js";
export type { ExtractedFact, IngestibleSession, IngestOptions, IngestStrategy } from "./memory-ingest.js";
export type {
  ListKeysOptions,
  MemoryChanges,
  MemoryFilter,
  MemoryMetadata,
  MemoryRecord,
  MemorySearchOptions,
  MemorySearchResult,
  MemoryService,
  MemoryWrite,
} from "./memory-types.js";
