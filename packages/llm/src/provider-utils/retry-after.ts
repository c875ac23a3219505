/**
 * Milliseconds a provider asked us to wait before retrying: `retry-after-ms` (milliseconds, which
 * OpenAI's and Anthropic's APIs send) or `retry-after` (seconds, or an HTTP date). undefined when
 * neither is present or parseable. One implementation for every adapter, so they cannot drift.
 */
export function parseRetryAfterMs(
  headers: Headers | Record<string, string | undefined> | undefined,
  now: number = Date.now(),
): number | undefined {
  if (!headers) return undefined;
  const get = headerReader(headers);
  const milliseconds = get("retry-after-ms");
  if (milliseconds !== undefined && milliseconds.trim() !== "") {
    const value = Number(milliseconds);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const retryAfter = get("retry-after");
  if (retryAfter === undefined || retryAfter.trim() === "") return undefined;
  const seconds = Number(retryAfter);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Case-insensitive header lookup over a Headers object or a plain record (as the AWS SDK gives). */
function headerReader(headers: Headers | Record<string, string | undefined>): (name: string) => string | undefined {
  if (typeof (headers as Headers).get === "function") {
    return (name) => (headers as Headers).get(name) ?? undefined;
  }
  const lower = new Map(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]));
  return (name) => lower.get(name);
}
