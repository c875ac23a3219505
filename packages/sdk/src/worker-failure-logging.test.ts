/**
 * What the worker's own (pino) log says when invocations fail: a caller's mistake is not our error.
 * The lines are read as the JSON pino writes, from a real Worker (standalone, against the fake
 * coordinator; and HTTP), not from a stand-in logger.
 */
import { fn, Registry, RetryableError, TerminalError } from "@agnt5/core";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createWorkerLogger } from "./logger.js";
import { FakeCoordinator } from "./test-support/fake-coordinator.js";
import { Worker } from "./worker.js";

interface PinoLine {
  level: number;
  msg: string;
  code?: string;
  stack?: string;
}
const LEVEL = { info: 30, warn: 40, error: 50 } as const;

function pinoCapture() {
  const lines: PinoLine[] = [];
  // pino writes each line with one write() call to whatever has a write method.
  const destination = { write: (line: string) => lines.push(JSON.parse(line)) } as unknown as NodeJS.WritableStream;
  return { lines, logger: createWorkerLogger({ level: "debug", format: "json", destination }) };
}

function components() {
  const registry = new Registry();
  fn({ name: "math_add", registry, input: z.object({ a: z.number(), b: z.number() }) }, async ({ a, b }) => a + b);
  fn({ name: "refuse", registry }, async () => {
    throw new TerminalError("card declined", { code: "CARD_DECLINED" });
  });
  fn({ name: "later", registry }, async () => {
    throw new RetryableError("rate limited", { retryAfterMs: 1000 });
  });
  fn({ name: "explode", registry }, async () => {
    throw new Error("Something went wrong");
  });
  return registry;
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The one line logged for the failure of `component`. */
function failureLine(lines: PinoLine[], component: string): PinoLine {
  const found = lines.filter((line) => line.msg.startsWith(`Function ${component} failed`));
  expect(found, component).toHaveLength(1);
  return found[0]!;
}

describe("worker log levels for failed invocations", () => {
  it("standalone: bad input is info and a TerminalError warn, without stacks; an uncaught exception is an error with its stack", async () => {
    const coordinator = await FakeCoordinator.start();
    cleanups.push(() => coordinator.stop());
    const { lines, logger } = pinoCapture();
    const worker = new Worker("hello-service", {
      coordinatorEndpoint: coordinator.endpoint,
      registry: components(),
      logger,
      handleSignals: false,
    });
    const running = worker.run();
    cleanups.push(async () => {
      await worker.stop();
      await running;
    });
    await worker.ready;
    const stream = await coordinator.stream(0);
    const fail = async (componentName: string, init: { input?: unknown; rawInput?: Uint8Array } = {}) => {
      const outcome = await stream.outcome(stream.start({ componentName, ...init }));
      expect(outcome.case, componentName).toBe("failed");
    };

    await fail("math_add", { input: { a: 5, b: "3" } });
    await fail("math_add", { rawInput: new TextEncoder().encode("{not json") });
    await fail("no_such_function");
    await fail("refuse");
    await fail("later");
    await fail("explode");

    const invalid = lines.filter((line) => line.msg.startsWith("Function math_add failed"));
    expect(invalid.map((line) => [line.level, line.code, line.stack])).toEqual([
      [LEVEL.info, "INVALID_INPUT", undefined],
      [LEVEL.info, "INVALID_INPUT", undefined],
    ]);
    expect(failureLine(lines, "no_such_function")).toMatchObject({ level: LEVEL.info, code: "COMPONENT_NOT_FOUND" });
    expect(failureLine(lines, "no_such_function").stack).toBeUndefined();
    expect(failureLine(lines, "refuse")).toMatchObject({ level: LEVEL.warn, code: "CARD_DECLINED" });
    expect(failureLine(lines, "refuse").stack).toBeUndefined();
    expect(failureLine(lines, "later")).toMatchObject({ level: LEVEL.warn, code: "RETRYABLE" });
    expect(failureLine(lines, "later").stack).toBeUndefined();
    const crash = failureLine(lines, "explode");
    expect(crash).toMatchObject({ level: LEVEL.error, code: "HANDLER_ERROR" });
    expect(crash.stack).toContain("Something went wrong");
    // Only the handler's crash is at error level.
    expect(lines.filter((line) => line.level >= LEVEL.error)).toEqual([crash]);
  });

  it("HTTP runtime: the same levels for the same failures", async () => {
    const { lines, logger } = pinoCapture();
    const worker = new Worker("web-service", { runtime: "http", registry: components(), logger, handleSignals: false });
    const { url } = await worker.listen(0, "127.0.0.1");
    cleanups.push(() => worker.stop());
    const post = async (component: string, body: string) => {
      const response = await fetch(`${url}/invoke/${component}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      await response.arrayBuffer();
      return response.status;
    };

    expect(await post("math_add", JSON.stringify({ a: 5, b: "3" }))).toBe(400);
    expect(await post("refuse", "null")).toBe(500);
    expect(await post("explode", "null")).toBe(500);

    expect(failureLine(lines, "math_add")).toMatchObject({ level: LEVEL.info, code: "INVALID_INPUT" });
    expect(failureLine(lines, "math_add").stack).toBeUndefined();
    expect(failureLine(lines, "refuse")).toMatchObject({ level: LEVEL.warn, code: "CARD_DECLINED" });
    expect(failureLine(lines, "refuse").stack).toBeUndefined();
    const crash = failureLine(lines, "explode");
    expect(crash).toMatchObject({ level: LEVEL.error, code: "HANDLER_ERROR" });
    expect(crash.stack).toContain("Something went wrong");
    expect(lines.filter((line) => line.level >= LEVEL.error)).toEqual([crash]);
  });
});
