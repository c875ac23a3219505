import { CancelledError, fn, HTTP_STATUS_BY_CODE, Registry } from "@agnt5/core";
import { afterEach, describe, expect, it } from "vitest";
import { httpStatusForCode } from "./http-error.js";
import { createCaptureLogger } from "./test-support/capture-logger.js";
import { Worker } from "./worker.js";

/**
 * A literal copy of the coordinator's gateway table (apps/coordinator/src/errors.ts statusByCode; the
 * SDK may not import the app). Every code in it answers with the same status from the SDK's HTTP
 * runtime. Once the coordinator takes its table from @agnt5/core, this copy only guards the values.
 */
const COORDINATOR_STATUS_BY_CODE: Record<string, number> = {
  INVALID_REQUEST: 400,
  INVALID_JSON: 400,
  INVALID_BASE64: 400,
  INVALID_INPUT: 400,
  INVALID_ID: 400,
  SERVICE_NOT_FOUND: 404,
  HANDLER_NOT_FOUND: 404,
  COMPONENT_NOT_FOUND: 404,
  INVOCATION_NOT_FOUND: 404,
  RUN_NOT_FOUND: 404,
  WORKFLOW_NOT_FOUND: 404,
  AGENT_NOT_FOUND: 404,
  ENTITY_NOT_FOUND: 404,
  FORBIDDEN: 403,
  RUN_FINISHED: 409,
  RUN_ID_CONFLICT: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  NO_PENDING_APPROVAL: 409,
  AMBIGUOUS_WORKFLOW: 409,
  AMBIGUOUS_AGENT: 409,
  SERVICE_HAS_WORKERS: 409,
  ROUTE_NOT_FOUND: 404,
  CANCELLED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  REQUEST_TIMEOUT: 408,
  HEADERS_TOO_LARGE: 431,
  UNAVAILABLE: 503,
  TIMEOUT: 504,
};

describe("error code -> HTTP status", () => {
  it("is the coordinator's for every code of its table, and @agnt5/core's shared table holds them all", () => {
    for (const [code, status] of Object.entries(COORDINATOR_STATUS_BY_CODE)) {
      expect({ code, status: httpStatusForCode(code) }).toEqual({ code, status });
      expect({ code, status: HTTP_STATUS_BY_CODE[code] }).toEqual({ code, status });
    }
    expect(httpStatusForCode("HANDLER_ERROR")).toBe(500);
    expect(httpStatusForCode("toString")).toBe(500);
  });
});

describe("the HTTP runtime", () => {
  const workers: Worker[] = [];
  afterEach(async () => {
    for (const worker of workers.splice(0)) await worker.stop();
  });

  it("answers a cancelled handler with 409 CANCELLED, as the coordinator does", async () => {
    const registry = new Registry();
    fn({ name: "gives_up", registry }, () => {
      throw new CancelledError("the order was withdrawn");
    });
    const worker = new Worker("status-service", {
      runtime: "http",
      registry,
      logger: createCaptureLogger(),
      handleSignals: false,
    });
    workers.push(worker);
    const { url } = await worker.listen(0, "127.0.0.1");
    const response = await fetch(`${url}/invoke/gives_up`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "null",
    });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ code: "CANCELLED" });
  });
});
