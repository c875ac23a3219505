import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it, vi } from "vitest";

// The README's examples are documentation users copy: each ```ts block runs here as written, with
// "@agnt5/adk" pointing at this package's source.
const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const blocksDir = join(packageDir, ".test-data", `readme-${process.pid}`);
const readme = readFileSync(join(packageDir, "README.md"), "utf8");
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
const indexUrl = pathToFileURL(join(packageDir, "src", "index.ts")).href;

afterAll(() => rmSync(blocksDir, { recursive: true, force: true }));

/** Runs block `n` and returns what it printed. */
async function runBlock(n: number): Promise<string> {
  mkdirSync(blocksDir, { recursive: true });
  const file = join(blocksDir, `block-${n}.ts`);
  writeFileSync(file, (blocks[n] ?? "").replaceAll('from "@agnt5/adk"', `from "${indexUrl}"`));
  const printed: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    printed.push(args.map((arg) => (typeof arg === "string" ? arg : JSON.stringify(arg))).join(" "));
  });
  const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
  try {
    await import(pathToFileURL(file).href);
  } finally {
    log.mockRestore();
    write.mockRestore();
  }
  return printed.join("\n");
}

describe("README examples", () => {
  it("has the examples this test expects", () => {
    expect(blocks).toHaveLength(7);
  });

  it("tools: zod schema and a JSON Schema checked with ajv", async () => {
    const out = await runBlock(0);
    expect(out).toContain('["query"]');
    expect(out).toContain('Invalid arguments for tool \\"search\\": query: is required; filters: must be object');
  });

  it("an agent with a tool", async () => {
    const out = await runBlock(1);
    expect(out).toContain("completed Each step retries per its policy.");
    expect(out).toContain('"name":"search_docs"');
  });

  it("structured output, streaming and plans", async () => {
    const out = await runBlock(2);
    expect(out).toContain("15");
    expect(out).toContain("Hello there");
    expect(out).toContain("- reasoning: Compare prices");
  });

  it("handoffs and agents as tools", async () => {
    const out = await runBlock(3);
    expect(out).toContain("billing_specialist I refunded the duplicate charge.");
    expect(out).toContain("Transformers use attention.");
  });

  it("a local durable context", async () => {
    expect(await runBlock(4)).toContain("42");
  });

  it("a confirmation tool's definition", async () => {
    await expect(runBlock(5)).resolves.toBe("");
  });

  it("ctx.tools and ctx.llm.generate({ tools })", async () => {
    expect(await runBlock(6)).toContain('["result for AGNT5"]');
  });
});
