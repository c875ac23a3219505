import { TerminalError } from "@agnt5/core";
import { type EmbeddingModel, embed, type ProviderRegistry } from "@agnt5/llm";

/** How a backend turns text into vectors: any @agnt5/llm embedding model (a "provider/model" string or an EmbeddingModelV1). */
export interface MemoryEmbedding {
  model: EmbeddingModel;
  /** Where a model string is resolved (default: @agnt5/llm's default registry). */
  registry?: ProviderRegistry;
}

/** Embeds `texts` in order (batched by the model's maxValuesPerCall, retried on retryable errors). */
export async function embedTexts(embedding: MemoryEmbedding, texts: readonly string[]): Promise<number[][]> {
  if (texts.length === 0) return [];
  const { embeddings } = await embed({
    model: embedding.model,
    values: [...texts],
    ...(embedding.registry === undefined ? {} : { registry: embedding.registry }),
  });
  if (embeddings.length !== texts.length) {
    throw new TerminalError(`The embedding model returned ${embeddings.length} embeddings for ${texts.length} texts`, {
      code: "EMBEDDING_FAILED",
    });
  }
  return embeddings;
}

export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) {
    throw new TerminalError(
      `Embeddings of different dimensions (${a.length} and ${b.length}): the embedding model changed since these memories were stored`,
      { code: "EMBEDDING_DIMENSION_MISMATCH" },
    );
  }
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

// Words too common to say anything about what a memory is about.
const STOP_WORDS = new Set(
  "a an and are as at be by does for from has have how i in is it its me my of on or that the this to was what when where which who why with you your do".split(
    " ",
  ),
);

/** Lower-cased words of two letters or more, stop words left out. */
export function keywords(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]{2,}/gu) ?? []).filter((word) => !STOP_WORDS.has(word));
}

/**
 * Keyword score when there is no embedding model: the share of the query's distinct words found in the
 * memory (its content and its metadata's text values), a word also counting when one is a prefix of
 * the other of at least four letters ("database" and "databases").
 */
export function keywordScore(query: readonly string[], document: readonly string[]): number {
  const wanted = [...new Set(query)];
  if (wanted.length === 0) return 0;
  const words = new Set(document);
  let found = 0;
  for (const word of wanted) {
    if (words.has(word)) found++;
    else if (word.length >= 4 && [...words].some((w) => w.length >= 4 && (w.startsWith(word) || word.startsWith(w))))
      found++;
  }
  return found / wanted.length;
}
