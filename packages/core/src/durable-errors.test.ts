import { describe, expect, it } from "vitest";
import {
  Agnt5Error,
  CancelledError,
  NonDeterminismError,
  SignalTimeoutError,
  StepFailedError,
  serializeError,
  TaskFailedError,
  TerminalError,
} from "./errors.js";

describe("NonDeterminismError", () => {
  const error = new NonDeterminismError({
    index: 3,
    expected: { kind: "step", name: "charge" },
    actual: { kind: "step", name: "refund" },
  });

  it("names the index, what the journal holds and what the code asked for", () => {
    expect(error.message).toMatch(
      /^Non-determinism at journal index 3: the journal holds step "charge" but the code asked for step "refund"\./,
    );
    expect(error).toMatchObject({
      code: "NON_DETERMINISM",
      name: "NonDeterminismError",
      index: 3,
      expected: { kind: "step", name: "charge" },
      actual: { kind: "step", name: "refund" },
      details: { index: 3, expected: { kind: "step", name: "charge" }, actual: { kind: "step", name: "refund" } },
    });
  });

  it("is terminal and recognised by isInstance", () => {
    expect(TerminalError.isInstance(error)).toBe(true);
    expect(NonDeterminismError.isInstance(error)).toBe(true);
    expect(NonDeterminismError.isInstance(new TerminalError("x", { code: "NON_DETERMINISM" }))).toBe(false);
    expect(serializeError(error)).toMatchObject({ code: "NON_DETERMINISM", retryable: false });
  });

  it("names different kinds", () => {
    const kinds = new NonDeterminismError({
      index: 0,
      expected: { kind: "timer", name: "sleep" },
      actual: { kind: "step", name: "sleep" },
    });
    expect(kinds.message).toContain('the journal holds timer "sleep" but the code asked for step "sleep"');
  });
});

describe("CancelledError", () => {
  it("is terminal with code CANCELLED and carries the reason", () => {
    const error = new CancelledError("user asked");
    expect(error).toMatchObject({ code: "CANCELLED", reason: "user asked", details: { reason: "user asked" } });
    expect(error.message).toBe("The run was cancelled: user asked");
    expect(new CancelledError().message).toBe("The run was cancelled");
    expect(CancelledError.isInstance(error)).toBe(true);
    expect(CancelledError.isInstance(new TerminalError("x"))).toBe(false);
    expect(serializeError(error).retryable).toBe(false);
  });
});

describe("SignalTimeoutError", () => {
  it("names the signal and the timeout", () => {
    const error = new SignalTimeoutError("approval:deploy", 60_000);
    expect(error.message).toBe('Signal "approval:deploy" was not received within 60000 ms');
    expect(error).toMatchObject({ code: "SIGNAL_TIMEOUT", signalName: "approval:deploy", timeoutMs: 60_000 });
    expect(new SignalTimeoutError("s").message).toBe('Signal "s" was not received');
    expect(SignalTimeoutError.isInstance(error)).toBe(true);
    expect(TerminalError.isInstance(error)).toBe(true);
  });
});

describe("StepFailedError", () => {
  it("carries the recorded failure's code, message, type and details, and the step's name", () => {
    const cause = new Error("root");
    const error = new StepFailedError(
      "charge",
      { code: "CARD_DECLINED", message: "card declined", type: "TerminalError", details: { last4: "4242" } },
      { cause },
    );
    expect(error).toMatchObject({
      name: "StepFailedError",
      code: "CARD_DECLINED",
      message: "card declined",
      step: "charge",
      failureType: "TerminalError",
      details: { last4: "4242" },
      cause,
    });
    expect(StepFailedError.isInstance(error)).toBe(true);
    expect(TerminalError.isInstance(error)).toBe(true);
    expect(Agnt5Error.isInstance(error)).toBe(true);
    expect(serializeError(error)).toMatchObject({ code: "CARD_DECLINED", type: "StepFailedError", retryable: false });
  });
});

describe("TaskFailedError", () => {
  it("carries the child's failure and names the target", () => {
    const error = new TaskFailedError(
      { service: "billing", handler: "charge" },
      { code: "HANDLER_ERROR", message: "boom", type: "TypeError" },
    );
    expect(error).toMatchObject({
      name: "TaskFailedError",
      code: "HANDLER_ERROR",
      message: "boom",
      service: "billing",
      handler: "charge",
      failureType: "TypeError",
    });
    expect(TaskFailedError.isInstance(error)).toBe(true);
    expect(StepFailedError.isInstance(error)).toBe(false);
  });
});
