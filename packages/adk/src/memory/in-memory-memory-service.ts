import { cosineSimilarity, embedTexts, keywordScore, keywords, type MemoryEmbedding } from "./memory-embedding.js";
import { matchesFilter, mergeMetadata } from "./memory-filter.js";
import type {
  MemoryChanges,
  MemoryFilter,
  MemoryRecord,
  MemorySearchOptions,
  MemorySearchResult,
  MemoryService,
  MemoryWrite,
} from "./memory-types.js";

export interface InMemoryMemoryServiceOptions {
  /** Embed memories and queries and rank by cosine similarity; without it, memories are ranked by keywords. */
  embedding?: MemoryEmbedding;
}

interface Row {
  record: MemoryRecord;
  embedding: number[] | undefined;
}

/**
 * Memories in this process (development and tests): cosine similarity over stored embeddings when an
 * embedding model is given, else keyword scoring (the share of the query's words a memory holds).
 * Nothing survives the process; use VectorMemoryService or DatabaseMemoryService (@agnt5/memory-store)
 * for that.
 */
export class InMemoryMemoryService implements MemoryService {
  readonly name: string;
  readonly #rows = new Map<string, Row>();
  readonly #embedding: MemoryEmbedding | undefined;

  constructor(options: InMemoryMemoryServiceOptions = {}) {
    this.#embedding = options.embedding;
    this.name = options.embedding ? "in-memory (embeddings)" : "in-memory (keywords)";
  }

  async upsert(writes: readonly MemoryWrite[]): Promise<void> {
    const embeddings = this.#embedding
      ? await embedTexts(
          this.#embedding,
          writes.map((write) => write.content),
        )
      : [];
    const now = new Date().toISOString();
    writes.forEach((write, index) => {
      const createdAt = this.#rows.get(write.key)?.record.createdAt ?? now;
      this.#rows.set(write.key, {
        record: { key: write.key, content: write.content, metadata: { ...write.metadata }, createdAt, updatedAt: now },
        embedding: embeddings[index],
      });
    });
  }

  async get(keys: readonly string[]): Promise<MemoryRecord[]> {
    return keys.flatMap((key) => {
      const row = this.#rows.get(key);
      return row ? [copy(row.record)] : [];
    });
  }

  async search(query: string, options: MemorySearchOptions & { limit: number }): Promise<MemorySearchResult[]> {
    const candidates = [...this.#rows.values()].filter((row) => matchesFilter(row.record.metadata, options.filter));
    let scored: Array<{ row: Row; score: number }>;
    if (this.#embedding) {
      const [vector] = await embedTexts(this.#embedding, [query]);
      scored = candidates.map((row) => ({ row, score: cosineSimilarity(vector ?? [], row.embedding ?? []) }));
    } else {
      const wanted = keywords(query);
      scored = candidates
        .map((row) => ({ row, score: keywordScore(wanted, keywords(documentText(row.record))) }))
        .filter((hit) => hit.score > 0);
    }
    return scored
      .filter((hit) => options.minScore === undefined || hit.score >= options.minScore)
      .sort((a, b) => b.score - a.score || a.row.record.key.localeCompare(b.row.record.key))
      .slice(0, options.limit)
      .map((hit) => ({ ...copy(hit.row.record), score: hit.score }));
  }

  async update(key: string, changes: MemoryChanges): Promise<MemoryRecord | undefined> {
    const row = this.#rows.get(key);
    if (!row) return undefined;
    const content = changes.content ?? row.record.content;
    const embedding =
      this.#embedding && changes.content !== undefined && changes.content !== row.record.content
        ? (await embedTexts(this.#embedding, [content]))[0]
        : row.embedding;
    const record: MemoryRecord = {
      ...row.record,
      content,
      metadata: mergeMetadata(row.record.metadata, changes.metadata),
      updatedAt: new Date().toISOString(),
    };
    this.#rows.set(key, { record, embedding });
    return copy(record);
  }

  async delete(keys: readonly string[]): Promise<number> {
    let removed = 0;
    for (const key of new Set(keys)) if (this.#rows.delete(key)) removed++;
    return removed;
  }

  async listKeys(options: { prefix?: string; filter: MemoryFilter; limit?: number }): Promise<string[]> {
    const keys = [...this.#rows.values()]
      .filter((row) => options.prefix === undefined || row.record.key.startsWith(options.prefix))
      .filter((row) => matchesFilter(row.record.metadata, options.filter))
      .map((row) => row.record.key)
      .sort();
    return options.limit === undefined ? keys : keys.slice(0, options.limit);
  }
}

/** What keyword scoring reads of a memory: its key's words, its content and its metadata's text values. */
function documentText(record: MemoryRecord): string {
  const values = Object.values(record.metadata).filter((value) => typeof value === "string");
  return [record.key.replace(/[_:.-]+/g, " "), record.content, ...values].join(" ");
}

function copy(record: MemoryRecord): MemoryRecord {
  return { ...record, metadata: structuredClone(record.metadata) };
}
