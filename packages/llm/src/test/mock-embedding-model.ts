import type { EmbeddingModelV1, EmbedOptions, EmbedResult } from "../language-model-v1/language-model-v1.js";

export interface MockEmbeddingModelOptions {
  provider?: string;
  modelId?: string;
  /** Length of the default embeddings (default 8). */
  dimensions?: number;
  maxValuesPerCall?: number;
  /** How a value is embedded (default: a deterministic unit vector derived from its characters). */
  embedValue?: (value: string) => number[];
  /** Thrown by the first calls, one each, in order (e.g. a retryable LlmApiError to test retries). */
  errors?: unknown[];
}

/** An EmbeddingModelV1 for tests: deterministic embeddings, recorded calls, optional failures first. */
export class MockEmbeddingModel implements EmbeddingModelV1 {
  readonly specificationVersion = "v1";
  readonly provider: string;
  readonly modelId: string;
  readonly maxValuesPerCall: number | undefined;
  /** Every call received, in order. */
  readonly calls: EmbedOptions[] = [];
  readonly #dimensions: number;
  readonly #embedValue: ((value: string) => number[]) | undefined;
  readonly #errors: unknown[];

  constructor(options: MockEmbeddingModelOptions = {}) {
    this.provider = options.provider ?? "mock";
    this.modelId = options.modelId ?? "mock-embedding";
    this.maxValuesPerCall = options.maxValuesPerCall;
    this.#dimensions = options.dimensions ?? 8;
    this.#embedValue = options.embedValue;
    this.#errors = [...(options.errors ?? [])];
  }

  async embed(options: EmbedOptions): Promise<EmbedResult> {
    this.calls.push(options);
    if (options.abortSignal?.aborted) throw options.abortSignal.reason;
    if (this.#errors.length > 0) throw this.#errors.shift();
    if (this.maxValuesPerCall !== undefined && options.values.length > this.maxValuesPerCall) {
      throw new Error(`MockEmbeddingModel: ${options.values.length} values in one call (max ${this.maxValuesPerCall})`);
    }
    const embed = this.#embedValue ?? ((value: string) => hashEmbedding(value, this.#dimensions));
    return {
      embeddings: options.values.map(embed),
      usage: { inputTokens: options.values.reduce((sum, value) => sum + value.split(/\s+/).filter(Boolean).length, 0) },
    };
  }
}

/** A unit vector that depends only on the value. */
function hashEmbedding(value: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (let index = 0; index < value.length; index++) {
    const slot = (value.charCodeAt(index) * 31 + index) % dimensions;
    vector[slot] = (vector[slot] ?? 0) + 1;
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((component) => component / norm);
}
