import type {
  CallOptions,
  FinishReason,
  StreamPart,
  ToolCall,
  ToolChoice,
  Usage,
} from "./language-model-v1/language-model-v1.js";
import { type ModelCallSettings, modelCaller } from "./llm-call-settings.js";
import { PartLog } from "./llm-part-log.js";
import { type PromptOptions, toMessages } from "./llm-prompt.js";
import { type ToolsOption, toToolDefinitions } from "./llm-tools.js";
import { emptyUsage } from "./llm-usage.js";

export interface StreamTextOptions extends ModelCallSettings, PromptOptions {
  tools?: ToolsOption;
  toolChoice?: ToolChoice;
}

/**
 * A streaming answer. `parts` (and `textStream`) can be iterated any number of times, each from the
 * start; the stream is read once, as soon as the call is made. A failure (before or after the first
 * part) arrives as an `error` part, ends `parts`, is thrown by `textStream`, and rejects the promises.
 */
export interface StreamTextResult {
  /** Every normalized part, an `error` part last when the stream failed. */
  parts: AsyncIterable<StreamPart>;
  /** The text deltas. */
  textStream: AsyncIterable<string>;
  text: Promise<string>;
  usage: Promise<Usage>;
  finishReason: Promise<FinishReason>;
  toolCalls: Promise<ToolCall[]>;
}

/**
 * Streams text (and tool calls). Retryable errors are retried (with backoff and retry-after) before
 * the first part only; nothing is retried once parts have arrived.
 *
 * @example
 * const result = streamText({ model: "anthropic/claude-sonnet-4-5", prompt: "Write a haiku" });
 * for await (const delta of result.textStream) process.stdout.write(delta);
 * console.log(await result.usage);
 */
export function streamText(options: StreamTextOptions): StreamTextResult {
  const { model, system, prompt, messages, tools, maxRetries, registry, ...settings } = options;
  const callOptions: CallOptions = {
    ...settings,
    messages: toMessages({ system, prompt, messages }),
    ...(tools === undefined ? {} : { tools: toToolDefinitions(tools) ?? [] }),
  };
  const call = modelCaller(model, options);
  return createStreamTextResult(
    () => call((languageModel) => languageModel.stream(callOptions), settings.abortSignal),
    settings.abortSignal,
  );
}

/** A StreamTextResult over the parts `open` yields; read at once, and stopped when `abortSignal` aborts. */
export function createStreamTextResult(
  open: () => Promise<AsyncIterable<StreamPart>>,
  abortSignal?: AbortSignal,
): StreamTextResult {
  const log = new PartLog();
  const text = deferred<string>();
  const usage = deferred<Usage>();
  const finishReason = deferred<FinishReason>();
  const toolCalls = deferred<ToolCall[]>();

  const settle = (error: { value: unknown } | undefined) => {
    if (error) {
      for (const promise of [text, usage, finishReason, toolCalls]) promise.reject(error.value);
      return;
    }
    let finish: Extract<StreamPart, { type: "finish" }> | undefined;
    let lastUsage: Usage | undefined;
    const calls: ToolCall[] = [];
    let joined = "";
    for (const part of log.parts) {
      if (part.type === "text-delta") joined += part.delta;
      else if (part.type === "tool-call-end") {
        calls.push({ toolCallId: part.toolCallId, toolName: part.toolName, input: part.input });
      } else if (part.type === "usage") lastUsage = part.usage;
      else if (part.type === "finish") finish = part;
    }
    text.resolve(joined);
    usage.resolve(finish?.usage ?? lastUsage ?? emptyUsage());
    finishReason.resolve(finish?.finishReason ?? "other");
    toolCalls.resolve(calls);
  };

  const pump = async () => {
    try {
      const source = await open();
      for await (const part of source) {
        if (abortSignal?.aborted) throw abortSignal.reason;
        log.push(part);
        if (part.type === "error") {
          log.end();
          settle({ value: part.error });
          return;
        }
      }
      if (abortSignal?.aborted) throw abortSignal.reason;
      log.end();
      settle(undefined);
    } catch (error) {
      log.push({ type: "error", error });
      log.end();
      settle({ value: error });
    }
  };
  void pump();

  return {
    parts: { [Symbol.asyncIterator]: () => log.read() },
    textStream: {
      async *[Symbol.asyncIterator]() {
        for await (const part of log.read()) {
          if (part.type === "text-delta") yield part.delta;
          else if (part.type === "error") throw part.error;
        }
      },
    },
    text: text.promise,
    usage: usage.promise,
    finishReason: finishReason.promise,
    toolCalls: toolCalls.promise,
  };
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** A promise settled from outside; its rejection is never reported as unhandled (the parts carry it too). */
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}
