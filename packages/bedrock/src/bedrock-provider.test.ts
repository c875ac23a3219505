import { type ProviderFactory, resolveLanguageModel } from "@agnt5/llm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { agnt5Providers, bedrock, createBedrock } from "./index.js";
import { type BedrockTestServer, startBedrockTestServer } from "./test-support/bedrock-test-server.js";
import { readFixture } from "./test-support/fixtures.js";
import { createTestBedrock, TEST_CREDENTIALS } from "./test-support/test-provider.js";

const NOVA = "us.amazon.nova-lite-v1:0";
const hi = { messages: [{ role: "user" as const, content: "hi" }] };

let server: BedrockTestServer;
beforeAll(async () => {
  server = await startBedrockTestServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  // Nothing from the developer's shell or ~/.aws may leak into these tests.
  for (const name of [
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_BEARER_TOKEN_BEDROCK",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
  ]) {
    vi.stubEnv(name, undefined);
  }
  vi.stubEnv("AWS_CONFIG_FILE", "/nonexistent/aws-config");
  vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials");
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe("createBedrock", () => {
  it("should export the resolver convention", () => {
    const factory: ProviderFactory = agnt5Providers.bedrock;
    expect(factory).toBe(createBedrock);
    const provider = factory({ region: "us-east-1" });
    expect(provider.name).toBe("bedrock");
    expect(provider.languageModel(NOVA)).toMatchObject({ provider: "bedrock", modelId: NOVA });
    expect(provider.embeddingModel?.("amazon.titan-embed-text-v2:0")).toMatchObject({ maxValuesPerCall: 1 });
  });

  it("should serve bedrock/... model strings through @agnt5/llm once the package is imported", async () => {
    server.enqueue({ type: "json", body: readFixture("converse-text.json") });
    const model = await resolveLanguageModel(`bedrock/${NOVA}`, {
      region: "us-east-1",
      endpoint: server.url,
      credentials: TEST_CREDENTIALS,
    });
    const result = await model.generate(hi);
    expect(result.text.length).toBeGreaterThan(0);
    expect(server.requests).toHaveLength(1);
  });

  it("should read the region from AWS_DEFAULT_REGION and credentials from the environment on first use", async () => {
    const provider = createBedrock({ endpoint: server.url });
    vi.stubEnv("AWS_DEFAULT_REGION", "ap-south-1");
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIDFROMENVIRONMENT1");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "secret-from-env");
    vi.stubEnv("AWS_SESSION_TOKEN", "session-token-from-env");
    server.enqueue({ type: "json", body: readFixture("converse-text.json") });
    await provider.languageModel(NOVA).generate(hi);

    const { headers } = server.requests[0]!;
    expect(String(headers.authorization)).toMatch(
      /Credential=AKIDFROMENVIRONMENT1\/\d{8}\/ap-south-1\/bedrock\/aws4_request/,
    );
    expect(headers["x-amz-security-token"]).toBe("session-token-from-env");
  });

  it("should prefer AWS_REGION and an explicit region over it", async () => {
    vi.stubEnv("AWS_REGION", "eu-west-3");
    vi.stubEnv("AWS_DEFAULT_REGION", "ap-south-1");
    expect(await createBedrock({ credentials: TEST_CREDENTIALS }).client().config.region()).toBe("eu-west-3");
    expect(await createBedrock({ region: "us-west-2" }).client().config.region()).toBe("us-west-2");
  });

  it("should send a Bedrock API key as a bearer token instead of signing", async () => {
    server.enqueue({ type: "json", body: readFixture("converse-text.json") });
    await createBedrock({ region: "us-east-1", apiKey: "bedrock-api-key-123", baseURL: server.url })
      .languageModel(NOVA)
      .generate(hi);
    expect(server.requests[0]!.headers.authorization).toBe("Bearer bedrock-api-key-123");
  });

  it("should name the provider and read providerOptions under that name", async () => {
    server.enqueue({ type: "json", body: readFixture("converse-text.json") });
    const model = createTestBedrock(server, { name: "bedrock-eu" }).languageModel(NOVA);
    await model.generate({
      ...hi,
      providerOptions: {
        bedrock: { requestMetadata: { from: "bedrock" }, additionalModelRequestFields: { top_k: 5 } },
        "bedrock-eu": { requestMetadata: { from: "bedrock-eu" } },
      },
    });
    expect(model.provider).toBe("bedrock-eu");
    expect(server.requests[0]!.body).toMatchObject({
      requestMetadata: { from: "bedrock-eu" },
      additionalModelRequestFields: { top_k: 5 },
    });
  });

  it("should report missing credentials as a non-retryable authentication error", async () => {
    // No keys, no profile files, no container role; and no instance metadata service to ask.
    vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true");
    const error = await createBedrock({ region: "us-east-1", endpoint: server.url })
      .languageModel(NOVA)
      .generate(hi)
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: "LlmApiError", isRetryable: false, code: "LLM_AUTHENTICATION_ERROR" });
    expect(server.requests).toHaveLength(0);
  });
});

describe("bedrock (default provider)", () => {
  it("should read nothing until it is used", async () => {
    // The module was imported above, before any of these variables existed.
    vi.stubEnv("AWS_REGION", "eu-north-1");
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIDDEFAULTPROVIDER1");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "secret");
    const model = bedrock.languageModel(NOVA);
    expect(model).toMatchObject({ provider: "bedrock", modelId: NOVA });
    expect(bedrock.name).toBe("bedrock");
    expect(await bedrock.client().config.region()).toBe("eu-north-1");
    expect(await bedrock.client().config.credentials()).toMatchObject({ accessKeyId: "AKIDDEFAULTPROVIDER1" });
  });
});
