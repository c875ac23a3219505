import { readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { consoleAssetsDir } from "@agnt5/console";
import fastifyHelmet from "@fastify/helmet";
import type { FastifyInstance, FastifyReply } from "fastify";
import { errorBody } from "../errors.js";
import { CONSOLE_SECURITY_HEADERS } from "./console-security-headers.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};
// Vite names every asset after its content hash; only assets/<name>.<ext> is ever served.
const ASSET = /^[A-Za-z0-9_.-]+\.(js|css|svg|png|ico)$/;

/**
 * The web console (@agnt5/console, built static files) at /console. It routes with the URL hash,
 * so one index.html serves every page; it talks to /admin/v1 on this same origin. Its answers carry
 * the browser security headers (console-security-headers.ts); the JSON API's do not need them.
 */
export function registerConsoleRoute(app: FastifyInstance, dir: string = consoleAssetsDir): void {
  // Its own scope, so the headers apply to these routes only.
  app.register(async (scope) => {
    await scope.register(fastifyHelmet, CONSOLE_SECURITY_HEADERS);
    scope.get("/console", (_request, reply) => reply.redirect("/console/"));
    scope.get("/console/", (_request, reply) => send(reply, dir, "index.html", "no-cache"));
    scope.get("/console/assets/:file", (request, reply) => {
      const { file } = request.params as { file: string };
      if (!ASSET.test(file) || file.includes("..")) return notFound(reply, `No console asset "${file}"`);
      return send(reply, dir, join("assets", file), "public, max-age=31536000, immutable");
    });
  });
}

async function send(reply: FastifyReply, dir: string, file: string, cacheControl: string) {
  let body: Buffer;
  try {
    body = await readFile(join(dir, file));
  } catch {
    if (file === "index.html") {
      return notFound(
        reply,
        `The console is not built (no ${join(dir, file)}): run \`npm run build\` at the repository root, then reload.`,
      );
    }
    return notFound(reply, `No console asset "${file}" (the console was rebuilt? reload the page)`);
  }
  return reply
    .header("content-type", TYPES[extname(file)] ?? "application/octet-stream")
    .header("cache-control", cacheControl)
    .send(body);
}

function notFound(reply: FastifyReply, message: string) {
  return reply.status(404).send(errorBody("ROUTE_NOT_FOUND", message));
}
