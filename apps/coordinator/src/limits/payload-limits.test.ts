import { describe, expect, it } from "vitest";
import { DEFAULT_PAYLOAD_LIMITS, payloadLimitsFromEnv } from "./payload-limits.js";

describe("payloadLimitsFromEnv", () => {
  it("defaults to 4 MiB entries and step results, 1 MiB entity state and signals", () => {
    expect(payloadLimitsFromEnv({})).toEqual({
      journalEntryBytes: 4 * 1024 * 1024,
      stepResultBytes: 4 * 1024 * 1024,
      entityStateBytes: 1024 * 1024,
      signalBytes: 1024 * 1024,
    });
  });

  it("reads each AGNT5_MAX_* variable", () => {
    expect(
      payloadLimitsFromEnv({
        AGNT5_MAX_JOURNAL_ENTRY_BYTES: "2000",
        AGNT5_MAX_STEP_RESULT_BYTES: "1000",
        AGNT5_MAX_ENTITY_STATE_BYTES: "500",
        AGNT5_MAX_SIGNAL_BYTES: " 300 ",
      }),
    ).toEqual({ journalEntryBytes: 2000, stepResultBytes: 1000, entityStateBytes: 500, signalBytes: 300 });
    expect(payloadLimitsFromEnv({ AGNT5_MAX_SIGNAL_BYTES: "" })).toEqual(DEFAULT_PAYLOAD_LIMITS);
  });

  it("refuses a value that is not a positive integer, naming the variable", () => {
    expect(() => payloadLimitsFromEnv({ AGNT5_MAX_ENTITY_STATE_BYTES: "1MB" })).toThrow(
      'AGNT5_MAX_ENTITY_STATE_BYTES must be a positive integer of bytes, got "1MB"',
    );
    expect(() => payloadLimitsFromEnv({ AGNT5_MAX_SIGNAL_BYTES: "0" })).toThrow("AGNT5_MAX_SIGNAL_BYTES");
  });
});
