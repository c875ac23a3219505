// Fuzzed Authorization headers (and bearer tokens) on a coordinator with authentication on: every
// one is answered 401 UNAUTHENTICATED in our error shape, never a 500, and the answer never repeats
// the presented value. Bytes sent as generated (node:http, fresh connection each time).
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuthTestCoordinator, startAuthCoordinator } from "../test-support/auth-keys.js";
import { rawRequest } from "../test-support/fuzz-http.js";

/** What node:http lets a client put in a header value (no control characters but tab). */
const HEADER_SAFE = /^[\t\x20-\x7e\x80-\xff]*$/;

const token = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.stringMatching(/^agnt5_(sk|wt)_[A-Za-z0-9_-]{0,60}$/),
  // JWT-shaped: three base64url segments.
  fc.tuple(fc.base64String(), fc.base64String(), fc.base64String()).map((parts) => parts.join(".")),
  fc.constantFrom("", " ", "null", "undefined", "%00", "\u00ff\u00fe", "x".repeat(9_000)),
);

const authorization = fc
  .oneof(
    token.map((value) => `Bearer ${value}`),
    fc
      .tuple(
        fc.constantFrom("bearer", "BEARER", "Bearer", "Basic", "Token", ""),
        fc.constantFrom(" ", "  ", "\t", ""),
        token,
      )
      .map(([scheme, gap, value]) => `${scheme}${gap}${value}`),
    token,
  )
  .filter((value) => HEADER_SAFE.test(value));

const ROUTES = [
  { method: "POST", path: "/call", body: '{"serviceName":"s","handlerName":"h","inputData":""}' },
  { method: "GET", path: "/v1/runs/run-1" },
  { method: "POST", path: "/v1/runs/run-1/approvals/deploy", body: '{"decision":"approved"}' },
  { method: "GET", path: "/admin/v1/keys" },
];

describe("fuzzed Authorization headers (PostgreSQL)", () => {
  let auth: AuthTestCoordinator;

  beforeAll(async () => {
    auth = await startAuthCoordinator("postgres");
  });
  afterAll(() => auth?.close());

  it("answers every malformed, unknown or oversized credential 401 in our shape, never echoing it", async () => {
    await fc.assert(
      fc.asyncProperty(authorization, fc.constantFrom(...ROUTES), async (header, route) => {
        const response = await rawRequest(auth.coordinator.url, {
          method: route.method,
          path: route.path,
          headers: { authorization: header, ...(route.body ? { "content-type": "application/json" } : {}) },
          ...(route.body ? { body: route.body } : {}),
        });
        // A header too large for Node's parser is its 431, also a refusal; everything else is ours.
        expect([401, 431]).toContain(response.status);
        if (response.status === 401) {
          expect(JSON.parse(response.text).error.code).toBe("UNAUTHENTICATED");
          expect(response.headers["www-authenticate"]).toMatch(/^Bearer/);
        }
        const presented = header.replace(/^\S*\s*/, "");
        if (presented.trim().length >= 12) expect(response.text).not.toContain(presented.trim());
      }),
      { numRuns: 300 },
    );
  });

  it("answers two Authorization headers 401, not 500", async () => {
    const response = await rawRequest(auth.coordinator.url, {
      method: "GET",
      path: "/v1/services",
      headers: { authorization: [`Bearer ${auth.adminKey}`, `Bearer ${auth.adminKey}`] as unknown as string },
    });
    expect(response.status).toBeLessThan(500);
  });
});
