import { type Logger, pino } from "pino";
import type { CoordinatorConfig } from "./config.js";

export type { Logger };

export function createLogger(config: Pick<CoordinatorConfig, "logLevel" | "logFormat">): Logger {
  return pino({
    name: "agnt5.coordinator",
    level: config.logLevel,
    ...(config.logFormat === "pretty" ? { transport: { target: "pino-pretty", options: { colorize: true } } } : {}),
  });
}
