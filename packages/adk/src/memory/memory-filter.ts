import { TerminalError } from "@agnt5/core";
import type { MemoryChanges, MemoryFilter, MemoryMetadata } from "./memory-types.js";

/** Whether `metadata` has every field of `filter` (a value equal to it, or an array holding it; an array filter value is any-of). */
export function matchesFilter(metadata: MemoryMetadata, filter: MemoryFilter | undefined): boolean {
  if (!filter) return true;
  return Object.entries(filter).every(([field, wanted]) => {
    const choices = Array.isArray(wanted) ? wanted : [wanted];
    const actual = metadata[field];
    return choices.some((choice) =>
      Array.isArray(actual) ? actual.some((item) => sameJson(item, choice)) : sameJson(actual, choice),
    );
  });
}

function sameJson(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === "object" && a !== null && JSON.stringify(a) === JSON.stringify(b));
}

/** The metadata after an update: fields merged, fields set to null removed. */
export function mergeMetadata(old: MemoryMetadata, changes: MemoryChanges["metadata"]): MemoryMetadata {
  const merged: MemoryMetadata = { ...old };
  for (const [field, value] of Object.entries(changes ?? {})) {
    if (value === null) delete merged[field];
    else merged[field] = value;
  }
  return merged;
}

const MAX_KEY_LENGTH = 512;

export function invalidArgument(message: string): TerminalError {
  return new TerminalError(message, { code: "INVALID_ARGUMENT" });
}

/** A key must be a non-empty string PostgreSQL can store (no U+0000), at most 512 characters. */
export function checkKey(key: unknown, where: string): string {
  if (typeof key !== "string" || key === "") {
    throw invalidArgument(`${where}: a memory key must be a non-empty string, got ${describe(key)}`);
  }
  if (key.length > MAX_KEY_LENGTH) {
    throw invalidArgument(`${where}: memory key "${key.slice(0, 40)}..." is longer than ${MAX_KEY_LENGTH} characters`);
  }
  if (key.includes("\u0000")) throw invalidArgument(`${where}: memory key ${JSON.stringify(key)} holds U+0000`);
  return key;
}

export function checkKeys(keys: unknown, where: string): string[] {
  if (!Array.isArray(keys)) throw invalidArgument(`${where}: keys must be an array of strings, got ${describe(keys)}`);
  return keys.map((key) => checkKey(key, where));
}

export function checkContent(content: unknown, where: string): string {
  if (typeof content !== "string") {
    throw invalidArgument(`${where}: content must be a string, got ${describe(content)}`);
  }
  if (content.includes("\u0000")) throw invalidArgument(`${where}: content holds U+0000`);
  return content;
}

export function checkMetadata(metadata: unknown, where: string): MemoryMetadata {
  if (metadata === undefined) return {};
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
    throw invalidArgument(`${where}: metadata must be an object, got ${describe(metadata)}`);
  }
  let json: string;
  try {
    json = JSON.stringify(metadata);
  } catch (error) {
    throw invalidArgument(`${where}: metadata is not JSON: ${(error as Error).message}`);
  }
  if (json.includes("\\u0000")) throw invalidArgument(`${where}: metadata holds U+0000`);
  // Stored as JSON: what a search returns is what JSON keeps (a Date becomes its ISO string).
  return JSON.parse(json) as MemoryMetadata;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "string" ? JSON.stringify(value) : typeof value;
}
