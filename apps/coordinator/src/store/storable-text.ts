// What PostgreSQL (and PGlite) cannot store: U+0000 in text or jsonb, and in jsonb the escape of an
// unpaired UTF-16 surrogate ("\ud800": "Unicode low surrogate must follow a high surrogate"). In a
// text parameter node-postgres and PGlite silently send a lone surrogate as U+FFFD (they encode
// UTF-8). Values carried as JSON text in text columns are safe as they are: JSON.stringify escapes
// both as six ASCII characters. What a worker sends as descriptive text (an error's message, code,
// type, details; a component's description, schemas, metadata) is made storable by replacing each
// with U+FFFD; identifiers (step, signal and state field names) are refused instead, see
// `unstorableIn`.

// biome-ignore lint/suspicious/noControlCharactersInRegex: U+0000 is exactly what it looks for.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, "g");
const REPLACEMENT = "\uFFFD";

/** The text with U+0000 and every lone surrogate replaced by U+FFFD (the same text when it has none). */
export function storableText(text: string): string {
  return UNSTORABLE.test(text) ? text.replace(UNSTORABLE_ALL, REPLACEMENT) : text;
}

/**
 * Why `text` cannot be stored as it is ("U+0000" or "an unpaired UTF-16 surrogate"), or undefined
 * when it can: for identifiers, which are refused rather than changed behind their owner's back.
 */
export function unstorableIn(text: string): string | undefined {
  const found = UNSTORABLE.exec(text);
  if (!found) return undefined;
  return found[0] === "\u0000" ? "U+0000" : "an unpaired UTF-16 surrogate";
}

/**
 * A JSON value with storableText applied to every string and every object key (a JSON value: what
 * JSON.parse returns; objects are rebuilt only when a key changes). Two keys that differ only there
 * become one, the later winning.
 */
export function storableJsonValue<T>(value: T): T {
  const json = storableJson(value);
  return json === undefined ? value : (JSON.parse(json) as T);
}

/** JSON.stringify of `value`, storable in a jsonb column (see storableJsonValue); undefined as JSON.stringify. */
export function storableJson(value: unknown): string {
  return JSON.stringify(value, storableReplacer);
}

function storableReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "string") return storableText(value);
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const entries = Object.entries(value);
  if (!entries.some(([key]) => UNSTORABLE.test(key))) return value;
  // A null prototype: a key "__proto__" stays an own property, as JSON.parse makes it.
  const rebuilt: Record<string, unknown> = Object.create(null);
  for (const [key, item] of entries) rebuilt[storableText(key)] = item;
  return rebuilt;
}
