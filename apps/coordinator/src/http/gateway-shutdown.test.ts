// Closing the coordinator while callers still wait: it must not hang on them (an open stream would
// otherwise hold it forever), and each waiting caller is told what happened to its invocation.
import { fn, Registry } from "@agnt5/sdk";
import { describe, expect, it } from "vitest";
import { deferred, type GatewayErrorBody, LineReader, postJson, within } from "../test-support/http.js";
import { STORE_KINDS, startTestCoordinator } from "../test-support/test-coordinator.js";
import { startTestWorker } from "../test-support/test-worker.js";

const SERVICE = "shutdown-service";

describe.each(STORE_KINDS)("gateway shutdown (%s store)", (kind) => {
  it("close() answers waiting calls and open streams with 503 UNAVAILABLE and the invocation id, and does not wait for them", async () => {
    const release = deferred();
    const slowStarted = deferred();
    const registry = new Registry();
    fn({ name: "slow", registry }, async (_input: null) => {
      slowStarted.resolve();
      await release.promise;
      return "too late";
    });
    fn({ name: "endless", registry }, async function* (_input: null) {
      yield "first";
      await release.promise;
    });

    await using coordinator = await startTestCoordinator(kind);
    await using _worker = await startTestWorker({ serviceName: SERVICE, endpoint: coordinator.endpoint, registry });
    try {
      const stream = await fetch(`${coordinator.url}/v1/services/${SERVICE}/endless`, { method: "POST", body: "null" });
      const streamId = stream.headers.get("agnt5-invocation-id");
      const lines = new LineReader(stream.body!);
      expect(JSON.parse((await within(lines.next(), 5_000, "the stream's first chunk"))!)).toMatchObject({
        type: "chunk",
        data: "first",
      });
      const call = postJson<GatewayErrorBody>(`${coordinator.url}/v1/services/${SERVICE}/slow`, null);
      await within(slowStarted.promise, 5_000, "the slow handler to start");

      await within(coordinator.close(), 5_000, "coordinator.close() with a call and a stream still open");

      const response = await call;
      expect(response.status).toBe(503);
      expect(response.body.error.code).toBe("UNAVAILABLE");
      const callId = response.headers.get("agnt5-invocation-id");
      expect(callId).toMatch(/^inv_/);
      expect(response.body.error.invocationId).toBe(callId);
      expect(response.body.error.message).toContain("shutting down");
      expect(response.body.error.message).toContain(`/v1/invocations/${callId}`);

      const rest = (await lines.rest()).map((line) => JSON.parse(line));
      expect(rest).toEqual([
        {
          type: "error",
          error: { code: "UNAVAILABLE", message: expect.stringContaining("shutting down"), invocationId: streamId },
        },
      ]);
    } finally {
      release.resolve();
    }
  });
});
