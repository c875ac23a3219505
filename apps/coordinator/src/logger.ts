import { type Logger, pino } from "pino";
import type { CoordinatorConfig } from "./config.js";

export type { Logger };

export function createLogger(config: Pick<CoordinatorConfig, "logLevel" | "logFormat">): Logger {
  return pino({
    name: "agnt5.coordinator",
    level: config.logLevel,
    // Secrets never reach a log line, whatever object a future log call passes (headers, metadata, options).
    redact: {
      paths: [
        "authorization",
        "*.authorization",
        "headers.authorization",
        "*.headers.authorization",
        "req.headers.authorization",
        "metadata.authorization",
        "apiKey",
        "*.apiKey",
        "token",
        "*.token",
        "secret",
        "*.secret",
      ],
      censor: "[redacted]",
    },
    ...(config.logFormat === "pretty" ? { transport: { target: "pino-pretty", options: { colorize: true } } } : {}),
  });
}
