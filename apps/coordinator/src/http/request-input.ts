import { CoordinatorError } from "../errors.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;

/** The request body as JSON text, checked to parse; an empty body is JSON null. */
export function jsonBodyText(body: Buffer | undefined, what = "Request body"): string {
  if (!body || body.byteLength === 0) return "null";
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new CoordinatorError("INVALID_JSON", `${what} is not valid UTF-8`);
  }
  try {
    JSON.parse(text);
  } catch (error) {
    throw new CoordinatorError("INVALID_JSON", `${what} is not valid JSON: ${(error as Error).message}`);
  }
  refuseNul(text, what);
  refuseDeepNesting(text, what);
  return text;
}

/**
 * How deep a JSON document may nest. JSON.parse copes with any depth, but JSON.stringify and
 * every recursive walk after it (the worker's handler output, entity state, schema checks) run
 * out of stack a few thousand levels down: such input would fail later as a handler error (500).
 */
export const MAX_JSON_DEPTH = 512;

function refuseDeepNesting(jsonText: string, what: string): void {
  // A document cannot nest deeper than it has characters.
  if (jsonText.length <= MAX_JSON_DEPTH) return;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < jsonText.length; i++) {
    const char = jsonText.charCodeAt(i);
    if (inString) {
      // A backslash escapes the next character (a quote among them).
      if (char === 0x5c) i++;
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x5b || char === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) {
        throw new CoordinatorError(
          "INVALID_JSON",
          `${what} nests deeper than ${MAX_JSON_DEPTH} levels of arrays and objects`,
        );
      }
    } else if (char === 0x5d || char === 0x7d) depth--;
  }
}

/**
 * An escaped U+0000 (`\u0000`) not itself preceded by an escaping backslash. In valid JSON a
 * backslash only occurs inside strings, so this is exactly a NUL character in a string or key.
 */
const ESCAPED_NUL = /(?:^|[^\\])(?:\\\\)*\\u0000/;

/**
 * JSON may hold "\u0000" in a string, but PostgreSQL text and jsonb cannot store U+0000: such a
 * body is refused here with a 400 rather than failing later, in the store, as a 500 or 503.
 */
function refuseNul(jsonText: string, what: string): void {
  if (ESCAPED_NUL.test(jsonText)) {
    throw new CoordinatorError(
      "INVALID_JSON",
      `${what} contains the character U+0000 (\\u0000) in a string, which the store cannot hold; encode binary data, e.g. as base64`,
    );
  }
}

/**
 * The seed's `inputData`: base64 of JSON. The seed's own example ("QWxpY2U=", which is `Alice`
 * without quotes) is not JSON, so bytes that decode to text but not to JSON are taken as that
 * string: `Alice` becomes "Alice".
 */
export function base64InputText(inputData: unknown): string {
  if (inputData === undefined || inputData === null || inputData === "") return "null";
  if (typeof inputData !== "string") throw new CoordinatorError("INVALID_REQUEST", "inputData must be a base64 string");
  if (!BASE64.test(inputData)) {
    throw new CoordinatorError(
      "INVALID_BASE64",
      "inputData is not valid base64 (standard alphabet A-Z a-z 0-9 + /, '=' padding)",
    );
  }
  let text: string;
  try {
    text = utf8.decode(Buffer.from(inputData, "base64"));
  } catch {
    throw new CoordinatorError("INVALID_BASE64", "inputData does not decode to UTF-8 text");
  }
  let json: string;
  try {
    JSON.parse(text);
    json = text;
  } catch {
    json = JSON.stringify(text);
  }
  refuseNul(json, "inputData");
  refuseDeepNesting(json, "inputData");
  return json;
}

/** Parses the /call envelope with messages that name the offending field. */
export function parseCallEnvelope(body: Buffer | undefined): {
  serviceName: string;
  handlerName: string;
  input: string;
} {
  const envelope = JSON.parse(jsonBodyText(body)) as unknown;
  if (typeof envelope !== "object" || envelope === null || Array.isArray(envelope)) {
    throw new CoordinatorError(
      "INVALID_REQUEST",
      "Request body must be a JSON object {serviceName, handlerName, inputData}",
    );
  }
  const { serviceName, handlerName, inputData } = envelope as Record<string, unknown>;
  if (typeof serviceName !== "string" || !serviceName) {
    throw new CoordinatorError("INVALID_REQUEST", "serviceName is required and must be a non-empty string");
  }
  if (typeof handlerName !== "string" || !handlerName) {
    throw new CoordinatorError("INVALID_REQUEST", "handlerName is required and must be a non-empty string");
  }
  return { serviceName, handlerName, input: base64InputText(inputData) };
}

const MAX_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/** `?timeoutMs=` or the `agnt5-timeout-ms` header: how long a synchronous caller waits. */
export function callTimeoutMs(query: unknown, headers: Record<string, unknown>, fallback: number): number {
  const raw = (query as Record<string, unknown> | undefined)?.timeoutMs ?? headers["agnt5-timeout-ms"];
  if (raw === undefined || raw === "") return fallback;
  // Digits only: Number() would read " " or "0x10" as numbers (a blank timeout as 0 ms).
  const value = typeof raw === "string" && /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(value) || value < 0 || value > MAX_TIMEOUT_MS) {
    throw new CoordinatorError(
      "INVALID_REQUEST",
      `timeoutMs must be an integer between 0 and ${MAX_TIMEOUT_MS}, got "${raw}"`,
    );
  }
  return value;
}

const NOT_FORWARDED = new Set([
  "host",
  "connection",
  "content-length",
  "content-type",
  "transfer-encoding",
  "accept-encoding",
  "keep-alive",
  "upgrade",
  "expect",
]);

/** Caller headers passed on to the handler's ctx.headers (hop-by-hop and framing headers dropped). */
export function forwardedHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || NOT_FORWARDED.has(name)) continue;
    result[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return result;
}
