/** Formatting of values in human output: JSON on one line, ages, durations. */

/** JSON on one line, cut to `max` characters; `undefined` (nothing recorded) is "-". */
export function jsonCell(value: unknown, max = 60): string {
  if (value === undefined) return "-";
  const text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Indented JSON for a payload shown on its own (input, output, entity state). */
export function jsonBlock(value: unknown, indent = "  "): string {
  if (value === undefined) return `${indent}-`;
  return (JSON.stringify(value, null, 2) ?? String(value))
    .split("\n")
    .map((line) => indent + line)
    .join("\n");
}

/** "12s ago", "3m ago", "2h ago", "5d ago" (relative to `now`). */
export function age(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "-";
  const ms = now - Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  if (ms < 0) return `in ${duration(-ms)}`;
  return `${duration(ms, true)} ago`;
}

/** 850ms, 1.2s, 3m 05s, 2h 10m. `coarse` drops sub-second precision (for ages). */
export function duration(ms: number | null | undefined, coarse = false): string {
  if (ms === null || ms === undefined) return "-";
  if (ms < 1000) return coarse ? `${Math.floor(ms / 1000)}s` : `${Math.round(ms)}ms`;
  if (ms < 60_000) return coarse ? `${Math.floor(ms / 1000)}s` : `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes}m ${String(Math.floor((ms % 60_000) / 1000)).padStart(2, "0")}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${String(minutes % 60).padStart(2, "0")}m`;
  return `${Math.floor(hours / 24)}d`;
}

/** A local wall-clock time for a timestamp, ISO when it is not today. */
export function clock(iso: string | null | undefined): string {
  if (!iso) return "-";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toDateString() === new Date().toDateString() ? date.toLocaleTimeString("en-GB") : date.toISOString();
}

export function count(value: number | null | undefined): string {
  return value === null || value === undefined ? "-" : value.toLocaleString("en-US");
}
