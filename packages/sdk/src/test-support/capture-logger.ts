/** Test-only: a Logger (the @agnt5/core interface) that records lines, so tests can assert on logs. */
import type { Logger } from "@agnt5/core";

export interface LogLine {
  level: "trace" | "debug" | "info" | "warn" | "error";
  message: string;
  fields: Record<string, unknown>;
}

export function createCaptureLogger(
  lines: LogLine[] = [],
  bindings: Record<string, unknown> = {},
): Logger & { lines: LogLine[] } {
  const log = (level: LogLine["level"]) => (obj: object | string, message?: string) => {
    if (typeof obj === "string") lines.push({ level, message: obj, fields: { ...bindings } });
    else lines.push({ level, message: message ?? "", fields: { ...bindings, ...obj } });
  };
  return {
    lines,
    trace: log("trace"),
    debug: log("debug"),
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    child: (more) => createCaptureLogger(lines, { ...bindings, ...more }),
  };
}
