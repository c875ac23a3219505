// What the coordinator logs when an invocation fails: the caller's mistakes and a handler's own
// decisions are never logged as the coordinator's errors (error level is for our faults: store
// failures, protocol violations), and carry no stack. In-process coordinator and SDK worker over
// real gRPC and HTTP, with the coordinator's pino lines captured.
import { fn, Registry, TerminalError } from "@agnt5/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { postJson } from "../test-support/http.js";
import { STORE_KINDS, startTestCoordinator, type TestCoordinator } from "../test-support/test-coordinator.js";
import { capturingLogger, ERROR_LEVEL, type LogLine } from "../test-support/test-engine.js";
import { startTestWorker, type TestWorker } from "../test-support/test-worker.js";

const SERVICE = "logged-service";
const INFO_LEVEL = 30;
const WARN_LEVEL = 40;

function loggedService() {
  const registry = new Registry();
  // A refinement is not in the JSON Schema: the gateway lets 13 through, the worker refuses it.
  fn(
    {
      name: "pick_number",
      registry,
      input: z.object({ n: z.number() }).refine((value) => value.n !== 13, { path: ["n"], message: "unlucky" }),
    },
    ({ n }) => n,
  );
  fn({ name: "refuse", registry }, () => {
    throw new TerminalError("out of stock", { code: "OUT_OF_STOCK" });
  });
  fn({ name: "crash", registry }, () => {
    throw new Error("a bug in the handler");
  });
  return registry;
}

describe.each(STORE_KINDS)("what the coordinator logs about failed invocations (%s store)", (kind) => {
  const captured = capturingLogger();
  let coordinator: TestCoordinator;
  let worker: TestWorker;

  beforeAll(async () => {
    coordinator = await startTestCoordinator(kind, {}, captured.logger);
    worker = await startTestWorker({ serviceName: SERVICE, endpoint: coordinator.endpoint, registry: loggedService() });
  });

  afterAll(async () => {
    await worker?.stop();
    await coordinator?.close();
  });

  /** Calls the handler and returns the response and the coordinator's lines about its invocation. */
  const call = async (handler: string, input: unknown) => {
    const response = await postJson(`${coordinator.url}/v1/services/${SERVICE}/${handler}`, input);
    const id = response.headers.get("agnt5-invocation-id") ?? response.body?.error?.invocationId;
    expect(id).toBeTruthy();
    const about = await captured.logged((line) => line.invocationId === id);
    return { response, about, lines: captured.lines.filter((line: LogLine) => line.invocationId === id) };
  };

  it("logs input the handler's schema refuses at info, without a stack", async () => {
    const { response, about, lines } = await call("pick_number", { n: 13 });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("INVALID_INPUT");
    expect(lines.filter((line) => line.level >= WARN_LEVEL)).toEqual([]);
    expect(about.level).toBe(INFO_LEVEL);
    expect(JSON.stringify(lines)).not.toContain("    at ");
  });

  it("logs a handler's TerminalError at warn, without a stack", async () => {
    const { response, about, lines } = await call("refuse", null);
    expect(response.body.error.code).toBe("OUT_OF_STOCK");
    expect(lines.filter((line) => line.level >= ERROR_LEVEL)).toEqual([]);
    expect(about.level).toBe(WARN_LEVEL);
    expect(JSON.stringify(lines)).not.toContain("    at ");
  });

  it("logs a handler's unexpected exception at warn with its stack: the handler's fault, not the coordinator's", async () => {
    const { response, about, lines } = await call("crash", null);
    expect(response.status).toBe(500);
    expect(lines.filter((line) => line.level >= ERROR_LEVEL)).toEqual([]);
    expect(about.level).toBe(WARN_LEVEL);
    expect(JSON.stringify(about)).toContain("a bug in the handler");
  });
});
