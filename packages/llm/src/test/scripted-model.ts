import type {
  CallOptions,
  GenerateResult,
  LanguageModelV1,
  Message,
  StreamPart,
} from "../language-model-v1/language-model-v1.js";
import { ScriptedModelError } from "./scripted-model-error.js";
import { isScriptedResponse, type ScriptedResponse, toGenerateResult, toStreamParts } from "./scripted-response.js";

export type ScriptedMethod = "generate" | "stream";

/** One expected call: its response, and optionally what the request must look like. */
export interface ScriptedCall {
  response: ScriptedResponse;
  /** The method this call must use (default: either). */
  method?: ScriptedMethod;
  /** Checks the request: throw (e.g. an assertion) or return false to reject it. */
  expect?: (request: CallOptions, call: { number: number; method: ScriptedMethod }) => unknown;
}

/** A call the model received. */
export interface RecordedCall {
  /** 1-based. */
  number: number;
  method: ScriptedMethod;
  request: CallOptions;
}

export interface ScriptedModelOptions {
  provider?: string;
  modelId?: string;
}

/**
 * A LanguageModelV1 for tests that answers from a script, one entry per expected call, in order. A
 * call beyond the script, or one whose request the entry's `expect` rejects, throws a
 * ScriptedModelError naming the call; assertAllCallsUsed() fails when scripted calls were left over
 * (or a mismatch was swallowed by the code under test). No test framework needed.
 *
 * @example
 * const model = new ScriptedModel([
 *   { response: { toolCalls: [{ toolName: "weather", input: { city: "Paris" } }] } },
 *   { text: "Sunny in Paris" },
 * ]);
 * await generateText({ model, prompt: "Weather in Paris?", tools, maxSteps: 2 });
 * model.assertAllCallsUsed();
 */
export class ScriptedModel implements LanguageModelV1 {
  readonly specificationVersion = "v1";
  readonly provider: string;
  readonly modelId: string;
  /** Every call received, in order (including rejected ones). */
  readonly calls: RecordedCall[] = [];
  readonly #script: ScriptedCall[];
  readonly #failures: string[] = [];

  constructor(script: ReadonlyArray<ScriptedCall | ScriptedResponse>, options: ScriptedModelOptions = {}) {
    this.provider = options.provider ?? "scripted";
    this.modelId = options.modelId ?? "scripted-model";
    this.#script = script.map((entry) => (isScriptedResponse(entry) ? { response: entry } : entry));
  }

  /** Scripted calls not made yet. */
  get remainingCalls(): number {
    return Math.max(0, this.#script.length - this.calls.length);
  }

  async generate(options: CallOptions): Promise<GenerateResult> {
    const { number, response } = this.#next("generate", options);
    return toGenerateResult(response, number);
  }

  async stream(options: CallOptions): Promise<AsyncIterable<StreamPart>> {
    const { number, response } = this.#next("stream", options);
    if ("error" in response && !("parts" in response)) throw response.error;
    const { parts, error } = toStreamParts(response, number);
    const signal = options.abortSignal;
    return {
      async *[Symbol.asyncIterator]() {
        for (const part of parts) {
          if (signal?.aborted) throw signal.reason;
          yield part;
        }
        if (error) throw error.value;
      },
    };
  }

  /** Throws when scripted calls were not made, or when a call did not match its script. */
  assertAllCallsUsed(): void {
    const problems = [...this.#failures];
    const left = this.#script.length - this.calls.length;
    if (left > 0) {
      const numbers = Array.from({ length: left }, (_, index) => `#${this.calls.length + index + 1}`);
      problems.push(`${left} scripted call(s) were not made (${numbers.join(", ")}); ${this.calls.length} were`);
    }
    if (problems.length > 0) throw new ScriptedModelError(`${this.#label()}: ${problems.join("; ")}`);
  }

  #next(method: ScriptedMethod, request: CallOptions): { number: number; response: ScriptedResponse } {
    if (request.abortSignal?.aborted) throw request.abortSignal.reason;
    const number = this.calls.length + 1;
    this.calls.push({ number, method, request });
    const entry = this.#script[number - 1];
    if (entry === undefined) {
      return this.#fail(
        `unexpected call #${number} (${method}): the script has ${this.#script.length} call(s). ${describe(request)}`,
      );
    }
    if (entry.method !== undefined && entry.method !== method) {
      return this.#fail(`call #${number} was scripted as ${entry.method}() but ${method}() was called`);
    }
    if (entry.expect) {
      let verdict: unknown;
      try {
        verdict = entry.expect(request, { number, method });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return this.#fail(`call #${number} (${method}) does not match its script: ${reason}. ${describe(request)}`);
      }
      if (verdict === false) {
        return this.#fail(
          `call #${number} (${method}) does not match its script (expect returned false). ${describe(request)}`,
        );
      }
    }
    return { number, response: entry.response };
  }

  #fail(problem: string): never {
    this.#failures.push(problem);
    throw new ScriptedModelError(`${this.#label()}: ${problem}`);
  }

  #label(): string {
    return `ScriptedModel ${this.provider}/${this.modelId}`;
  }
}

/** The request in a line: its last message. */
function describe(request: CallOptions): string {
  const last: Message | undefined = request.messages[request.messages.length - 1];
  if (!last) return "The request has no messages.";
  const content = typeof last.content === "string" ? last.content : JSON.stringify(last.content);
  const preview = content.length > 120 ? `${content.slice(0, 120)}...` : content;
  return `Last message (${last.role}): ${JSON.stringify(preview)}`;
}
