// Read-only SQL over @agnt5/entity-store's `entity_state` table, used when entity state lives in
// the coordinator's own database (AGNT5_ENTITY_STORE=default): counts and timestamps that the
// store's interface does not offer. Other backends go through the interface (see entity-reader.ts).
import type { Queryable } from "../../store/index.js";

/**
 * The store creates `entity_state` when it is first used: until an entity is written there is no
 * table, which reads as no entities (PostgreSQL's undefined_table, on PostgreSQL and PGlite alike).
 */
async function orNone<T>(query: Promise<T[]>): Promise<T[]> {
  try {
    return await query;
  } catch (error) {
    if ((error as { code?: unknown }).code === "42P01") return [];
    throw error;
  }
}

export async function entityTypeCounts(db: Queryable): Promise<Array<{ type: string; keys: number }>> {
  return orNone(db.query(`SELECT type, count(*)::int AS keys FROM entity_state GROUP BY type ORDER BY type`));
}

export interface EntityKeyRow {
  key: string;
  version: number;
  updated_at: Date;
}

/** Keys of a type in byte order (the primary key's), after `after`, optionally under a prefix. */
export async function entityKeyRows(
  db: Queryable,
  type: string,
  options: { prefix?: string; after?: string; limit: number },
): Promise<EntityKeyRow[]> {
  const params: unknown[] = [type];
  const where = [`type = $1::text`];
  if (options.prefix) {
    params.push(`${options.prefix.replace(/[\\%_]/g, "\\$&")}%`);
    where.push(`key LIKE $${params.length}::text`);
  }
  if (options.after !== undefined) {
    params.push(options.after);
    where.push(`key > $${params.length}::text`);
  }
  params.push(options.limit);
  return orNone(
    db.query<EntityKeyRow>(
      `SELECT key, version::int AS version, updated_at FROM entity_state
     WHERE ${where.join(" AND ")} ORDER BY key LIMIT $${params.length}::int`,
      params,
    ),
  );
}

export async function entityUpdatedAt(db: Queryable, type: string, key: string): Promise<Date | null> {
  const rows = await orNone(
    db.query<{ updated_at: Date }>(`SELECT updated_at FROM entity_state WHERE type = $1::text AND key = $2::text`, [
      type,
      key,
    ]),
  );
  return rows[0]?.updated_at ?? null;
}
