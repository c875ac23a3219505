// The console's static files at /console: index.html, hashed assets, a redirect for the bare
// path, and a 404 that says how to build when the console was not built. On a bare Fastify with
// a temporary assets dir (the route only reads files).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { afterAll, describe, expect, it } from "vitest";
import { registerConsoleRoute } from "./console-route.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function appWith(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), "agnt5-console-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const app = Fastify();
  registerConsoleRoute(app, dir);
  return app;
}

describe("/console", () => {
  it("serves index.html, its hashed assets with long caching, and redirects /console", async () => {
    const app = appWith({ "index.html": "<!doctype html><p>console</p>", "assets/index-abc123.js": "export {};" });
    const index = await app.inject({ url: "/console/" });
    expect(index.statusCode).toBe(200);
    expect(index.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(index.headers["cache-control"]).toBe("no-cache");
    expect(index.body).toContain("<p>console</p>");
    const asset = await app.inject({ url: "/console/assets/index-abc123.js" });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(asset.headers["cache-control"]).toContain("immutable");
    const bare = await app.inject({ url: "/console" });
    expect(bare.statusCode).toBe(302);
    expect(bare.headers.location).toBe("/console/");
  });

  it("answers 404 in the error shape for a missing asset and for a path outside assets/", async () => {
    const app = appWith({ "index.html": "<p>console</p>", "secret.js": "nope" });
    const missing = await app.inject({ url: "/console/assets/gone-123.js" });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe("ROUTE_NOT_FOUND");
    const traversal = await app.inject({ url: "/console/assets/..%2Fsecret.js" });
    expect(traversal.statusCode).toBe(404);
    expect(traversal.body).not.toContain("nope");
  });

  it("says how to build the console when it was not built", async () => {
    const app = appWith({});
    const response = await app.inject({ url: "/console/" });
    expect(response.statusCode).toBe(404);
    expect(response.json().error).toMatchObject({ code: "ROUTE_NOT_FOUND" });
    expect(response.json().error.message).toContain("npm run build");
  });

  it("sends the browser security headers on the console's pages and files, not on the JSON API", async () => {
    const app = appWith({ "index.html": "<p>console</p>", "assets/index-abc123.js": "export {};" });
    app.get("/v1/services", async () => ({ services: [] }));
    for (const url of ["/console/", "/console/assets/index-abc123.js", "/console/assets/gone-1.js"]) {
      const response = await app.inject({ url });
      const csp = String(response.headers["content-security-policy"]);
      const directives = new Map(
        csp.split(";").map((part) => {
          const [name = "", ...sources] = part.trim().split(/\s+/);
          return [name, sources.join(" ")] as const;
        }),
      );
      expect(directives.get("default-src"), url).toBe("'self'");
      expect(directives.get("script-src"), url).toBe("'self'");
      expect(directives.get("style-src"), url).toBe("'self'");
      expect(directives.get("img-src"), url).toBe("'self' data:");
      expect(directives.get("connect-src"), url).toBe("'self'");
      expect(directives.get("object-src"), url).toBe("'none'");
      expect(directives.get("frame-ancestors"), url).toBe("'none'");
      expect(directives.has("upgrade-insecure-requests"), url).toBe(false);
      expect(response.headers["x-frame-options"], url).toBe("DENY");
      expect(response.headers["x-content-type-options"], url).toBe("nosniff");
      expect(response.headers["referrer-policy"], url).toBe("no-referrer");
      expect(response.headers["strict-transport-security"], url).toBe("max-age=31536000");
    }
    const api = await app.inject({ url: "/v1/services" });
    expect(api.statusCode).toBe(200);
    expect(api.headers["content-security-policy"]).toBeUndefined();
  });
});
