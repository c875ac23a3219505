import { create, EntryResultSchema, entryKindValue, JournalEntrySchema, PayloadLimitsSchema } from "@agnt5/proto";
import { describe, expect, it } from "vitest";
import {
  announcedPayloadLimits,
  FRAME_PAYLOAD_LIMITS,
  oversizedEntityState,
  oversizedEntry,
  oversizedOutput,
} from "./payload-limits.js";

const encoder = new TextEncoder();
const limits = announcedPayloadLimits(
  create(PayloadLimitsSchema, {
    journalEntryBytes: 200n,
    stepResultBytes: 100n,
    entityStateBytes: 50n,
    signalBytes: 30n,
  }),
);
const step = (name: string, value: string) =>
  create(JournalEntrySchema, {
    index: 2,
    kind: entryKindValue("step"),
    name,
    result: create(EntryResultSchema, { outcome: { case: "value", value: encoder.encode(value) } }),
  });

describe("payload limits the worker checks before sending", () => {
  it("uses what the coordinator announced, and only the gRPC frame limit without an announcement", () => {
    expect(limits).toEqual({
      journalEntryBytes: 200,
      stepResultBytes: 100,
      entityStateBytes: 50,
      signalBytes: 30,
      announced: true,
    });
    expect(announcedPayloadLimits(undefined)).toBe(FRAME_PAYLOAD_LIMITS);
  });

  it("refuses a step result over the limit, naming the step, its size and the coordinator's variable", () => {
    expect(oversizedEntry(step("fits", "x".repeat(100)), limits)).toBeUndefined();
    const error = oversizedEntry(step("big", "x".repeat(101)), limits);
    expect(error).toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      details: { limit: "AGNT5_MAX_STEP_RESULT_BYTES", maxBytes: 100, bytes: 101 },
    });
    expect(error?.message).toBe(
      `The result of step "big" (entry 2) is 101 bytes, over the coordinator's limit of 100 bytes (AGNT5_MAX_STEP_RESULT_BYTES); not sent, nothing stored`,
    );
  });

  it("refuses a journal entry (request plus result) and an emitted signal over their limits", () => {
    const call = create(JournalEntrySchema, {
      kind: entryKindValue("call"),
      name: "greet",
      request: encoder.encode(JSON.stringify({ input: "y".repeat(200) })),
    });
    expect(oversizedEntry(call, limits)?.details).toMatchObject({ limit: "AGNT5_MAX_JOURNAL_ENTRY_BYTES" });
    const emit = create(JournalEntrySchema, {
      kind: entryKindValue("signal_emit"),
      name: "go",
      request: encoder.encode(JSON.stringify({ runId: "r", payload: "z".repeat(40) })),
    });
    expect(oversizedEntry(emit, limits)?.details).toEqual({ limit: "AGNT5_MAX_SIGNAL_BYTES", maxBytes: 30, bytes: 42 });
  });

  it("counts an entity's state after the write: kept fields, replaced fields and deletions", () => {
    const field = (key: string, size: number) => ({ key, value: new Uint8Array(size), deleted: false });
    const initial = [field("a", 20), field("b", 20)];
    // a (1 + 20) + b (1 + 20) + c (1 + 10) = 53 > 50
    expect(oversizedEntityState("Notes/n1", initial, [field("c", 10)], limits)?.details).toEqual({
      limit: "AGNT5_MAX_ENTITY_STATE_BYTES",
      maxBytes: 50,
      bytes: 53,
    });
    // b deleted: 21 + 11 = 32
    expect(oversizedEntityState("Notes/n1", initial, [field("c", 10), { key: "b", deleted: true }], limits)).toBe(
      undefined,
    );
    // A shared method (no changes) is never refused, whatever the state's size.
    expect(oversizedEntityState("Notes/n1", [field("a", 500)], [], limits)).toBeUndefined();
  });

  it("refuses an output no gRPC message can carry", () => {
    expect(oversizedOutput("greet", 1024)).toBeUndefined();
    expect(oversizedOutput("greet", 64 * 1024 * 1024)?.code).toBe("PAYLOAD_TOO_LARGE");
  });
});
