// Values a handler produces must always be storable. PostgreSQL's text and jsonb cannot hold U+0000,
// and jsonb refuses an unpaired UTF-16 surrogate (\ud800): a handler's error, a step's failure or a
// registration's metadata holding one used to make its record unwritable, so the caller got 503
// "it will be re-run" and every recovery ran it again. Descriptive text is stored with U+FFFD in
// their place; identifiers (step and signal names, entity state field names) are refused with a
// terminal failure that names them. Values carried as JSON text (outputs, step results, state
// values) are escaped by JSON.stringify and come back byte for byte. In-process coordinator and SDK
// worker over real gRPC and HTTP, once per store.
import { randomUUID } from "node:crypto";
import { entity, fn, Registry, TerminalError, Worker, workflow } from "@agnt5/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayErrorBody, postJson, send, within } from "../test-support/http.js";
import { STORE_KINDS, startTestCoordinator, type TestCoordinator } from "../test-support/test-coordinator.js";
import { capturingLogger, ERROR_LEVEL } from "../test-support/test-engine.js";
import { startTestWorker, type TestWorker } from "../test-support/test-worker.js";

const SERVICE = "unstorable-text-service";
const NUL = "\u0000";
const LONE_SURROGATE = "\ud800";
const REPLACEMENT = "\ufffd";
const TEXTS = [`a${NUL}b`, `c${LONE_SURROGATE}d`, `${NUL}\udfff${LONE_SURROGATE}${NUL}`, `x${NUL}y${LONE_SURROGATE}z`];

function unstorableService() {
  const registry = new Registry();
  /** Every run of a handler (or step) per tag, counted where the worker runs it. */
  const runs = new Map<string, number>();
  const count = (tag: string) => runs.set(tag, (runs.get(tag) ?? 0) + 1);

  fn({ name: "throw_nul", registry, retry: { maxAttempts: 2, initialIntervalMs: 10 } }, (input: { tag: string }) => {
    count(input.tag);
    throw new Error(`bad${NUL}byte`);
  });
  fn({ name: "terminal_nul", registry }, (input: { tag: string }) => {
    count(input.tag);
    throw new TerminalError(`declined${NUL}here`, {
      code: `CODE${NUL}X`,
      details: { [`key${NUL}`]: `value${NUL}`, lone: `x${LONE_SURROGATE}y`, nested: [{ deep: NUL }] },
    });
  });
  fn({ name: "throw_lone_surrogate", registry }, (input: { tag: string }) => {
    count(input.tag);
    throw new TerminalError(`lone ${LONE_SURROGATE} surrogate`);
  });
  // The gateway refuses U+0000 in a request body: the handler makes the text itself.
  fn({ name: "make_text", registry }, (which: number) => TEXTS[which]);

  workflow({ name: "step_fails_nul", registry }, async (ctx, input: { tag: string }) => {
    await ctx.step("charge", () => {
      count(`${input.tag}:step`);
      throw new TerminalError(`step bad${NUL}byte`);
    });
    return "unreachable";
  });
  workflow({ name: "step_returns_nul", registry }, async (ctx, input: { tag: string }) => {
    const value = await ctx.step("make", () => {
      count(`${input.tag}:step`);
      return { text: `a${NUL}b`, lone: `c${LONE_SURROGATE}d` };
    });
    return value;
  });
  workflow({ name: "step_named_nul", registry }, async (ctx, input: { tag: string }) => {
    count(input.tag);
    await ctx.step(`bad${NUL}name`, () => 1);
    return "unreachable";
  });
  workflow({ name: "signal_named_nul", registry }, async (ctx, input: { tag: string }) => {
    count(input.tag);
    return ctx.signal(`go${NUL}now`, { timeoutMs: 60_000 });
  });

  entity(
    "Notes",
    {
      set_value: entity.write(async (ctx, value: string | number) => {
        const note = typeof value === "number" ? TEXTS[value] : value;
        ctx.set("note", note);
        return { stored: note };
      }),
      set_nul_field: entity.write(async (ctx, input: { tag: string }) => {
        count(input.tag);
        ctx.set("note", "overwritten");
        ctx.set(`bad${NUL}field`, 1);
        return "unreachable";
      }),
      get_value: entity.shared(async (ctx) => ctx.get<string>("note")),
    },
    { registry },
  );
  return { registry, runsOf: (tag: string) => runs.get(tag) ?? 0 };
}

describe.each(STORE_KINDS)("values a handler produces are storable (%s store)", (kind) => {
  const service = unstorableService();
  const log = capturingLogger();
  let coordinator: TestCoordinator;
  let worker: TestWorker;
  const url = (path: string) => `${coordinator.url}${path}`;
  const invoke = (handler: string, input: unknown) =>
    postJson<GatewayErrorBody>(url(`/v1/services/${SERVICE}/${handler}?timeoutMs=20000`), input);
  const invocation = async (id: string | undefined) => (await send(url(`/v1/invocations/${id}`))).body;
  const startRun = async (name: string, input: unknown) => {
    const response = await postJson(url(`/v1/workflows/${name}/runs`), { input });
    expect(response.status).toBe(202);
    return response.body.runId as string;
  };
  const runResult = async (runId: string) => send(url(`/v1/runs/${runId}/result?timeoutMs=20000`));
  const callEntity = (key: string, method: string, input: unknown) =>
    postJson(url(`/v1/entities/Notes/${key}/${method}?timeoutMs=20000`), input);
  const errorsLoggedFor = (invocationId: string | undefined) =>
    log.lines.filter((line) => line.level >= ERROR_LEVEL && line.invocationId === invocationId).map((l) => l.msg);
  const entityState = async (key: string) => (await send(url(`/v1/entities/Notes/${key}`))).body;

  beforeAll(async () => {
    coordinator = await startTestCoordinator(kind, {}, log.logger);
    worker = await startTestWorker({
      serviceName: SERVICE,
      endpoint: coordinator.endpoint,
      registry: service.registry,
    });
  });

  afterAll(async () => {
    await worker?.stop();
    await coordinator?.close();
  });

  describe("errors are recorded with U+FFFD for U+0000 and lone surrogates", () => {
    it("a function throwing Error('bad\\u0000byte') answers its failure after its policy's attempts, and stays failed", async () => {
      const tag = randomUUID();
      const response = await invoke("throw_nul", { tag });

      expect(response.status).toBe(500);
      expect(response.body.error).toMatchObject({ code: "HANDLER_ERROR", message: `bad${REPLACEMENT}byte` });
      expect(service.runsOf(tag)).toBe(2);
      const record = await invocation(response.body.error.invocationId);
      expect(record).toMatchObject({
        status: "failed",
        attempt: 2,
        error: { code: "HANDLER_ERROR", message: `bad${REPLACEMENT}byte` },
      });
      // Every write was recorded: nothing "could not record" at error level.
      expect(errorsLoggedFor(response.body.error.invocationId)).toEqual([]);
    });

    it("a TerminalError with U+0000 in its message, code and details fails once with all of them readable", async () => {
      const tag = randomUUID();
      const response = await invoke("terminal_nul", { tag });

      const error = {
        code: `CODE${REPLACEMENT}X`,
        message: `declined${REPLACEMENT}here`,
        details: {
          [`key${REPLACEMENT}`]: `value${REPLACEMENT}`,
          lone: `x${REPLACEMENT}y`,
          nested: [{ deep: REPLACEMENT }],
        },
      };
      expect(response.status).toBe(500);
      expect(response.body.error).toMatchObject(error);
      expect(service.runsOf(tag)).toBe(1);
      expect(await invocation(response.body.error.invocationId)).toMatchObject({ status: "failed", error });
    });

    it("a lone surrogate in an error message reaches the coordinator as U+FFFD (gRPC carries UTF-8)", async () => {
      const tag = randomUUID();
      const response = await invoke("throw_lone_surrogate", { tag });

      expect(response.status).toBe(500);
      expect(response.body.error).toMatchObject({ code: "TERMINAL", message: `lone ${REPLACEMENT} surrogate` });
      expect(service.runsOf(tag)).toBe(1);
      expect(await invocation(response.body.error.invocationId)).toMatchObject({ status: "failed" });
    });

    it("a workflow step failing with U+0000 is journaled once and fails the run with the message readable", async () => {
      const tag = randomUUID();
      const runId = await startRun("step_fails_nul", { tag });

      const result = await runResult(runId);
      expect(result.body).toMatchObject({
        runId,
        status: "failed",
        error: { code: "TERMINAL", message: `step bad${REPLACEMENT}byte` },
      });
      expect(service.runsOf(`${tag}:step`)).toBe(1);
      const journal = (await send(url(`/v1/runs/${runId}/journal`))).body;
      expect(journal.entries).toEqual([
        expect.objectContaining({
          index: 0,
          kind: "step",
          name: "charge",
          status: "failed",
          failure: expect.objectContaining({ code: "TERMINAL", message: `step bad${REPLACEMENT}byte` }),
        }),
      ]);
    });
  });

  describe("values carried as JSON text come back byte for byte", () => {
    it("a function returning a string with U+0000 or a lone surrogate returns it exactly", async () => {
      for (const [which, text] of TEXTS.entries()) {
        const response = await invoke("make_text", which);
        expect(response.status).toBe(200);
        expect(response.body).toBe(text);
        const record = await invocation(response.headers.get("agnt5-invocation-id") ?? undefined);
        expect(record).toMatchObject({ status: "completed", output: text });
      }
    });

    it("a step's value with U+0000 and a lone surrogate is journaled and returned exactly", async () => {
      const tag = randomUUID();
      const runId = await startRun("step_returns_nul", { tag });
      const value = { text: `a${NUL}b`, lone: `c${LONE_SURROGATE}d` };

      expect((await runResult(runId)).body).toEqual({ runId, status: "completed", output: value });
      expect(service.runsOf(`${tag}:step`)).toBe(1);
      const journal = (await send(url(`/v1/runs/${runId}/journal`))).body;
      expect(journal.entries).toEqual([expect.objectContaining({ name: "make", status: "completed", result: value })]);
    });

    it("an entity state value with U+0000 and a lone surrogate round-trips", async () => {
      const key = `note-${randomUUID()}`;
      const value = TEXTS[3];

      const written = await callEntity(key, "set_value", 3);
      expect(written.status).toBe(200);
      expect(written.body).toEqual({ stored: value });
      expect((await callEntity(key, "get_value", null)).body).toBe(value);
      expect(await entityState(key)).toMatchObject({ version: 1, state: { note: value } });
    });
  });

  describe("registrations", () => {
    // Component and method names are checked by the SDK already (letters, digits, "_", "-", ".");
    // the coordinator refuses them too, for workers of other SDKs.
    it("a worker whose service name holds U+0000 is refused, naming it", async () => {
      const refused = new Worker({
        serviceName: `bad${NUL}service`,
        coordinatorEndpoint: coordinator.endpoint,
        registry: new Registry(),
        handleSignals: false,
        catchUnhandledRejections: false,
        logLevel: "silent",
      });
      const running = refused.run();
      try {
        const line = await within(
          log.logged((l) => l.msg === "Rejected worker stream" && String(l.details).startsWith("service_name")),
          10_000,
          "the coordinator did not refuse the registration",
        );
        expect(line.details).toBe(
          `service_name ${JSON.stringify(`bad${NUL}service`)} holds U+0000, which the store cannot keep`,
        );
      } finally {
        await refused.stop("test finished");
        await running;
      }
    });

    it("a worker whose component description holds U+0000 registers and its handlers run", async () => {
      const registry = new Registry();
      fn({ name: "described", registry, description: `says hi${NUL}` }, () => "hi");
      const serviceName = `described-${randomUUID()}`;
      const described = await startTestWorker({ serviceName, endpoint: coordinator.endpoint, registry });
      try {
        const response = await postJson(url(`/v1/services/${serviceName}/described?timeoutMs=20000`), null);
        expect(response.status).toBe(200);
        expect(response.body).toBe("hi");
      } finally {
        await described.stop();
      }
    });
  });

  describe("identifiers that cannot be stored fail the invocation once, naming the problem", () => {
    it("an entity state field named with U+0000 fails the call and leaves the state unchanged", async () => {
      const key = `fields-${randomUUID()}`;
      await callEntity(key, "set_value", "original");
      const tag = randomUUID();

      const response = await callEntity(key, "set_nul_field", { tag });

      expect(response.status).toBe(500);
      expect(response.body.error.code).toBe("INVALID_ENTITY_STATE");
      expect(response.body.error.message).toContain("state field name");
      expect(response.body.error.message).toContain("U+0000");
      expect(service.runsOf(tag)).toBe(1);
      expect(await entityState(key)).toMatchObject({ version: 1, state: { note: "original" } });
      expect(await invocation(response.body.error.invocationId)).toMatchObject({
        status: "failed",
        error: { code: "INVALID_ENTITY_STATE" },
      });
      expect(errorsLoggedFor(response.body.error.invocationId)).toEqual([]);
      // The key is free again: the next write runs.
      expect((await callEntity(key, "set_value", "next")).body).toEqual({ stored: "next" });
    });

    it("a step named with U+0000 fails the run once as INVALID_JOURNAL_ENTRY naming the step", async () => {
      const tag = randomUUID();
      const runId = await startRun("step_named_nul", { tag });

      const result = await runResult(runId);
      expect(result.body).toMatchObject({ runId, status: "failed", error: { code: "INVALID_JOURNAL_ENTRY" } });
      // The name appears escaped, visibly.
      expect(result.body.error.message).toContain(JSON.stringify(`bad${NUL}name`));
      expect(result.body.error.message).toContain("U+0000");
      expect(service.runsOf(tag)).toBe(1);
    });

    it("a signal named with U+0000 fails the run once as INVALID_JOURNAL_ENTRY naming the signal", async () => {
      const tag = randomUUID();
      const runId = await startRun("signal_named_nul", { tag });

      const result = await runResult(runId);
      expect(result.body).toMatchObject({ runId, status: "failed", error: { code: "INVALID_JOURNAL_ENTRY" } });
      expect(result.body.error.message).toContain(JSON.stringify(`go${NUL}now`));
      expect(service.runsOf(tag)).toBe(1);
    });
  });
});
