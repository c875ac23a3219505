import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { CLI_BIN, freePort, runCli } from "../test-support/cli-harness.js";
import { LineProcess } from "../test-support/line-process.js";
import { cannotListen } from "./ports.js";

// The worker file lives inside the CLI package (a git-ignored folder) so `import "@agnt5/sdk"`
// resolves through the package's node_modules, as it would in a user's project.
const TEST_DATA = fileURLToPath(new URL("../../.test-data/", import.meta.url));

const workerSource = (greeting: string) => `
import { fn, Worker } from "@agnt5/sdk";
fn("greet", async (name) => \`${greeting}, \${name}!\`);
await new Worker({ serviceName: "dev-test" }).run();
`;

describe("agnt5 dev", () => {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  function workspace() {
    mkdirSync(TEST_DATA, { recursive: true });
    const dir = mkdtempSync(join(TEST_DATA, "dev-"));
    const dataDir = mkdtempSync(join(tmpdir(), "agnt5-cli-dev-store-"));
    // A migrated store (the global setup's): an empty one costs the coordinator seconds of initdb.
    const template = process.env.AGNT5_TEST_PGLITE_TEMPLATE;
    if (template) cpSync(template, dataDir, { recursive: true });
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    return { dir, dataDir };
  }

  it("starts a coordinator and the worker, restarts the worker when its file changes, and stops on Ctrl-C", async () => {
    const { dir, dataDir } = workspace();
    const workerFile = join(dir, "worker.mjs");
    writeFileSync(workerFile, workerSource("Hello"));
    const [port, grpcPort] = [await freePort(), await freePort()];
    const dev = LineProcess.start(
      "agnt5 dev",
      [CLI_BIN, "dev", "worker.mjs", "--port", String(port), "--grpc-port", String(grpcPort), "--data-dir", dataDir],
      { AGNT5_LOG_FORMAT: "json" },
      dir,
    );
    cleanup.push(() => dev.kill("SIGKILL"));
    const url = `http://127.0.0.1:${port}`;

    await dev.waitForLine("[agnt5 dev] Worker started");
    expect(dev.stdout.join("\n")).toContain("dev-test (greet) live");
    const first = await runCli(["call", "dev-test/greet", '"Ada"'], url);
    expect(first).toMatchObject({ code: 0, stdout: '"Hello, Ada!"\n' });

    const mark = dev.lines.length;
    writeFileSync(workerFile, workerSource("Bonjour"));
    const changed = await dev.waitForLine("changed at", mark);
    expect(changed).toContain("worker.mjs changed at");
    await dev.waitForLine("[agnt5 dev] Worker restarted", mark);
    const second = await runCli(["call", "dev-test/greet", '"Ada"'], url);
    expect(second).toMatchObject({ code: 0, stdout: '"Bonjour, Ada!"\n' });

    dev.child.kill("SIGINT");
    expect(await dev.exited).toEqual({ code: 0, signal: null });
    // Both children are gone: their ports can be bound again.
    expect(await cannotListen(port, "127.0.0.1")).toBeUndefined();
    expect(await cannotListen(grpcPort, "127.0.0.1")).toBeUndefined();
  });

  it("refuses to start when the HTTP port is taken, naming the port and the option that moves it", async () => {
    const { dir, dataDir } = workspace();
    writeFileSync(join(dir, "worker.mjs"), workerSource("Hello"));
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    cleanup.push(() => new Promise((resolve) => blocker.close(resolve)));
    const port = (blocker.address() as { port: number }).port;
    const result = await runCli(
      [
        "dev",
        join(dir, "worker.mjs"),
        "--port",
        String(port),
        "--grpc-port",
        String(await freePort()),
        "--data-dir",
        dataDir,
      ],
      "http://unused",
    );
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(`Port ${port} (the coordinator's HTTP gateway) is already in use`);
    expect(result.stderr).toContain(`--port ${port + 1}`);
  });

  it("refuses a TypeScript worker file with how to run the built one (exit 2)", async () => {
    const { dir } = workspace();
    writeFileSync(join(dir, "worker.ts"), "");
    const result = await runCli(["dev", join(dir, "worker.ts")], "http://unused");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Node 20 runs JavaScript");
  });
});
