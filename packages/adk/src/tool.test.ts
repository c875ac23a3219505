import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Tool, type ToolContext, tool } from "./index.js";

const toolContext: ToolContext = {
  toolName: "t",
  toolCallId: "call_1",
  agentName: undefined,
  runId: "run-1",
  idempotencyKey: "run-1:t",
  attempt: 1,
  messages: [],
  abortSignal: new AbortController().signal,
  logger: { debug() {}, info() {}, warn() {}, error() {} } as unknown as ToolContext["logger"],
};

describe("tool() with a zod schema", () => {
  const searchWeb = tool(
    {
      description: "Search the web for information.",
      input: z.object({
        query: z.string().describe("The search query string"),
        max_results: z.number().int().default(10),
      }),
    },
    async function search_web({ query, max_results }) {
      return { query, max_results };
    },
  );

  it("sends the model the seed's auto_schema: descriptions from .describe(), defaults optional, required fields", () => {
    expect(searchWeb.name).toBe("search_web");
    expect(searchWeb.definition).toEqual({
      name: "search_web",
      description: "Search the web for information.",
      inputSchema: {
        type: "object",
        properties: {
          query: { type: "string", description: "The search query string" },
          max_results: expect.objectContaining({ type: "integer", default: 10 }),
        },
        required: ["query"],
      },
    });
  });

  it("parses the model's arguments (defaults applied) and hands them to the handler, typed", async () => {
    const checked = searchWeb.validate({ query: "durable agents" });
    expect(checked).toEqual({ ok: true, value: { query: "durable agents", max_results: 10 } });
    if (!checked.ok) return;
    await expect(searchWeb.run(checked.value, toolContext)).resolves.toEqual({
      query: "durable agents",
      max_results: 10,
    });
  });

  it("names the bad field when the arguments do not fit", () => {
    const checked = searchWeb.validate({ max_results: "ten" });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.message).toMatch(/^Invalid arguments for tool "search_web": /);
    expect(checked.message).toContain("query:");
    expect(checked.message).toContain("max_results:");
  });

  it("needs a name when the handler has none", () => {
    expect(() => tool({ description: "x", input: z.object({}) }, async () => 1)).toThrow(/tool\(\) needs a name/);
  });

  it("refuses a name providers would reject", () => {
    expect(() => tool({ name: "search web", description: "x", input: z.object({}) }, () => 1)).toThrow(
      /1-64 letters, digits/,
    );
  });
});

describe("new Tool() with a JSON Schema", () => {
  const search = new Tool({
    name: "search",
    description: "Search for information",
    inputSchema: {
      type: "object",
      properties: { query: { type: "string", minLength: 1 }, filters: { type: "object" } },
      required: ["query"],
    },
    handler: async (input: { query: string }) => `results for ${input.query}`,
  });

  it("sends its schema as given", () => {
    expect(search.definition.inputSchema).toEqual({
      type: "object",
      properties: { query: { type: "string", minLength: 1 }, filters: { type: "object" } },
      required: ["query"],
    });
  });

  it("accepts arguments that match", () => {
    expect(search.validate({ query: "x", filters: {} })).toEqual({ ok: true, value: { query: "x", filters: {} } });
  });

  it("validates with ajv and names each field that does not match", () => {
    expect(search.validate({ filters: [] })).toEqual({
      ok: false,
      message:
        'Invalid arguments for tool "search": query: is required; filters: must be object. Call it again with ' +
        "arguments that match its schema.",
    });
    expect(search.validate({ query: "" })).toMatchObject({
      ok: false,
      message: expect.stringContaining("query: must NOT have fewer than 1 characters"),
    });
  });

  it("understands 2020-12 schemas (what zod produces) too", () => {
    const typed = new Tool({
      name: "typed",
      description: "x",
      inputSchema: {
        $schema: "https://json-schema.org/draft/2020-12/schema",
        type: "object",
        properties: { items: { type: "array", prefixItems: [{ type: "number" }] } },
      },
      handler: () => null,
    });
    expect(typed.validate({ items: ["a"] })).toMatchObject({
      ok: false,
      message: expect.stringContaining("items.0: must be number"),
    });
    expect(typed.definition.inputSchema).not.toHaveProperty("$schema");
  });

  it("refuses an invalid schema when defined, naming the tool", () => {
    expect(
      () => new Tool({ name: "broken", description: "x", inputSchema: { type: "objekt" }, handler: () => null }),
    ).toThrow(/Tool "broken" has an invalid inputSchema/);
  });

  it("needs a description", () => {
    expect(() => new Tool({ name: "bare", description: " ", inputSchema: {}, handler: () => null })).toThrow(
      /Tool "bare" needs a description/,
    );
  });
});
