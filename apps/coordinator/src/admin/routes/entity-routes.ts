import { DEFAULT_PAGE_LIMIT, type EntityKeySummary, type EntityTypeInfo } from "@agnt5/admin-client";
import { CoordinatorError } from "../../errors.js";
import type { AdminContext } from "../admin-deps.js";
import type { AdminHandlers } from "../admin-handler.js";
import { decodeCursor, encodeCursor } from "../cursor.js";
import { jsonValue } from "../detail/json-text.js";
import { entityKeyRows, entityTypeCounts, entityUpdatedAt } from "../queries/entity-rows.js";

const DEFAULT_STUCK_MS = 60_000;
/** Counting keys through a store without SQL pages through them: stop (and report at least this many) here. */
const MAX_COUNTED_KEYS = 10_000;

type EntityRoute = "listEntityTypes" | "listEntityKeys" | "getEntityKey" | "listStuckEntityKeys";

export const entityHandlers: AdminHandlers<EntityRoute> = {
  async listEntityTypes(_request, ctx) {
    const counts = new Map<string, number>();
    if (ctx.admin.entityStateInDb) {
      for (const row of await entityTypeCounts(ctx.admin.db)) counts.set(row.type, row.keys);
    }
    const types: EntityTypeInfo[] = [];
    const registered = new Set<string>();
    for (const service of ctx.services.list()) {
      for (const component of service.components.values()) {
        if (component.kind !== "entity") continue;
        registered.add(component.name);
        const keys =
          counts.get(component.name) ?? (ctx.admin.entityStateInDb ? 0 : await countKeys(ctx, component.name));
        types.push({ service: service.name, type: component.name, keys });
      }
    }
    // Types with state but no registered component (e.g. @agnt5/adk's agnt5.session, or a retired entity).
    for (const [type, keys] of counts) if (!registered.has(type)) types.push({ service: null, type, keys });
    return { types: types.sort((a, b) => a.type.localeCompare(b.type)) };
  },

  async listEntityKeys({ params, query }, ctx) {
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const queued = (key: string) => ctx.invocations.entities.queuedWritesOf(params.type, key).length;
    if (ctx.admin.entityStateInDb) {
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, 1)[0];
      const rows = await entityKeyRows(ctx.admin.db, params.type, {
        limit: limit + 1,
        ...(query.prefix === undefined ? {} : { prefix: query.prefix }),
        ...(after === undefined ? {} : { after }),
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        keys: page.map((row) => ({
          key: row.key,
          version: row.version,
          updatedAt: row.updated_at.toISOString(),
          queued: queued(row.key),
        })),
        nextCursor: rows.length > limit && last ? encodeCursor([last.key]) : null,
      };
    }
    const store = ctx.admin.entityStore;
    if (!store.listKeys)
      throw new CoordinatorError("INVALID_REQUEST", `The entity store (${store.backend}) cannot list keys`);
    const page = await store.listKeys(params.type, {
      limit,
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      ...(query.prefix === undefined ? {} : { prefix: query.prefix }),
    });
    const keys: EntityKeySummary[] = [];
    for (const key of page.keys) {
      const snapshot = await ctx.invocations.entities.snapshot(params.type, key);
      keys.push({ key, version: snapshot.version, updatedAt: null, queued: queued(key) });
    }
    return { keys, nextCursor: page.cursor ?? null };
  },

  async getEntityKey({ params }, ctx) {
    const { type, key } = params;
    const snapshot = await ctx.invocations.entities.snapshot(type, key);
    const queue = ctx.invocations.entities.queuedWritesOf(type, key);
    if (snapshot.version === 0 && queue.length === 0) {
      throw new CoordinatorError("ENTITY_NOT_FOUND", `Entity ${type}/${key} has no state and no queued writes`);
    }
    const updatedAt = ctx.admin.entityStateInDb ? await entityUpdatedAt(ctx.admin.db, type, key) : null;
    return {
      type,
      key,
      state: Object.fromEntries(Object.entries(snapshot.state).map(([field, text]) => [field, jsonValue(text)])),
      version: snapshot.version,
      updatedAt: updatedAt?.toISOString() ?? null,
      queue: queue.map((write) => ({ ...write, since: write.since.toISOString() })),
    };
  },

  async listStuckEntityKeys({ query }, ctx) {
    const threshold = Date.now() - (query.olderThanMs ?? DEFAULT_STUCK_MS);
    const keys = ctx.invocations.entities
      .queuedWrites()
      .filter(({ writes }) => (writes[0]?.since.getTime() ?? Number.POSITIVE_INFINITY) <= threshold)
      .map(({ type, key, writes }) => ({
        type,
        key,
        queued: writes.length,
        oldestSince: (writes[0]?.since ?? new Date()).toISOString(),
      }))
      .sort((a, b) => a.oldestSince.localeCompare(b.oldestSince));
    return { keys };
  },
};

async function countKeys(ctx: AdminContext, type: string): Promise<number> {
  const store = ctx.admin.entityStore;
  if (!store.listKeys) return 0;
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await store.listKeys(type, { limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
    count += page.keys.length;
    cursor = page.cursor;
  } while (cursor !== undefined && count < MAX_COUNTED_KEYS);
  return count;
}
