/**
 * `npm run quickstart -- --once` (scripts/quickstart.mjs) as a real process: it must never report
 * success against some other coordinator that already holds its ports.
 */
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "./support/ports.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const quickstart = join(root, "scripts/quickstart.mjs");

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * Holds a port on every interface. With `answerLikeACoordinator`, it also answers the quickstart's
 * requests the way an older coordinator with a hello-service worker would: a quickstart that does
 * not notice would report that coordinator's answer as its own success.
 */
async function holdPort(answerLikeACoordinator = false): Promise<number> {
  const server: Server = answerLikeACoordinator
    ? createHttpServer((req, res) => {
        res.setHeader("content-type", "application/json");
        if (req.url === "/v1/services")
          res.end(JSON.stringify({ services: [{ name: "hello-service", workers: [{}] }] }));
        else if (req.url === "/call") res.end(JSON.stringify("Hello, Alice!"));
        else res.end("{}");
      })
    : createServer();
  await new Promise<void>((resolve) => server.listen(0, "0.0.0.0", resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as { port: number }).port;
}

/** A PGlite data dir with the migrations applied (a copy of the test template). */
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "agnt5-quickstart-"));
  cpSync(process.env.AGNT5_TEST_PGLITE_TEMPLATE!, dir, { recursive: true });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs the quickstart with `--once` to its end. */
async function runQuickstart(env: Record<string, string>) {
  const child = spawn(process.execPath, [quickstart, "--once"], {
    cwd: root,
    env: { ...process.env, AGNT5_LOG_FORMAT: "json", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  cleanups.push(() => child.exitCode === null && child.kill("SIGKILL"));
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on("close", (exitCode) => resolve(exitCode)));
  return { code, stdout, stderr };
}

describe("quickstart --once", () => {
  it("fails, naming the port and AGNT5_HTTP_PORT, when the HTTP port is already taken", async () => {
    const held = await holdPort(true);
    const result = await runQuickstart({
      AGNT5_HTTP_PORT: String(held),
      AGNT5_GRPC_PORT: String(await freePort()),
      AGNT5_DATA_DIR: dataDir(),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Port ${held} (the coordinator's HTTP gateway) is already in use`);
    expect(result.stderr).toContain(`AGNT5_HTTP_PORT=${held + 1} npm run quickstart`);
    expect(result.stdout).not.toContain("Hello, Alice!");
  });

  it("fails, naming the port and AGNT5_GRPC_PORT, when the gRPC port is already taken", async () => {
    const held = await holdPort();
    const result = await runQuickstart({
      AGNT5_HTTP_PORT: String(await freePort()),
      AGNT5_GRPC_PORT: String(held),
      AGNT5_DATA_DIR: dataDir(),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Port ${held} (the coordinator's gRPC port for workers) is already in use`);
    expect(result.stderr).toContain(`AGNT5_GRPC_PORT=${held + 1} npm run quickstart`);
  });

  it("makes the seed's call and exits 0 when its ports are free", async () => {
    const httpPort = await freePort();
    const result = await runQuickstart({
      AGNT5_HTTP_PORT: String(httpPort),
      AGNT5_GRPC_PORT: String(await freePort()),
      AGNT5_DATA_DIR: dataDir(),
    });
    expect(result.stderr).not.toContain("[quickstart]");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`$ curl -X POST http://127.0.0.1:${httpPort}/call`);
    expect(result.stdout).toContain("Hello, Alice!");
  });
});
