// A body over AGNT5_MAX_BODY_BYTES is a 413 the client actually receives: the gateway reads the
// rest of the upload (up to a bound) before answering, so a client still sending does not see its
// connection reset (EPIPE / ECONNRESET) instead of the answer. Real HTTP, repeated, with the two
// clients Node offers (fetch / undici and node:http); no worker is needed.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCoordinator, type TestCoordinator } from "../test-support/test-coordinator.js";

const MAX_BODY_BYTES = 512 * 1024;
/** Three times the limit: far more than the sockets buffer, within what the gateway drains. */
const OVERSIZE = Buffer.alloc(3 * MAX_BODY_BYTES, "a");
const TRIES = 20;
const PATHS = ["/v1/services/some-service/some_handler", "/v1/workflows/flow/runs", "/call", "/nowhere"];

function postWithNodeHttp(url: string, body: Buffer, chunked: boolean): Promise<{ status: number; text: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        headers: { "content-type": "application/json", ...(chunked ? {} : { "content-length": body.byteLength }) },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    if (chunked) {
      // Without a content-length the gateway only learns the size while reading.
      for (let offset = 0; offset < body.byteLength; offset += 64 * 1024) {
        request.write(body.subarray(offset, offset + 64 * 1024));
      }
      request.end();
    } else {
      request.end(body);
    }
  });
}

describe("a body over the limit (postgres)", () => {
  let coordinator: TestCoordinator;

  beforeAll(async () => {
    coordinator = await startTestCoordinator("postgres", { maxBodyBytes: MAX_BODY_BYTES });
  });

  afterAll(async () => {
    await coordinator?.close();
  });

  const expectPayloadTooLarge = (response: { status: number; text: string }) => {
    expect(response.status).toBe(413);
    expect(JSON.parse(response.text)).toEqual({
      error: {
        code: "PAYLOAD_TOO_LARGE",
        message: `Request body exceeds the limit of ${MAX_BODY_BYTES} bytes (AGNT5_MAX_BODY_BYTES)`,
      },
    });
  };

  it(`reaches fetch (undici) as our 413, ${TRIES} times on each route`, async () => {
    for (const path of PATHS) {
      for (let i = 0; i < TRIES; i++) {
        const response = await fetch(`${coordinator.url}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: OVERSIZE,
        });
        expectPayloadTooLarge({ status: response.status, text: await response.text() });
      }
    }
  });

  it(`reaches node:http as our 413, with a content-length and chunked, ${TRIES} times each`, async () => {
    for (const chunked of [false, true]) {
      for (let i = 0; i < TRIES; i++) {
        expectPayloadTooLarge(
          await postWithNodeHttp(`${coordinator.url}${PATHS[i % PATHS.length]}`, OVERSIZE, chunked),
        );
      }
    }
  });

  it("still answers a call within the limit afterwards", async () => {
    const response = await fetch(`${coordinator.url}/health`);
    expect(await response.json()).toEqual({ status: "ok" });
  });
});
