import { Agnt5Error, type DurableContext, type RetryPolicy, type StepOptions, TerminalError } from "@agnt5/core";
import type { z } from "zod";
import type { CallOptions, GenerateResult, StreamPart } from "./language-model-v1/language-model-v1.js";
import { modelCaller } from "./llm-call-settings.js";
import {
  type GenerateObjectOptions,
  type GenerateObjectResult,
  objectCallOptions,
  parseStructuredOutput,
  toObjectResult,
} from "./llm-generate-object.js";
import { type GenerateTextOptions, type GenerateTextResult, runGenerateText } from "./llm-generate-text.js";
import { modelLabel } from "./llm-model-resolver.js";
import { PartLog } from "./llm-part-log.js";
import { toMessages } from "./llm-prompt.js";
import { withoutRecordedPrompt, withRecordedPrompt } from "./llm-recorded-prompt.js";
import { createStreamTextResult, type StreamTextOptions, type StreamTextResult } from "./llm-stream-text.js";
import { toToolDefinitions } from "./llm-tools.js";

/** How a ctx.llm call is journaled. */
export interface LlmStepOptions {
  /** The step's name (default "llm:<provider>/<model>", e.g. "llm:openai/gpt-4o-mini"). */
  stepName?: string;
  /** The step's retry policy; fields left out come from the component's policy. */
  retry?: Partial<RetryPolicy>;
}

export type LlmGenerateOptions = GenerateTextOptions & LlmStepOptions;
export type LlmGenerateObjectOptions<S extends z.ZodType> = GenerateObjectOptions<S> & LlmStepOptions;
export type LlmStreamOptions = StreamTextOptions & LlmStepOptions;

/**
 * `ctx.llm` in durable handlers: generateText, generateObject and streamText where each model call is
 * a journaled step, so a replay returns the recorded answer without sending the request again.
 *
 * - Retries are the step's: `maxRetries` defaults to 0 here, and a retryable error (429, 5xx,
 *   overloaded) fails the attempt so the step retries it per its policy (honouring retry-after). A
 *   non-retryable one (auth, invalid request, unknown model) fails the step at once. Either way the
 *   handler sees a StepFailedError carrying the error's code (LLM_AUTHENTICATION_ERROR, ...).
 * - The abort signal defaults to ctx.abortSignal.
 * - generate with `maxSteps` > 1 journals each model call ("llm:...") and each tool run ("tool:<name>").
 * - generateObject journals the model's answer and validates it inside the step (an answer that does
 *   not fit the schema is retried like a transient failure), then parses it again on every run.
 * - stream: the first run streams live while the step collects the parts; the step's result is the
 *   parts (consecutive deltas merged), and the returned stream ends once the step is recorded. A
 *   replay streams the recorded parts. A failure before the first part is retried by the step; after
 *   it, the step fails (the parts already passed on cannot be taken back).
 */
export interface LlmContext {
  generate(options: LlmGenerateOptions): Promise<GenerateTextResult>;
  generateObject<S extends z.ZodType>(options: LlmGenerateObjectOptions<S>): Promise<GenerateObjectResult<z.output<S>>>;
  stream(options: LlmStreamOptions): Promise<StreamTextResult>;
}

declare module "@agnt5/core" {
  interface DurableContextExtensions {
    /**
     * LLM calls journaled as steps (@agnt5/llm). The SDK's worker attaches it to every invocation's
     * context; a context from createLocalDurableContext (a handler called directly) has none: use
     * getLlmContext(ctx) there.
     */
    llm: LlmContext;
  }
}

/** What createLlmContext needs of a durable context. */
export type LlmHost = Pick<DurableContext, "step" | "abortSignal">;

/** A ctx.llm for `ctx`: every model call a ctx.step. Works with any DurableContext (engine or local). */
export function createLlmContext(ctx: LlmHost): LlmContext {
  const stepOptions = (retry: Partial<RetryPolicy> | undefined): StepOptions | undefined =>
    retry === undefined ? undefined : { retry };
  const withDefaults = <T extends { abortSignal?: AbortSignal; maxRetries?: number }>(options: T): T => ({
    ...options,
    abortSignal: options.abortSignal ?? ctx.abortSignal,
    maxRetries: options.maxRetries ?? 0,
  });

  return {
    generate({ stepName, retry, ...options }) {
      const request = withDefaults(options);
      const name = stepName ?? `llm:${modelLabel(request.model)}`;
      const call = modelCaller(request.model, request);
      return runGenerateText(request, {
        callModel: (callOptions) =>
          ctx
            .step(
              name,
              async () =>
                withRecordedPrompt(
                  await failForStep(
                    call((model) => model.generate(callOptions), callOptions.abortSignal),
                    callOptions.abortSignal,
                  ),
                  callOptions.messages,
                ),
              stepOptions(retry),
            )
            .then(withoutRecordedPrompt),
        runTool: (toolCall, run) => ctx.step(`tool:${toolCall.toolName}`, run),
      });
    },

    generateObject({ stepName, retry, ...options }) {
      const request = withDefaults(options);
      let callOptions: CallOptions;
      try {
        callOptions = objectCallOptions(request);
      } catch (error) {
        return Promise.reject(error);
      }
      const call = modelCaller(request.model, request);
      const answer = ctx.step(
        stepName ?? `llm:${modelLabel(request.model)}`,
        async () => {
          const result = await failForStep(
            call((model) => model.generate(callOptions), callOptions.abortSignal),
            callOptions.abortSignal,
          );
          parseStructuredOutput(request.schema, result.text);
          return withRecordedPrompt(result, callOptions.messages);
        },
        stepOptions(retry),
      );
      return answer.then((result) => toObjectResult(request.schema, withoutRecordedPrompt<GenerateResult>(result)));
    },

    stream({ stepName, retry, ...options }) {
      const request = withDefaults(options);
      const { model, system, prompt, messages, tools, maxRetries, registry, ...settings } = request;
      let callOptions: CallOptions;
      try {
        callOptions = {
          ...settings,
          messages: toMessages({ system, prompt, messages }),
          ...(tools === undefined ? {} : { tools: toToolDefinitions(tools) ?? [] }),
        };
      } catch (error) {
        return Promise.reject(error);
      }
      const name = stepName ?? `llm:${modelLabel(model)}`;
      const call = modelCaller(model, request);
      const channel = new PartLog();
      let live = false;
      const recorded = ctx.step<{ parts: StreamPart[] }>(
        name,
        async () => {
          live = true;
          const parts: StreamPart[] = [];
          try {
            for await (const part of await call(
              (languageModel) => languageModel.stream(callOptions),
              settings.abortSignal,
            )) {
              if (part.type === "error") throw part.error;
              parts.push(part);
              channel.push(part);
            }
          } catch (error) {
            if (parts.length === 0) throw stepError(error, settings.abortSignal);
            throw interrupted(name, parts.length, error);
          }
          return { parts: coalesce(parts) };
        },
        stepOptions(retry),
      );
      recorded.then(
        ({ parts }) => {
          if (!live) for (const part of parts) channel.push(part);
          channel.end();
        },
        (error: unknown) => channel.fail(error),
      );
      return Promise.resolve(createStreamTextResult(async () => channel, settings.abortSignal));
    },
  };
}

/**
 * Attaches `llm` to a durable context (what the SDK's worker does for every invocation). Returns
 * false when the context already has one or cannot be extended.
 */
export function attachLlmContext(ctx: LlmHost): boolean {
  if ("llm" in ctx || !Object.isExtensible(ctx)) return false;
  Object.defineProperty(ctx, "llm", { value: createLlmContext(ctx), enumerable: false, configurable: true });
  return true;
}

/** ctx.llm when the runtime attached one, else a new one over `ctx` (e.g. a handler called directly). */
export function getLlmContext(ctx: LlmHost): LlmContext {
  const attached = (ctx as { llm?: LlmContext }).llm;
  return attached ?? createLlmContext(ctx);
}

function failForStep<T>(promise: Promise<T>, abortSignal?: AbortSignal): Promise<T> {
  return promise.catch((error: unknown) => {
    throw stepError(error, abortSignal);
  });
}

/**
 * The error a step attempt fails with: the abort reason as it is; an error the provider marked
 * non-retryable (auth, invalid request) or an unknown model as a TerminalError with its code, so the
 * step does not retry what cannot succeed; anything else as it is, for the step's policy to retry.
 */
function stepError(error: unknown, abortSignal: AbortSignal | undefined): unknown {
  if (abortSignal?.aborted) return abortSignal.reason;
  if (!Agnt5Error.isInstance(error) || TerminalError.isInstance(error)) return error;
  const nonRetryable = (error as { isRetryable?: unknown }).isRetryable === false;
  if (!nonRetryable && error.code !== "LLM_NO_SUCH_MODEL") return error;
  return new TerminalError(error.message, { code: error.code, cause: error, details: error.details });
}

function interrupted(step: string, count: number, error: unknown): TerminalError {
  const message = error instanceof Error ? error.message : String(error);
  const code = Agnt5Error.isInstance(error) ? error.code : "LLM_STREAM_INTERRUPTED";
  return new TerminalError(`The stream of "${step}" failed after ${count} parts: ${message}`, { code, cause: error });
}

/** The parts with consecutive text deltas (and argument deltas of one tool call) merged. */
function coalesce(parts: StreamPart[]): StreamPart[] {
  const merged: StreamPart[] = [];
  for (const part of parts) {
    const last = merged[merged.length - 1];
    if (part.type === "text-delta" && last?.type === "text-delta") {
      merged[merged.length - 1] = { type: "text-delta", delta: last.delta + part.delta };
    } else if (
      part.type === "tool-call-delta" &&
      last?.type === "tool-call-delta" &&
      last.toolCallId === part.toolCallId
    ) {
      merged[merged.length - 1] = { ...last, argumentsDelta: last.argumentsDelta + part.argumentsDelta };
    } else {
      merged.push(part);
    }
  }
  return merged;
}
