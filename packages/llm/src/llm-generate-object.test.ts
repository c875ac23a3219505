import { describe, expect, it } from "vitest";
import { z } from "zod";
import { LlmStructuredOutputError } from "./language-model-v1/llm-errors.js";
import { generateObject } from "./llm-generate-object.js";
import { ScriptedModel } from "./test/index.js";

const city = z.object({
  name: z.string(),
  population: z.number().int().positive(),
  founded: z.coerce.date().optional(),
});

describe("generateObject", () => {
  it("asks for JSON with the schema and returns the parsed, validated object", async () => {
    const model = new ScriptedModel([
      {
        object: { name: "Paris", population: 2_100_000, founded: "0250-01-01" },
        usage: { inputTokens: 12, outputTokens: 9 },
      },
    ]);
    const result = await generateObject({ model, schema: city, schemaName: "city", prompt: "Largest city in France?" });
    expect(result.object.name).toBe("Paris");
    expect(result.object.founded).toBeInstanceOf(Date);
    expect(result.usage.totalTokens).toBe(21);
    expect(model.calls[0]?.request.responseFormat).toEqual({
      type: "json",
      name: "city",
      schema: expect.objectContaining({ type: "object", required: ["name", "population"] }),
    });
  });

  it("accepts JSON in a Markdown code fence", async () => {
    const model = new ScriptedModel([{ text: '```json\n{"name":"Lyon","population":500000}\n```' }]);
    const { object } = await generateObject({ model, schema: city, prompt: "?" });
    expect(object).toEqual({ name: "Lyon", population: 500000 });
  });

  it("throws LlmStructuredOutputError naming the validation issues", async () => {
    const model = new ScriptedModel([{ object: { name: "Paris", population: -3 } }]);
    const error = await generateObject({ model, schema: city, prompt: "?" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LlmStructuredOutputError);
    const structured = error as LlmStructuredOutputError;
    expect(structured.code).toBe("LLM_STRUCTURED_OUTPUT");
    expect(structured.message).toContain("population:");
    expect(structured.issues).toEqual([{ path: "population", message: expect.any(String) }]);
    expect(structured.text).toBe('{"name":"Paris","population":-3}');
  });

  it("throws LlmStructuredOutputError when the answer is not JSON", async () => {
    const model = new ScriptedModel([{ text: "Paris, about two million people" }]);
    await expect(generateObject({ model, schema: city, prompt: "?" })).rejects.toThrow(/not valid JSON/);
  });
});
