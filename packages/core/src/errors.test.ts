import { describe, expect, it } from "vitest";
import {
  Agnt5Error,
  ComponentNotFoundError,
  DefinitionError,
  InputValidationError,
  RetryableError,
  serializeError,
  TerminalError,
} from "./errors.js";

/** An error as a second copy of @agnt5/core would build it: same markers, different classes. */
function foreignAgnt5Error(terminal: boolean): Error {
  const error = new Error("from another copy") as Error & Record<PropertyKey, unknown>;
  error[Symbol.for("agnt5.error")] = true;
  error.code = terminal ? "TERMINAL" : "HANDLER_ERROR";
  if (terminal) error.terminal = true;
  return error;
}

describe("Agnt5Error", () => {
  it("carries a code (HANDLER_ERROR by default), details, cause and its class name", () => {
    const cause = new Error("root");
    const error = new Agnt5Error({ message: "boom", details: { id: 7 }, cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe("boom");
    expect(error.code).toBe("HANDLER_ERROR");
    expect(error.details).toEqual({ id: 7 });
    expect(error.cause).toBe(cause);
    expect(error.name).toBe("Agnt5Error");
    expect(new Agnt5Error({ message: "x", code: "TIMEOUT" }).code).toBe("TIMEOUT");
  });

  it("recognises its own errors and those of duplicated package copies, but not plain errors", () => {
    expect(Agnt5Error.isInstance(new TerminalError("t"))).toBe(true);
    expect(Agnt5Error.isInstance(new RetryableError("r"))).toBe(true);
    expect(Agnt5Error.isInstance(foreignAgnt5Error(false))).toBe(true);
    expect(Agnt5Error.isInstance(new Error("plain"))).toBe(false);
    expect(Agnt5Error.isInstance(null)).toBe(false);
    expect(Agnt5Error.isInstance("TERMINAL")).toBe(false);
  });
});

describe("TerminalError", () => {
  it("has the TERMINAL code and its subclass name", () => {
    const error = new TerminalError("card declined", { details: { card: "visa" } });
    expect(error.code).toBe("TERMINAL");
    expect(error.name).toBe("TerminalError");
    expect(error.details).toEqual({ card: "visa" });
    expect(new TerminalError("x", { code: "CANCELLED" }).code).toBe("CANCELLED");
  });

  it("is recognised across package copies and only for terminal errors", () => {
    expect(TerminalError.isInstance(new TerminalError("t"))).toBe(true);
    expect(TerminalError.isInstance(new InputValidationError("f", []))).toBe(true);
    expect(TerminalError.isInstance(new ComponentNotFoundError("f", []))).toBe(true);
    expect(TerminalError.isInstance(foreignAgnt5Error(true))).toBe(true);
    expect(TerminalError.isInstance(foreignAgnt5Error(false))).toBe(false);
    expect(TerminalError.isInstance(new RetryableError("r"))).toBe(false);
    expect(TerminalError.isInstance(new Agnt5Error({ message: "a" }))).toBe(false);
    expect(TerminalError.isInstance(Object.assign(new Error("e"), { terminal: true }))).toBe(false);
  });
});

describe("RetryableError", () => {
  it("carries the RETRYABLE code and an optional retry-after hint", () => {
    const error = new RetryableError("rate limited", { retryAfterMs: 1500 });
    expect(error.code).toBe("RETRYABLE");
    expect(error.name).toBe("RetryableError");
    expect(error.retryAfterMs).toBe(1500);
    expect(new RetryableError("flaky").retryAfterMs).toBeUndefined();
  });
});

describe("InputValidationError", () => {
  it("summarises the issues with their field paths in the message", () => {
    const error = new InputValidationError("math_add", [
      { path: "a", message: "expected number" },
      { path: "", message: "too many keys" },
    ]);
    expect(error.message).toBe("Invalid input for math_add: a: expected number; too many keys");
    expect(error.code).toBe("INVALID_INPUT");
    expect(error.name).toBe("InputValidationError");
    expect(error.issues).toEqual([
      { path: "a", message: "expected number" },
      { path: "", message: "too many keys" },
    ]);
    expect(error).toBeInstanceOf(TerminalError);
  });

  it("speaks of output for INVALID_OUTPUT", () => {
    const error = new InputValidationError("f", [{ path: "x", message: "bad" }], "INVALID_OUTPUT");
    expect(error.message).toBe("Invalid output for f: x: bad");
    expect(error.code).toBe("INVALID_OUTPUT");
  });
});

describe("ComponentNotFoundError", () => {
  it("names the missing component and what is registered", () => {
    expect(new ComponentNotFoundError("nope", ["greet", "add"]).message).toBe(
      'No component named "nope" (registered: greet, add)',
    );
    expect(new ComponentNotFoundError("nope", []).message).toBe(
      'No component named "nope" (no components are registered)',
    );
    expect(new ComponentNotFoundError("nope", []).code).toBe("COMPONENT_NOT_FOUND");
  });
});

describe("DefinitionError", () => {
  it("has the INVALID_DEFINITION code by default and is terminal (a wrong definition stays wrong on retry)", () => {
    const error = new DefinitionError("bad name");
    expect(error.code).toBe("INVALID_DEFINITION");
    expect(error.name).toBe("DefinitionError");
    expect(Agnt5Error.isInstance(error)).toBe(true);
    expect(TerminalError.isInstance(error)).toBe(true);
    expect(new DefinitionError("dup", "DUPLICATE_COMPONENT").code).toBe("DUPLICATE_COMPONENT");
  });
});

describe("serializeError", () => {
  it("marks terminal errors as not retryable", () => {
    const wire = serializeError(new TerminalError("card declined", { details: { card: "visa" } }));
    expect(wire).toMatchObject({
      code: "TERMINAL",
      message: "card declined",
      type: "TerminalError",
      retryable: false,
      details: { card: "visa" },
    });
    expect(wire.stack).toContain("card declined");
  });

  it("keeps the retry-after hint of a retryable error", () => {
    const wire = serializeError(new RetryableError("rate limited", { retryAfterMs: 2000 }));
    expect(wire).toMatchObject({ code: "RETRYABLE", type: "RetryableError", retryable: true, retryAfterMs: 2000 });
    expect("retryAfterMs" in serializeError(new RetryableError("flaky"))).toBe(false);
    expect("details" in serializeError(new RetryableError("flaky"))).toBe(false);
  });

  it("reports validation issues as non-retryable details", () => {
    const issues = [{ path: "a", message: "expected number" }];
    expect(serializeError(new InputValidationError("add", issues))).toMatchObject({
      code: "INVALID_INPUT",
      type: "InputValidationError",
      retryable: false,
      details: { issues },
    });
  });

  it("treats a plain Error as a retryable HANDLER_ERROR", () => {
    const wire = serializeError(new TypeError("x is undefined"));
    expect(wire).toMatchObject({
      code: "HANDLER_ERROR",
      message: "x is undefined",
      type: "TypeError",
      retryable: true,
    });
    expect(wire.stack).toContain("x is undefined");
  });

  it("converts thrown non-errors to a message", () => {
    expect(serializeError("went wrong")).toEqual({
      code: "HANDLER_ERROR",
      message: "went wrong",
      type: "string",
      retryable: true,
    });
    expect(serializeError(42)).toMatchObject({ message: "42", type: "number" });
  });

  it("survives JSON round-tripping", () => {
    const wire = serializeError(new RetryableError("later", { retryAfterMs: 5 }));
    expect(JSON.parse(JSON.stringify(wire))).toEqual(wire);
  });
});
