import type { CallOptions, GenerateResult, LanguageModelV1, StreamPart } from "@agnt5/llm";

/**
 * A deterministic stand-in for an LLM so the example runs without an API key: it "synthesizes"
 * by quoting the last user message. Set AGNT5_EXAMPLE_MODEL (e.g. "openai/gpt-4o-mini") to use a
 * real model instead; install its adapter (@agnt5/openai), load it (`node --import @agnt5/openai ...`,
 * which registers its providers) and set its API key.
 */
export class OfflineModel implements LanguageModelV1 {
  readonly specificationVersion = "v1";
  readonly provider = "offline";
  readonly modelId = "quote-last-message";

  async generate(options: CallOptions): Promise<GenerateResult> {
    const last = [...options.messages].reverse().find((message) => message.role === "user");
    const text = `Summary: ${typeof last?.content === "string" ? last.content : JSON.stringify(last?.content ?? "")}`;
    return {
      text,
      content: [{ type: "text", text }],
      toolCalls: [],
      finishReason: "stop",
      usage: {
        inputTokens: text.length,
        outputTokens: text.length,
        cachedInputTokens: 0,
        totalTokens: 2 * text.length,
      },
    };
  }

  async stream(options: CallOptions): Promise<AsyncIterable<StreamPart>> {
    const result = await this.generate(options);
    return (async function* () {
      yield { type: "text-delta", delta: result.text } as const;
      yield { type: "finish", finishReason: "stop", usage: result.usage } as const;
    })();
  }
}

export const exampleModel: LanguageModelV1 | string = process.env.AGNT5_EXAMPLE_MODEL ?? new OfflineModel();
