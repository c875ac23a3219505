import { Agnt5ClientError } from "./client-error.js";

/**
 * The gateway addresses a Client takes: one base URL, several (replicas, in the order to try them),
 * or one string with comma-separated URLs. With several, each must be an absolute http(s) URL and
 * a bad or empty entry is refused naming it (a typo would otherwise leave a replica unused). One
 * URL is passed through as before (a browser may use a relative one).
 */
export function parseBaseUrls(value: string | readonly string[]): string[] {
  const entries = typeof value === "string" ? value.split(",") : [...value];
  if (entries.length === 0) throw invalidConfig("The Client's baseUrl is an empty list: give at least one gateway URL");
  if (entries.length === 1) return [normalize(entries[0] as string)];
  const whole = entries.join(",");
  return entries.map((entry, index) => {
    const where = `entry ${index + 1} of ${entries.length} in the Client's baseUrl "${whole}"`;
    let url: URL | undefined;
    try {
      url = new URL(entry.trim());
    } catch {}
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
      throw invalidConfig(
        `Invalid gateway URL "${entry}" (${where}): expected http://host:port or https://host[:port]`,
      );
    }
    return normalize(entry);
  });
}

function normalize(url: string): string {
  return url.trim().replace(/\/+$/, "");
}

function invalidConfig(message: string): Agnt5ClientError {
  return new Agnt5ClientError({ message, status: 0, code: "INVALID_CONFIG" });
}

/**
 * What a failed fetch says about the request. "not-sent": the connection was never made (refused,
 * no such host, no route, connect timeout), so the request can go to another endpoint whatever it
 * does. "maybe-sent": the connection broke or timed out after the request went out, and the gateway
 * may have acted on it. "unknown": anything else (a bad CA file, a URL fetch cannot parse).
 */
export type FetchFailure = "not-sent" | "maybe-sent" | "unknown";

/** Node's and undici's codes for a connection that was never established. */
const NOT_SENT = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
]);
/** Codes for a connection that broke, or a response that never came, after the request was written. */
const MAYBE_SENT = new Set([
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

export function classifyFetchFailure(error: unknown): FetchFailure {
  const codes = errorCodes(error);
  if (codes.length > 0 && codes.every((code) => NOT_SENT.has(code))) return "not-sent";
  if (codes.some((code) => MAYBE_SENT.has(code))) return "maybe-sent";
  return "unknown";
}

/** fetch wraps the socket's error as `cause`; connecting to every address of a host fails as an AggregateError. */
function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  const visit = (value: unknown, depth: number) => {
    if (typeof value !== "object" || value === null || depth > 3) return;
    const { code, cause, errors } = value as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === "string") codes.push(code);
    if (Array.isArray(errors)) for (const inner of errors) visit(inner, depth + 1);
    else visit(cause, depth + 1);
  };
  visit((error as { cause?: unknown } | undefined)?.cause ?? error, 0);
  return codes;
}

/** A request the gateway may safely receive twice: a read, or a call that carries an idempotency key. */
export function safeToRepeat(method: string, headers: Record<string, string>): boolean {
  const upper = method.toUpperCase();
  if (upper === "GET" || upper === "HEAD") return true;
  return Object.keys(headers).some((name) => name.toLowerCase() === "idempotency-key" && headers[name]);
}
