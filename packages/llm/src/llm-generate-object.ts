import { type JsonSchema, toJsonSchema, type ValidationIssue } from "@agnt5/core";
import type { z } from "zod";
import type { CallOptions, GenerateResult } from "./language-model-v1/language-model-v1.js";
import { LlmStructuredOutputError } from "./language-model-v1/llm-errors.js";
import { type ModelCallSettings, modelCaller } from "./llm-call-settings.js";
import { type PromptOptions, toMessages } from "./llm-prompt.js";

export interface GenerateObjectOptions<S extends z.ZodType>
  extends Omit<ModelCallSettings, "responseFormat">,
    PromptOptions {
  /** What the answer must be; sent to the model as JSON Schema and validated on the way back. */
  schema: S;
  /** A name for the schema (some providers require one; default "response"). */
  schemaName?: string;
  schemaDescription?: string;
}

export interface GenerateObjectResult<T> extends Omit<GenerateResult, "content" | "toolCalls"> {
  /** The answer, parsed and validated with the schema (its output type: defaults and transforms applied). */
  object: T;
}

/**
 * Asks for JSON matching a zod schema and returns the parsed, validated object. An answer that is not
 * JSON, or does not match the schema, throws LlmStructuredOutputError (with `issues` and `text`).
 *
 * @example
 * const { object } = await generateObject({
 *   model: "openai/gpt-4o-mini",
 *   schema: z.object({ city: z.string(), population: z.number() }),
 *   prompt: "The largest city in France?",
 * });
 */
export async function generateObject<S extends z.ZodType>(
  options: GenerateObjectOptions<S>,
): Promise<GenerateObjectResult<z.output<S>>> {
  const callOptions = objectCallOptions(options);
  const call = modelCaller(options.model, options);
  const result = await call((model) => model.generate(callOptions), options.abortSignal);
  return toObjectResult(options.schema, result);
}

/** The CallOptions of a generateObject call: its prompt with a JSON response format carrying the schema. */
export function objectCallOptions<S extends z.ZodType>(options: GenerateObjectOptions<S>): CallOptions {
  const { model, system, prompt, messages, schema, schemaName, schemaDescription, maxRetries, registry, ...settings } =
    options;
  const jsonSchema: JsonSchema = toJsonSchema(schema);
  return {
    ...settings,
    messages: toMessages({ system, prompt, messages }),
    responseFormat: {
      type: "json",
      schema: jsonSchema,
      name: schemaName ?? "response",
      ...(schemaDescription === undefined ? {} : { description: schemaDescription }),
    },
  };
}

/** The GenerateObjectResult of a model's answer (throws LlmStructuredOutputError when it does not fit). */
export function toObjectResult<S extends z.ZodType>(
  schema: S,
  result: GenerateResult,
): GenerateObjectResult<z.output<S>> {
  const { content, toolCalls, ...rest } = result;
  return { ...rest, object: parseStructuredOutput(schema, result.text) };
}

/** Parses the model's JSON (a Markdown code fence around it is tolerated) and validates it. */
export function parseStructuredOutput<S extends z.ZodType>(schema: S, text: string): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(stripCodeFence(text));
  } catch (error) {
    const preview = text.length > 200 ? `${text.slice(0, 200)}...` : text;
    throw new LlmStructuredOutputError(`The model's answer is not valid JSON: ${JSON.stringify(preview)}`, text, {
      cause: error,
    });
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues: ValidationIssue[] = parsed.error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
  const summary = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join("; ");
  throw new LlmStructuredOutputError(`The model's answer does not match the schema: ${summary}`, text, { issues });
}

function stripCodeFence(text: string): string {
  const trimmed = text.trim();
  const fenced = /^```[a-zA-Z]*\s*\n([\s\S]*?)\n?```$/.exec(trimmed);
  return fenced ? fenced[1]! : trimmed;
}
