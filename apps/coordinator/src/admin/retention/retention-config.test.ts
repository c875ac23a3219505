import { describe, expect, it } from "vitest";
import {
  DEFAULT_RETENTION_SWEEP_INTERVAL_MS,
  parseRetentionDuration,
  runRetentionFromEnv,
} from "./retention-config.js";

describe("run retention settings", () => {
  it("reads durations with units, a bare number as milliseconds, and never/off as keep forever", () => {
    expect(parseRetentionDuration("7d", "X")).toBe(7 * 86_400_000);
    expect(parseRetentionDuration("12h", "X")).toBe(12 * 3_600_000);
    expect(parseRetentionDuration("15m", "X")).toBe(900_000);
    expect(parseRetentionDuration("30s", "X")).toBe(30_000);
    expect(parseRetentionDuration("1.5s", "X")).toBe(1_500);
    expect(parseRetentionDuration("250ms", "X")).toBe(250);
    expect(parseRetentionDuration("250", "X")).toBe(250);
    expect(parseRetentionDuration("never", "X")).toBeNull();
    expect(parseRetentionDuration("OFF", "X")).toBeNull();
    expect(() => parseRetentionDuration("a week", "AGNT5_RUN_RETENTION")).toThrow(
      'AGNT5_RUN_RETENTION: "a week" is not a duration',
    );
    expect(() => parseRetentionDuration("-1d", "X")).toThrow("is not a duration");
  });

  it("keeps runs forever by default and reads per-component overrides", () => {
    expect(runRetentionFromEnv({})).toEqual({
      maxAgeMs: null,
      overrides: [],
      sweepIntervalMs: DEFAULT_RETENTION_SWEEP_INTERVAL_MS,
    });
    expect(
      runRetentionFromEnv({
        AGNT5_RUN_RETENTION: "7d",
        AGNT5_RUN_RETENTION_OVERRIDES: "billing/invoice=30d, chat/reply=1h,audit/log=never",
        AGNT5_RUN_RETENTION_SWEEP_INTERVAL: "1m",
      }),
    ).toEqual({
      maxAgeMs: 7 * 86_400_000,
      overrides: [
        { service: "billing", component: "invoice", maxAgeMs: 30 * 86_400_000 },
        { service: "chat", component: "reply", maxAgeMs: 3_600_000 },
        { service: "audit", component: "log", maxAgeMs: null },
      ],
      sweepIntervalMs: 60_000,
    });
  });

  it("names the variable and the expected form when a setting is malformed", () => {
    expect(() => runRetentionFromEnv({ AGNT5_RUN_RETENTION_OVERRIDES: "invoice=30d" })).toThrow(
      'AGNT5_RUN_RETENTION_OVERRIDES: "invoice=30d" is not service/component=duration',
    );
    expect(() => runRetentionFromEnv({ AGNT5_RUN_RETENTION_OVERRIDES: "a/b=soon" })).toThrow(
      "AGNT5_RUN_RETENTION_OVERRIDES",
    );
    expect(() => runRetentionFromEnv({ AGNT5_RUN_RETENTION_SWEEP_INTERVAL: "never" })).toThrow(
      "AGNT5_RUN_RETENTION_SWEEP_INTERVAL must be a positive duration",
    );
  });
});
