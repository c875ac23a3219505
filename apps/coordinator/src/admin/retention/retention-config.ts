/**
 * Run retention settings from the environment:
 *   AGNT5_RUN_RETENTION=7d                         finished runs are deleted 7 days after they finished
 *   AGNT5_RUN_RETENTION_OVERRIDES=svc/chat=1d,svc/audit=never   per component (service/component)
 *   AGNT5_RUN_RETENTION_SWEEP_INTERVAL=5m          how often the sweeper runs
 * Durations: a number with ms, s, m, h or d (a bare number is milliseconds); "never" keeps runs.
 * Without AGNT5_RUN_RETENTION runs are kept forever (overrides still apply to their components).
 */
export interface RunRetentionConfig {
  /** null: keep finished runs forever. */
  maxAgeMs: number | null;
  overrides: Array<{ service: string; component: string; maxAgeMs: number | null }>;
  sweepIntervalMs: number;
}

export const DEFAULT_RETENTION_SWEEP_INTERVAL_MS = 5 * 60 * 1000;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/;

/** "7d" -> 604800000; "never" / "off" -> null. Throws naming the variable on anything else. */
export function parseRetentionDuration(text: string, variable: string): number | null {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === "never" || trimmed === "off") return null;
  const match = DURATION.exec(trimmed);
  if (!match) {
    throw new Error(`${variable}: "${text}" is not a duration (e.g. 500ms, 30s, 15m, 12h, 7d, or "never")`);
  }
  return Math.round(Number(match[1]) * (UNIT_MS[match[2] ?? "ms"] as number));
}

export function runRetentionFromEnv(env: NodeJS.ProcessEnv): RunRetentionConfig {
  const raw = env.AGNT5_RUN_RETENTION;
  const overrides = (env.AGNT5_RUN_RETENTION_OVERRIDES ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const match = /^([^/=]+)\/([^=]+)=(.+)$/.exec(part);
      if (!match) {
        throw new Error(
          `AGNT5_RUN_RETENTION_OVERRIDES: "${part}" is not service/component=duration (e.g. billing/invoice=30d)`,
        );
      }
      const [, service, component, duration] = match as unknown as [string, string, string, string];
      return {
        service: service.trim(),
        component: component.trim(),
        maxAgeMs: parseRetentionDuration(duration, "AGNT5_RUN_RETENTION_OVERRIDES"),
      };
    });
  const interval = env.AGNT5_RUN_RETENTION_SWEEP_INTERVAL;
  const sweepIntervalMs =
    interval === undefined || interval === ""
      ? DEFAULT_RETENTION_SWEEP_INTERVAL_MS
      : parseRetentionDuration(interval, "AGNT5_RUN_RETENTION_SWEEP_INTERVAL");
  if (sweepIntervalMs === null || sweepIntervalMs <= 0) {
    throw new Error("AGNT5_RUN_RETENTION_SWEEP_INTERVAL must be a positive duration");
  }
  return {
    maxAgeMs: raw === undefined || raw === "" ? null : parseRetentionDuration(raw, "AGNT5_RUN_RETENTION"),
    overrides,
    sweepIntervalMs,
  };
}
