// Every route family of the gateway and the admin API, on a coordinator with authentication on
// (real PostgreSQL): no key, a wrong key, a revoked key and a key lacking the route's scope are
// refused (401 / 403 naming the scope); a key with the scope gets past authentication.
import { Client } from "@agnt5/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuthTestCoordinator, bearer, startAuthCoordinator } from "../test-support/auth-keys.js";
import { send } from "../test-support/http.js";
import { SCOPES, type Scope } from "./identity.js";

interface Family {
  name: string;
  method: "GET" | "POST" | "DELETE";
  path: string;
  body?: unknown;
  scope: Scope;
}

const FAMILIES: Family[] = [
  {
    name: "call (seed /call)",
    method: "POST",
    path: "/call",
    body: { serviceName: "nope", handlerName: "h", inputData: "" },
    scope: "call",
  },
  { name: "invoke", method: "POST", path: "/v1/services/nope/h", body: {}, scope: "call" },
  {
    name: "start a workflow",
    method: "POST",
    path: "/v1/workflows/nope/runs",
    body: { input: 1 },
    scope: "workflows:start",
  },
  {
    name: "start an agent",
    method: "POST",
    path: "/v1/agents/nope/runs",
    body: { input: "x" },
    scope: "workflows:start",
  },
  { name: "cancel a run", method: "POST", path: "/v1/runs/nope/cancel", body: {}, scope: "workflows:start" },
  { name: "read a run", method: "GET", path: "/v1/runs/nope", scope: "read" },
  { name: "read a journal", method: "GET", path: "/v1/runs/nope/journal", scope: "read" },
  { name: "signal", method: "POST", path: "/v1/runs/nope/signals/go", body: { value: 1 }, scope: "signal" },
  {
    name: "approve",
    method: "POST",
    path: "/v1/runs/nope/approvals/deploy",
    body: { decision: "approved" },
    scope: "approve",
  },
  { name: "call an entity", method: "POST", path: "/v1/entities/cart/k1/add", body: {}, scope: "call" },
  { name: "read an entity", method: "GET", path: "/v1/entities/cart/k1", scope: "read" },
  { name: "read a session", method: "GET", path: "/v1/sessions/s1", scope: "read" },
  { name: "delete a session", method: "DELETE", path: "/v1/sessions/s1", scope: "call" },
  { name: "list services", method: "GET", path: "/v1/services", scope: "read" },
  { name: "remove a service", method: "DELETE", path: "/v1/services/nope", scope: "admin" },
  { name: "admin: list runs", method: "GET", path: "/admin/v1/runs", scope: "read" },
  { name: "admin: cancel a run", method: "POST", path: "/admin/v1/runs/nope/cancel", body: {}, scope: "admin" },
  { name: "admin: signal", method: "POST", path: "/admin/v1/runs/nope/signals/go", body: 1, scope: "signal" },
  {
    name: "admin: approve",
    method: "POST",
    path: "/admin/v1/runs/nope/approvals/deploy",
    body: { decision: "approved" },
    scope: "approve",
  },
  { name: "admin: list keys", method: "GET", path: "/admin/v1/keys", scope: "admin" },
  { name: "admin: create a key", method: "POST", path: "/admin/v1/keys", body: { name: "x" }, scope: "admin" },
];

function request(url: string, family: Family, headers: Record<string, string> = {}) {
  return send(url + family.path, {
    method: family.method,
    headers: { ...(family.body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    ...(family.body === undefined ? {} : { body: JSON.stringify(family.body) }),
  });
}

describe("gateway and admin API authentication (PostgreSQL)", () => {
  let auth: AuthTestCoordinator;
  let url: string;
  let fullKey: string;
  let revokedKey: string;
  /** A key with every scope but the one named. */
  const lacking = new Map<Scope, string>();

  beforeAll(async () => {
    auth = await startAuthCoordinator("postgres");
    url = auth.coordinator.url;
    fullKey = (await auth.createKey({ name: "full", scopes: [...SCOPES] })).secret;
    const revoked = await auth.createKey({ name: "to-revoke", scopes: [...SCOPES] });
    revokedKey = revoked.secret;
    // Used (so this coordinator has it cached) before it is revoked: revocation must still apply at once.
    expect((await send(`${url}/v1/services`, { headers: bearer(revokedKey) })).status).toBe(200);
    await auth.admin.revokeKey(revoked.id);
    for (const scope of new Set(FAMILIES.map((family) => family.scope))) {
      const key = await auth.createKey({ name: `without-${scope}`, scopes: SCOPES.filter((s) => s !== scope) });
      lacking.set(scope, key.secret);
    }
  });

  afterAll(() => auth?.close());

  describe.each(FAMILIES)("$name ($method $path)", (family) => {
    it("is refused without a key: 401 UNAUTHENTICATED with WWW-Authenticate: Bearer", async () => {
      const response = await request(url, family);
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe("UNAUTHENTICATED");
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
    });

    it("is refused with a wrong key, and the answer does not repeat it", async () => {
      const wrong = "agnt5_sk_wrongwrongwrongwrongwrongwrongwrongwrong1";
      const response = await request(url, family, bearer(wrong));
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe("UNAUTHENTICATED");
      expect(response.text).not.toContain(wrong);
    });

    it("is refused with a revoked key", async () => {
      const response = await request(url, family, bearer(revokedKey));
      expect(response.status).toBe(401);
      expect(response.body.error.message).toMatch(/revoked/);
    });

    it(`is refused with a key lacking the "${family.scope}" scope: 403 naming it`, async () => {
      const response = await request(url, family, bearer(lacking.get(family.scope)!));
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe("FORBIDDEN");
      expect(response.body.error.message).toContain(`"${family.scope}"`);
      expect(response.body.error.details).toEqual({ scope: family.scope });
    });

    it("gets past authentication with a key holding the scope", async () => {
      const response = await request(url, family, bearer(fullKey));
      expect([401, 403]).not.toContain(response.status);
      expect(response.status).toBeLessThan(500);
    });
  });

  it("the SDK Client sends its apiKey option, else AGNT5_API_KEY, as a bearer token", async () => {
    const saved = process.env.AGNT5_API_KEY;
    try {
      delete process.env.AGNT5_API_KEY;
      await expect(new Client(url).getRun("nope")).rejects.toMatchObject({ code: "UNAUTHENTICATED", status: 401 });
      await expect(new Client(url, { apiKey: fullKey }).getRun("nope")).rejects.toMatchObject({
        code: "RUN_NOT_FOUND",
      });
      process.env.AGNT5_API_KEY = fullKey;
      await expect(new Client(url).getRun("nope")).rejects.toMatchObject({ code: "RUN_NOT_FOUND" });
    } finally {
      if (saved === undefined) delete process.env.AGNT5_API_KEY;
      else process.env.AGNT5_API_KEY = saved;
    }
  });

  it("keeps /health and /metrics open (scrapers and probes hold no key), and the console page", async () => {
    expect((await send(`${url}/health`)).status).toBe(200);
    expect((await send(`${url}/metrics`)).status).toBe(200);
    expect([401, 403]).not.toContain((await send(`${url}/console/`)).status);
  });

  it("answers an unknown route 401 without a key (routes are not probed anonymously), 404 with one", async () => {
    expect((await send(`${url}/v1/nothing-here`)).status).toBe(401);
    expect((await send(`${url}/v1/nothing-here`, { headers: bearer(fullKey) })).status).toBe(404);
  });

  it("refuses a worker token on the gateway (it holds only the worker scope)", async () => {
    const response = await send(`${url}/v1/services`, { headers: bearer(auth.workerToken) });
    expect(response.status).toBe(403);
    expect(response.body.error.message).toContain('"read"');
  });

  it("lists keys by prefix, never by secret, with last use and revocation times", async () => {
    const created = await auth.createKey({ name: "listed", scopes: ["read"], roles: ["ops"] });
    expect(created.secret).toMatch(/^agnt5_sk_[A-Za-z0-9_-]{43}$/);
    expect(created.secret.startsWith(created.prefix)).toBe(true);
    await send(`${url}/v1/services`, { headers: bearer(created.secret) });
    const listing = await send(`${url}/admin/v1/keys?includeRevoked=true`, { headers: bearer(auth.adminKey) });
    expect(listing.text).not.toContain(created.secret);
    expect(listing.text).not.toContain(auth.adminKey);
    const listed = listing.body.keys.find((key: { id: string }) => key.id === created.id);
    expect(listed).toMatchObject({ name: "listed", scopes: ["read"], roles: ["ops"], revokedAt: null });
    expect(listed.lastUsedAt).not.toBeNull();
    const names = listing.body.keys.map((key: { name: string }) => key.name);
    expect(names).toEqual(expect.arrayContaining(["bootstrap-admin", "bootstrap-worker", "to-revoke"]));
    const active = await auth.admin.listKeys();
    expect(active.keys.map((key) => key.name)).not.toContain("to-revoke");
  });

  it("refuses a worker token without services, and revoking an unknown key is 404 KEY_NOT_FOUND", async () => {
    const missing = await send(`${url}/admin/v1/keys`, {
      method: "POST",
      headers: { ...bearer(auth.adminKey), "content-type": "application/json" },
      body: JSON.stringify({ name: "w", kind: "worker_token" }),
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/services/);
    const unknown = await send(`${url}/admin/v1/keys/key_nope/revoke`, {
      method: "POST",
      headers: { ...bearer(auth.adminKey), "content-type": "application/json" },
      body: "{}",
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("KEY_NOT_FOUND");
  });
});
