// Input checks shared by every backend, so that all four accept and reject exactly the same
// things: whatever one backend could not store faithfully (PostgreSQL text cannot hold U+0000, a
// lone UTF-16 surrogate has no UTF-8 form, a b-tree entry has a size limit) is refused everywhere.
import { invalid } from "./errors.js";
import type { EntityCommit, LastWrite, ListKeysOptions } from "./types.js";

/** Longest entity type or key, in UTF-8 bytes (the (type, key) primary key must fit a b-tree page). */
export const MAX_ID_BYTES = 1024;
export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkText(what: string, value: unknown): asserts value is string {
  if (typeof value !== "string")
    throw invalid(`${what} must be a string, got ${value === null ? "null" : typeof value}`);
  if (value.includes("\u0000")) throw invalid(`${what} contains U+0000, which PostgreSQL text cannot store`);
  if (LONE_SURROGATE.test(value)) throw invalid(`${what} contains a lone UTF-16 surrogate, which has no UTF-8 form`);
}

function checkId(what: string, value: unknown): asserts value is string {
  checkText(what, value);
  if (Buffer.byteLength(value, "utf8") > MAX_ID_BYTES) {
    throw invalid(`${what} is longer than ${MAX_ID_BYTES} UTF-8 bytes`);
  }
}

export function checkEntityId(type: unknown, key: unknown): void {
  checkId("entity type", type);
  if (type === "") throw invalid("entity type must not be empty");
  checkId("entity key", key);
}

/** A commit after validation: sets as entries, deletes without duplicates. */
export interface NormalizedCommit {
  expectedVersion: number;
  sets: Array<[field: string, json: string]>;
  deletes: string[];
  write?: LastWrite;
}

export function normalizeCommit(commit: EntityCommit): NormalizedCommit {
  if (typeof commit !== "object" || commit === null) throw invalid("commit must be an object");
  const { expectedVersion, sets, deletes, write } = commit;
  if (!Number.isSafeInteger(expectedVersion) || expectedVersion < 0) {
    throw invalid(`expectedVersion must be a non-negative integer, got ${String(expectedVersion)}`);
  }
  if (typeof sets !== "object" || sets === null || Array.isArray(sets)) {
    throw invalid("sets must be an object mapping field names to JSON text");
  }
  if (!Array.isArray(deletes)) throw invalid("deletes must be an array of field names");

  const setEntries = Object.entries(sets);
  for (const [field, value] of setEntries) {
    checkText(`state field name ${JSON.stringify(field)}`, field);
    checkText(`value of state field ${JSON.stringify(field)}`, value);
    try {
      JSON.parse(value);
    } catch (err) {
      throw invalid(`value of state field ${JSON.stringify(field)} is not JSON text: ${(err as Error).message}`);
    }
  }
  const deleteSet = new Set<string>();
  for (const field of deletes as unknown[]) {
    checkText("deleted state field name", field);
    if (Object.hasOwn(sets, field)) {
      throw invalid(`state field ${JSON.stringify(field)} is both set and deleted in one commit`);
    }
    deleteSet.add(field);
  }

  const normalized: NormalizedCommit = { expectedVersion, sets: setEntries, deletes: [...deleteSet] };
  if (write !== undefined) {
    if (typeof write !== "object" || write === null) throw invalid("write must be { invocationId, output }");
    checkText("write.invocationId", write.invocationId);
    if (write.invocationId === "") throw invalid("write.invocationId must not be empty");
    checkText("write.output", write.output);
    normalized.write = { invocationId: write.invocationId, output: write.output };
  }
  return normalized;
}

// ------------------------------------------------------------------ listKeys

export interface NormalizedListOptions {
  prefix: string;
  /** Exclusive upper bound of the keys starting with `prefix`, or undefined when there is none. */
  prefixEnd: string | undefined;
  limit: number;
  /** Return keys strictly after this one (decoded cursor). */
  after: string | undefined;
}

export function normalizeListOptions(type: unknown, options: ListKeysOptions = {}): NormalizedListOptions {
  checkId("entity type", type);
  if (type === "") throw invalid("entity type must not be empty");
  const prefix = options.prefix ?? "";
  checkText("prefix", prefix);
  let limit = options.limit ?? DEFAULT_LIST_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1) throw invalid(`limit must be a positive integer, got ${limit}`);
  limit = Math.min(limit, MAX_LIST_LIMIT);
  const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
  return { prefix, prefixEnd: prefixUpperBound(prefix), limit, after };
}

/** Cursors are opaque: "k" + base64url of the last key returned (the "k" keeps the empty key's cursor non-empty). */
export function encodeCursor(lastKey: string): string {
  return `k${Buffer.from(lastKey, "utf8").toString("base64url")}`;
}

export function decodeCursor(cursor: unknown): string {
  if (typeof cursor !== "string" || !/^k[A-Za-z0-9_-]*$/.test(cursor)) {
    throw invalid(`invalid listKeys cursor ${JSON.stringify(cursor)}`);
  }
  const key = Buffer.from(cursor.slice(1), "base64url").toString("utf8");
  if (encodeCursor(key) !== cursor) throw invalid(`invalid listKeys cursor ${JSON.stringify(cursor)}`);
  return key;
}

/**
 * Compares strings by Unicode code point, which is also the byte order of their UTF-8 forms: the
 * order of PostgreSQL's "C" collation and of Redis's ZRANGEBYLEX. (Plain `<` compares UTF-16 code
 * units, which puts U+10000.. before U+E000..U+FFFF.)
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return fixup(x) - fixup(y);
  }
  return a.length - b.length;
}

// Moves surrogates (0xD800-0xDFFF) above 0xE000-0xFFFF, keeping each range's own order.
const fixup = (unit: number) => (unit >= 0xe000 ? unit - 0x800 : unit >= 0xd800 ? unit + 0x2000 : unit);

/**
 * The smallest string (in code point order) greater than every string that starts with `prefix`,
 * or undefined when there is none (empty prefix, or only U+10FFFF).
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const points = Array.from(prefix, (ch) => ch.codePointAt(0)!);
  while (points.length > 0 && points[points.length - 1] === 0x10ffff) points.pop();
  const last = points.pop();
  if (last === undefined) return undefined;
  points.push(last + 1 === 0xd800 ? 0xe000 : last + 1);
  return String.fromCodePoint(...points);
}
