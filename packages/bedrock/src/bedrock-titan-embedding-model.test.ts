import { LlmApiError } from "@agnt5/llm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type BedrockTestServer, startBedrockTestServer } from "./test-support/bedrock-test-server.js";
import { readFixture } from "./test-support/fixtures.js";
import { createTestBedrock } from "./test-support/test-provider.js";

const TITAN = "amazon.titan-embed-text-v2:0";

let server: BedrockTestServer;
beforeAll(async () => {
  server = await startBedrockTestServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

const titanResponse = (first: number, tokens = 7) => {
  const fixture = readFixture<{
    embedding: number[];
    embeddingsByType: { float: number[] };
    inputTextTokenCount: number;
  }>("titan-embed-text-v2.json");
  const embedding = [first, ...fixture.embedding.slice(1)];
  return {
    type: "json" as const,
    body: { embedding, embeddingsByType: { float: embedding }, inputTextTokenCount: tokens },
  };
};

describe("BedrockTitanEmbeddingModel", () => {
  it("should embed one value per InvokeModel call with dimensions and normalize", async () => {
    server.enqueue(titanResponse(0.5));
    const model = createTestBedrock(server).embeddingModel(TITAN);
    const result = await model.embed({
      values: ["The quick brown fox"],
      dimensions: 256,
      providerOptions: { bedrock: { normalize: true } },
    });

    expect(model).toMatchObject({
      specificationVersion: "v1",
      provider: "bedrock",
      modelId: TITAN,
      maxValuesPerCall: 1,
    });
    expect(server.requests[0]).toMatchObject({ operation: "invoke", modelId: TITAN });
    expect(server.requests[0]!.headers["content-type"]).toBe("application/json");
    expect(server.requests[0]!.headers.accept).toBe("application/json");
    expect(server.requests[0]!.body).toEqual({ inputText: "The quick brown fox", dimensions: 256, normalize: true });
    expect(result.embeddings).toHaveLength(1);
    expect(result.embeddings[0]).toHaveLength(256);
    expect(result.embeddings[0]![0]).toBe(0.5);
    expect(result.usage).toEqual({ inputTokens: 7 });
  });

  it("should send one request per value and keep the input order", async () => {
    server.enqueue(titanResponse(0.1, 3), titanResponse(0.2, 4), titanResponse(0.3, 5));
    const result = await createTestBedrock(server)
      .embeddingModel(TITAN)
      .embed({ values: ["a", "b", "c"] });

    expect(server.requests.map((request) => request.body)).toEqual(
      expect.arrayContaining([{ inputText: "a" }, { inputText: "b" }, { inputText: "c" }]),
    );
    // Each reply went to the request that took it; requests were made in input order.
    const byInput = new Map(server.requests.map((request, index) => [request.body.inputText, [0.1, 0.2, 0.3][index]]));
    expect(result.embeddings.map((embedding) => embedding[0])).toEqual([
      byInput.get("a"),
      byInput.get("b"),
      byInput.get("c"),
    ]);
    expect(result.usage).toEqual({ inputTokens: 12 });
  });

  it("should map a ValidationException to a non-retryable LlmApiError", async () => {
    server.enqueue({
      type: "error",
      status: 400,
      errorType: "ValidationException",
      message:
        "Malformed input request: #/dimensions: 300 is not a valid enum value, please reformat your input and try again.",
    });
    const error = await createTestBedrock(server)
      .embeddingModel(TITAN)
      .embed({ values: ["x"], dimensions: 300 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LlmApiError);
    expect(error).toMatchObject({
      statusCode: 400,
      isRetryable: false,
      url: "/model/amazon.titan-embed-text-v2%3A0/invoke",
    });
  });

  it("should return nothing for no values without a request", async () => {
    expect(await createTestBedrock(server).embeddingModel(TITAN).embed({ values: [] })).toEqual({
      embeddings: [],
      usage: { inputTokens: 0 },
    });
    expect(server.requests).toHaveLength(0);
  });
});
