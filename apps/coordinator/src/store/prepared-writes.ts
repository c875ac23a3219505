import type { Queryable } from "./database.js";

/** Batches up to this many rows run as prepared statements; bigger ones, rarer and each of its own size, do not. */
export const PREPARED_MAX_ROWS = 8;
/** Distinct statement texts that get a name: a connection holds at most this many of our prepared statements. */
const MAX_PREPARED_TEXTS = 100;
const names = new Map<string, string>();

/**
 * A group-commit statement as a named prepared statement where the queryable offers them
 * (PostgreSQL): parsed and planned once per connection and text instead of on every commit. For a
 * one-row journal append that was about 0.1 ms of PostgreSQL's time, half of the statement's cost
 * without its fsync. The name is given by the text itself, so one name never means two statements.
 */
export function queryBatch<T>(tx: Queryable, rows: number, sql: string, params: unknown[]): Promise<T[]> {
  if (!tx.queryPrepared || rows > PREPARED_MAX_ROWS) return tx.query<T>(sql, params);
  let name = names.get(sql);
  if (name === undefined) {
    if (names.size >= MAX_PREPARED_TEXTS) return tx.query<T>(sql, params);
    name = `agnt5_batch_${names.size}`;
    names.set(sql, name);
  }
  return tx.queryPrepared<T>(name, sql, params);
}
