import { MockEmbeddingModel } from "@agnt5/llm/test";

/**
 * A deterministic embedding model that maps text to fixed vectors: one dimension per topic, counting
 * the topic's words in the text (plus a small constant, so no vector is zero). Texts about the same
 * topic are near each other; the nearest memory to a query is known in advance.
 */
export const TOPICS: Record<string, string[]> = {
  databases: ["database", "databases", "postgresql", "sql", "redis", "transactional", "query", "queries"],
  ml: ["machine", "learning", "nlp", "pytorch", "tensorflow", "attention", "transformer", "ml"],
  frontend: ["react", "typescript", "component", "components", "css"],
  food: ["pizza", "pasta", "vegetarian", "lunch"],
};

export function topicEmbeddingModel(): MockEmbeddingModel {
  return new MockEmbeddingModel({
    dimensions: Object.keys(TOPICS).length + 1,
    embedValue: (text) => {
      const words = text.toLowerCase().match(/[a-z]+/g) ?? [];
      return [...Object.values(TOPICS).map((topic) => words.filter((word) => topic.includes(word)).length), 0.01];
    },
  });
}
