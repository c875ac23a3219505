// JWTs verified against a JWK set (AGNT5_JWKS_URL) served by the test; tokens made with jose.
// A coordinator with only a JWKS (no bootstrap key) starts; scopes come from `scope`, roles from
// `roles`, who from `sub`; a wrong issuer, audience, signature or an expired token is 401.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type CryptoKey, exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer } from "../test-support/auth-keys.js";
import { send } from "../test-support/http.js";
import { startTestCoordinator, type TestCoordinator } from "../test-support/test-coordinator.js";

const ISSUER = "https://idp.example.test/";
const AUDIENCE = "agnt5-coordinator";

describe("JWTs against a JWK set (PostgreSQL)", () => {
  let jwks: Server;
  let coordinator: TestCoordinator;
  let privateKey: CryptoKey;
  let otherKey: CryptoKey;

  const token = (claims: Record<string, unknown>, options: { key?: CryptoKey; issuer?: string; exp?: string } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: "ES256", kid: "test-key" })
      .setSubject("alice@example.test")
      .setIssuer(options.issuer ?? ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(options.exp ?? "5m")
      .sign(options.key ?? privateKey);

  beforeAll(async () => {
    const pair = await generateKeyPair("ES256");
    privateKey = pair.privateKey;
    otherKey = (await generateKeyPair("ES256")).privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: "test-key", alg: "ES256", use: "sig" };
    jwks = createServer((_request, response) => {
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, "127.0.0.1", resolve));
    const { port } = jwks.address() as AddressInfo;
    coordinator = await startTestCoordinator("postgres", {
      devMode: false,
      auth: {
        bootstrapApiKey: undefined,
        bootstrapWorkerToken: undefined,
        jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
        jwtIssuer: ISSUER,
        jwtAudience: AUDIENCE,
        metricsRequireKey: false,
      },
    });
  });
  afterAll(async () => {
    await coordinator?.close();
    await new Promise((resolve) => jwks?.close(resolve));
  });

  it("accepts a token whose scope claim holds the route's scope", async () => {
    const response = await send(`${coordinator.url}/v1/services`, {
      headers: bearer(await token({ scope: "read call" })),
    });
    expect(response.status).toBe(200);
  });

  it("refuses a token without the scope with 403 naming it", async () => {
    const response = await send(`${coordinator.url}/admin/v1/keys`, {
      headers: bearer(await token({ scope: "read" })),
    });
    expect(response.status).toBe(403);
    expect(response.body.error.message).toContain('"admin"');
  });

  it("accepts scp as an array too", async () => {
    const response = await send(`${coordinator.url}/admin/v1/keys`, {
      headers: bearer(await token({ scp: ["admin"] })),
    });
    expect(response.status).toBe(200);
  });

  it.each([
    ["another issuer", () => token({ scope: "read" }, { issuer: "https://evil.example.test/" }), /iss claim/],
    ["a key not in the set", () => token({ scope: "read" }, { key: otherKey }), /not valid/],
    ["an expired token", () => token({ scope: "read" }, { exp: "-1m" }), /expired|exp claim/],
  ])("refuses %s with 401", async (_what, make, reason) => {
    const jwt = await make();
    const response = await send(`${coordinator.url}/v1/services`, { headers: bearer(jwt) });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe("UNAUTHENTICATED");
    expect(response.body.error.message).toMatch(reason);
    expect(response.text).not.toContain(jwt);
  });
});
