import { type DurableContext, TerminalError } from "@agnt5/core";
import type { LanguageModel, ProviderRegistry } from "@agnt5/llm";
import { checkContent, checkKey, checkKeys, checkMetadata, invalidArgument } from "./memory-filter.js";
import {
  type IngestibleSession,
  type IngestOptions,
  journaled,
  planIngestion,
  readTurns,
  sessionIdentity,
} from "./memory-ingest.js";
import type {
  ListKeysOptions,
  MemoryChanges,
  MemoryFilter,
  MemoryMetadata,
  MemoryRecord,
  MemorySearchOptions,
  MemorySearchResult,
  MemoryService,
} from "./memory-types.js";

export interface MemoryOptions {
  /** Where memories live: InMemoryMemoryService, or VectorMemoryService / DatabaseMemoryService from @agnt5/memory-store. */
  service: MemoryService;
  /** The model ingestFromSession uses for "smart" and "summary" (a "provider/model" string or a LanguageModelV1). */
  model?: LanguageModel;
  registry?: ProviderRegistry;
}

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 1000;

/**
 * Long-term memory: facts, preferences and context an agent keeps across conversations, searchable in
 * natural language. Every write is an upsert by key, so repeating one (a retry, a replay, an
 * ingestion run again after a crash) leaves the same memories; `forget` deletes for good.
 *
 * Inside a durable handler use `memory.withContext(ctx)` (or `ctx.memory`): each operation is then a
 * journal entry (`memory:<operation>`), so a replay returns what the first run saw and writes nothing twice.
 *
 * @example
 * const memory = new Memory({ service: new InMemoryMemoryService() });
 * await memory.store("user_role", "Senior engineer, distributed systems", { type: "user_info", confidence: 0.95 });
 * const hits = await memory.search("What does the user know about databases?", { limit: 5 });
 */
export class Memory {
  readonly service: MemoryService;
  readonly model: LanguageModel | undefined;
  readonly registry: ProviderRegistry | undefined;
  /** The durable context operations are journaled in (set by withContext). */
  readonly ctx: DurableContext | undefined;

  constructor(options: MemoryOptions, ctx?: DurableContext) {
    if (!options || typeof options.service?.search !== "function" || typeof options.service?.upsert !== "function") {
      throw invalidArgument(
        "new Memory({ service }) needs a MemoryService (InMemoryMemoryService, VectorMemoryService, DatabaseMemoryService)",
      );
    }
    this.service = options.service;
    this.model = options.model;
    this.registry = options.registry;
    this.ctx = ctx;
  }

  /** This memory with its operations journaled in `ctx` (what ctx.memory is). */
  withContext(ctx: DurableContext): Memory {
    return new Memory({ service: this.service, model: this.model, registry: this.registry }, ctx);
  }

  /** Stores (or replaces) the memory `key`. Metadata: `type`, `confidence`, `userId`, `sessionId`, any JSON field. */
  async store(key: string, content: string, metadata?: MemoryMetadata): Promise<MemoryRecord> {
    const write = {
      key: checkKey(key, "memory.store"),
      content: checkContent(content, "memory.store"),
      metadata: checkMetadata(metadata, "memory.store"),
    };
    return this.#journal(`memory:store:${write.key}`, async () => {
      await this.service.upsert([write]);
      const [stored] = await this.service.get([write.key]);
      return stored as MemoryRecord;
    });
  }

  /** The seed's `ctx.memory.set(key, value)`: store with no metadata. */
  set(key: string, content: string, metadata?: MemoryMetadata): Promise<MemoryRecord> {
    return this.store(key, content, metadata);
  }

  /** The memories with these keys, in that order; keys with no memory are left out. */
  async recall(keys: readonly string[] | string): Promise<MemoryRecord[]> {
    const wanted = checkKeys(typeof keys === "string" ? [keys] : keys, "memory.recall");
    return this.#journal("memory:recall", () => this.service.get(wanted));
  }

  /** One memory, or undefined. */
  async get(key: string): Promise<MemoryRecord | undefined> {
    return (await this.recall([key]))[0];
  }

  /** The memories best matching `query`, best first, each with its score and metadata. */
  async search(query: string, options: MemorySearchOptions = {}): Promise<MemorySearchResult[]> {
    if (typeof query !== "string") throw invalidArgument("memory.search: query must be a string");
    const limit = options.limit ?? DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      throw invalidArgument(`memory.search: limit must be an integer from 1 to ${MAX_LIMIT}, got ${limit}`);
    }
    const filter = options.filter === undefined ? undefined : checkFilter(options.filter, "memory.search");
    const resolved = {
      limit,
      ...(filter === undefined ? {} : { filter }),
      ...(options.minScore === undefined ? {} : { minScore: options.minScore }),
    };
    return this.#journal("memory:search", () => this.service.search(query, resolved));
  }

  /** Removes these memories for good (they never come back in search); resolves with how many existed. */
  async forget(keys: readonly string[] | string): Promise<number> {
    const doomed = checkKeys(typeof keys === "string" ? [keys] : keys, "memory.forget");
    if (doomed.length === 0) return 0;
    return this.#journal("memory:forget", () => this.service.delete(doomed));
  }

  /** Changes one memory (new content is re-embedded; metadata fields merged, null removes one); MEMORY_NOT_FOUND when there is none. */
  async update(key: string, changes: MemoryChanges): Promise<MemoryRecord> {
    checkKey(key, "memory.update");
    if (typeof changes !== "object" || changes === null)
      throw invalidArgument("memory.update: changes must be an object");
    const checked: MemoryChanges = {
      ...(changes.content === undefined ? {} : { content: checkContent(changes.content, "memory.update") }),
      ...(changes.metadata === undefined ? {} : { metadata: checkMetadata(changes.metadata, "memory.update") }),
    };
    const updated = await this.#journal(
      `memory:update:${key}`,
      async () => (await this.service.update(key, checked)) ?? null,
    );
    if (updated === null) {
      throw new TerminalError(`memory.update: there is no memory with key "${key}"`, { code: "MEMORY_NOT_FOUND" });
    }
    return updated;
  }

  /** Keys of the memories matching (userId, sessionId, type, prefix, other metadata), ascending. */
  async listKeys(options: ListKeysOptions = {}): Promise<string[]> {
    const filter: MemoryFilter = {
      ...(options.filter === undefined ? {} : checkFilter(options.filter, "memory.listKeys")),
    };
    if (options.userId !== undefined) filter.userId = options.userId;
    if (options.sessionId !== undefined) filter.sessionId = options.sessionId;
    if (options.type !== undefined) filter.type = options.type;
    if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 1)) {
      throw invalidArgument(`memory.listKeys: limit must be a positive integer, got ${options.limit}`);
    }
    return this.#journal("memory:listKeys", () =>
      this.service.listKeys({
        filter,
        ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
        ...(options.limit === undefined ? {} : { limit: options.limit }),
      }),
    );
  }

  /**
   * Turns a conversation into memories (see IngestOptions for the strategies) and resolves with their
   * keys. Idempotent: the keys depend on the session and the content, and in a durable context the
   * model's extraction is journaled, so an ingestion run again after a crash writes the same memories.
   */
  async ingestFromSession(session: IngestibleSession, options: IngestOptions = {}): Promise<string[]> {
    const strategy = options.strategy ?? "smart";
    const turns = await readTurns(session);
    const writes = await planIngestion(
      turns,
      sessionIdentity(session),
      {
        strategy,
        model: options.model ?? this.model,
        ...(this.registry === undefined ? {} : { registry: this.registry }),
        ...(options.metadata === undefined ? {} : { metadata: checkMetadata(options.metadata, "ingestFromSession") }),
      },
      this.ctx,
    );
    if (writes.length > 0) {
      await this.#journal(`memory:ingest:store:${strategy}`, async () => {
        await this.service.upsert(writes);
        return null;
      });
    }
    return writes.map((write) => write.key);
  }

  /** Journaled as `name` in a durable context (outside a ctx.step's function); run directly otherwise. */
  #journal<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return journaled(this.ctx, name, fn);
  }
}

function checkFilter(filter: unknown, where: string): MemoryFilter {
  if (typeof filter !== "object" || filter === null || Array.isArray(filter)) {
    throw invalidArgument(`${where}: filter must be an object of metadata fields`);
  }
  return filter as MemoryFilter;
}
