import { LlmApiError, LlmResponseError } from "@agnt5/llm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createOpenAI } from "./openai-provider.js";
import { jsonFixture, type OpenAITestServer, startOpenAITestServer } from "./test-support/openai-test-server.js";

let server: OpenAITestServer;

beforeAll(async () => {
  server = await startOpenAITestServer();
});
afterEach(() => server.reset());
afterAll(async () => {
  await server.close();
});

function embeddingModel() {
  return createOpenAI({ apiKey: "sk-test", baseURL: `${server.url}/v1` }).embeddingModel("text-embedding-3-small");
}

describe("OpenAIEmbeddingModel", () => {
  it("should describe itself", () => {
    const model = embeddingModel();
    expect(model).toMatchObject({
      specificationVersion: "v1",
      provider: "openai",
      modelId: "text-embedding-3-small",
      maxValuesPerCall: 2048,
    });
  });

  it("should embed values in input order with usage, sending dimensions and float encoding", async () => {
    server.enqueue({ type: "json", body: jsonFixture("embeddings.json") });

    const result = await embeddingModel().embed({
      values: ["sunny day", "rainy night"],
      dimensions: 4,
      headers: { "x-trace-id": "t-1" },
    });

    expect(result).toEqual({
      embeddings: [
        [-0.0061, 0.0234, -0.0345, 0.0456],
        [0.0123, -0.0456, 0.0789, -0.0012],
      ],
      usage: { inputTokens: 8 },
    });
    const [request] = server.requests;
    expect(request?.path).toBe("/v1/embeddings");
    expect(request?.headers["x-trace-id"]).toBe("t-1");
    expect(request?.body).toEqual({
      model: "text-embedding-3-small",
      input: ["sunny day", "rainy night"],
      encoding_format: "float",
      dimensions: 4,
    });
  });

  it("should refuse more than maxValuesPerCall values without a request", async () => {
    const values = Array.from({ length: 2049 }, (_, index) => `v${index}`);
    await expect(embeddingModel().embed({ values })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(server.requests).toHaveLength(0);
  });

  it("should reject a response with the wrong number of embeddings", async () => {
    server.enqueue({ type: "json", body: jsonFixture("embeddings.json") });
    await expect(embeddingModel().embed({ values: ["only one"] })).rejects.toBeInstanceOf(LlmResponseError);
  });

  it("should map HTTP errors to LlmApiError", async () => {
    server.enqueue({ type: "json", status: 429, headers: { "retry-after": "1" }, body: jsonFixture("error-429.json") });
    const error = await embeddingModel()
      .embed({ values: ["x"] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LlmApiError);
    expect(error).toMatchObject({ statusCode: 429, retryAfterMs: 1000, url: `${server.url}/v1/embeddings` });
  });
});
