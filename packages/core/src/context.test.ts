import { describe, expect, it } from "vitest";
import { createExecutionContext } from "./context.js";
import { silentLogger } from "./logger.js";

describe("createExecutionContext", () => {
  it("fills in a local invocation id, first attempt and function defaults", () => {
    const ctx = createExecutionContext();
    expect(ctx.invocationId).toMatch(/^local-[0-9a-f-]{36}$/);
    expect(ctx.runId).toBe(ctx.invocationId);
    expect(ctx.attempt).toBe(1);
    expect(ctx.componentType).toBe("function");
    expect(ctx.componentName).toBe("");
    expect(ctx.metadata).toEqual({});
    expect(ctx.headers).toEqual({});
    expect(ctx.logger).toBe(silentLogger);
    expect(ctx.signal.aborted).toBe(false);
  });

  it("gives each context its own invocation id", () => {
    expect(createExecutionContext().invocationId).not.toBe(createExecutionContext().invocationId);
  });

  it("uses every value it is given", () => {
    const controller = new AbortController();
    const logger = { ...silentLogger };
    const ctx = createExecutionContext({
      invocationId: "test-123",
      runId: "run-9",
      attempt: 3,
      componentType: "workflow",
      componentName: "checkout",
      metadata: { service_name: "shop" },
      headers: { "x-request-id": "abc" },
      logger,
      signal: controller.signal,
    });
    expect(ctx).toEqual({
      invocationId: "test-123",
      runId: "run-9",
      attempt: 3,
      componentType: "workflow",
      componentName: "checkout",
      metadata: { service_name: "shop" },
      headers: { "x-request-id": "abc" },
      logger,
      signal: controller.signal,
    });
    expect(ctx.logger).toBe(logger);
    expect(ctx.signal).toBe(controller.signal);
  });

  it("uses the invocation id as run id when no run id is given", () => {
    expect(createExecutionContext({ invocationId: "inv-1" }).runId).toBe("inv-1");
  });
});
