// @agnt5/sdk/client loads the Client alone: a web app (or a script) that calls the gateway must not
// pull in the Worker with gRPC, protobuf and pino. Checked on the built entry in a fresh Node process
// whose module resolution is recorded by a loader hook.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
// zod too: the Client needs none of core's schema code.
const FORBIDDEN = /\/(@grpc\/grpc-js|@bufbuild\/protobuf|pino|pino-pretty|@agnt5\/proto|proto\/dist|zod)\//;
const dist = (file: string) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "agnt5-client-entry-"));
  await writeFile(
    join(dir, "hooks.mjs"),
    `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  appendFileSync(process.env.AGNT5_LOAD_LOG, result.url + "\\n");
  return result;
}
`,
  );
  await writeFile(
    join(dir, "register.mjs"),
    `import { register } from "node:module";\nregister("./hooks.mjs", import.meta.url);\n`,
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every module URL a fresh Node process resolves while importing `entry` (ESM imports and CommonJS requires). */
async function modulesLoadedBy(entry: string): Promise<string[]> {
  const log = join(dir, `${Math.random().toString(36).slice(2)}.log`);
  await writeFile(log, "");
  const script = `
    import { createRequire } from "node:module";
    const entry = await import(${JSON.stringify(pathToFileURL(entry).href)});
    if (typeof entry.Client !== "function") throw new Error("no Client export");
    const cjs = Object.keys(createRequire(import.meta.url).cache);
    process.stdout.write(JSON.stringify(cjs));
  `;
  const { stdout } = await run(
    process.execPath,
    ["--import", pathToFileURL(join(dir, "register.mjs")).href, "--input-type=module", "-e", script],
    { env: { ...process.env, AGNT5_LOAD_LOG: log } },
  );
  const resolved = (await readFile(log, "utf8")).split("\n").filter(Boolean);
  return [...resolved, ...(JSON.parse(stdout) as string[]).map((path) => pathToFileURL(path).href)];
}

describe("@agnt5/sdk/client", () => {
  it("is exported by the package", async () => {
    const manifest = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8")) as {
      exports: Record<string, { import: string }>;
    };
    expect(manifest.exports["./client"]?.import).toBe("./dist/client-entry.js");
  });

  it("loads the Client without gRPC, protobuf, pino, @agnt5/proto or zod", async () => {
    const loaded = await modulesLoadedBy(dist("client-entry.js"));
    expect(loaded.some((url) => url.endsWith("/client.js"))).toBe(true);
    expect(loaded.filter((url) => FORBIDDEN.test(url))).toEqual([]);
  });

  it("is a real check: the main entry does load them", async () => {
    const loaded = await modulesLoadedBy(dist("index.js"));
    expect(loaded.some((url) => url.includes("/@grpc/grpc-js/"))).toBe(true);
    expect(loaded.some((url) => url.includes("/pino/"))).toBe(true);
  });
});
