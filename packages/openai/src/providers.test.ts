import { TerminalError } from "@agnt5/core";
import { resolveLanguageModel } from "@agnt5/llm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { agnt5Providers } from "./agnt5-providers.js";
import { createAzureOpenAI } from "./azure-openai-provider.js";
import { createGroq } from "./groq-provider.js";
import { createOpenAICompatible } from "./openai-compatible-provider.js";
import { createOpenAI, openai } from "./openai-provider.js";
import { createOpenRouter } from "./openrouter-provider.js";
import {
  jsonFixture,
  type OpenAITestServer,
  redirectingFetch,
  startOpenAITestServer,
} from "./test-support/openai-test-server.js";

const ENV_VARS = [
  "OPENAI_API_KEY",
  "OPENAI_BASE_URL",
  "OPENAI_ORG_ID",
  "OPENAI_PROJECT_ID",
  "GROQ_API_KEY",
  "OPENROUTER_API_KEY",
  "AZURE_OPENAI_API_KEY",
  "AZURE_OPENAI_ENDPOINT",
  "AZURE_OPENAI_API_VERSION",
  "OPENAI_API_VERSION",
  "OPENAI_COMPATIBLE_BASE_URL",
  "OPENAI_COMPATIBLE_API_KEY",
];

let server: OpenAITestServer;
let intendedUrls: string[];

beforeAll(async () => {
  server = await startOpenAITestServer();
});
beforeEach(() => {
  // Whatever the machine has set must neither leak into requests nor send a test to a real provider.
  for (const name of ENV_VARS) vi.stubEnv(name, "");
  intendedUrls = [];
});
afterEach(() => {
  vi.unstubAllEnvs();
  server.reset();
});
afterAll(async () => {
  await server.close();
});

const hello = { messages: [{ role: "user" as const, content: "Hello" }] };

function answer(): void {
  server.enqueue({ type: "json", body: jsonFixture("chat-completion-text.json") });
}

async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}

describe("configuration is read lazily", () => {
  it("should read no provider env var when the package is imported or providers are created", async () => {
    const reads: string[] = [];
    const originalEnv = process.env;
    process.env = new Proxy(originalEnv, {
      get(target, key, receiver) {
        if (typeof key === "string") reads.push(key);
        return Reflect.get(target, key, receiver);
      },
    });
    try {
      vi.resetModules();
      const module = await import("./index.js");
      module.openai.languageModel("gpt-4.1-mini");
      module.groq.languageModel("llama-3.3-70b-versatile");
      module.azure.languageModel("deployment");
      for (const factory of Object.values(module.agnt5Providers)) factory().languageModel("m");
    } finally {
      process.env = originalEnv;
    }
    expect(reads.filter((name) => /OPENAI|GROQ|OPENROUTER|AZURE/.test(name))).toEqual([]);
  });

  it("should read OPENAI_API_KEY and OPENAI_BASE_URL at the first call of the default instance", async () => {
    vi.stubEnv("OPENAI_API_KEY", "sk-from-env");
    vi.stubEnv("OPENAI_BASE_URL", `${server.url}/env/v1`);
    answer();

    const result = await openai.languageModel("gpt-4.1-mini").generate(hello);

    expect(result.text).toBe("Hello! How can I help you today?");
    expect(server.requests[0]?.path).toBe("/env/v1/chat/completions");
    expect(server.requests[0]?.headers.authorization).toBe("Bearer sk-from-env");
  });

  it("should let explicit settings beat env vars", async () => {
    vi.stubEnv("OPENAI_API_KEY", "sk-from-env");
    vi.stubEnv("OPENAI_BASE_URL", "http://127.0.0.1:9/never");
    answer();

    await createOpenAI({ apiKey: "sk-explicit", baseURL: `${server.url}/v1`, organization: "org-1", project: "proj-1" })
      .languageModel("gpt-4.1-mini")
      .generate(hello);

    expect(server.requests[0]?.headers).toMatchObject({
      authorization: "Bearer sk-explicit",
      "openai-organization": "org-1",
      "openai-project": "proj-1",
    });
  });

  it("should fail at call time with an error naming the env var when the key is missing, then pick it up once set", async () => {
    const model = createOpenAI({ baseURL: `${server.url}/v1` }).languageModel("gpt-4.1-mini");

    const error = await rejection(model.generate(hello));

    expect(TerminalError.isInstance(error)).toBe(true);
    expect(error.code).toBe("LLM_MISSING_API_KEY");
    expect(error.message).toContain("OPENAI_API_KEY");
    expect(server.requests).toHaveLength(0);

    vi.stubEnv("OPENAI_API_KEY", "sk-late");
    answer();
    await model.generate(hello);
    expect(server.requests[0]?.headers.authorization).toBe("Bearer sk-late");
  });

  it.each([
    ["createGroq", () => createGroq().languageModel("m"), "GROQ_API_KEY"],
    ["createOpenRouter", () => createOpenRouter().languageModel("m"), "OPENROUTER_API_KEY"],
    [
      "createAzureOpenAI",
      () => createAzureOpenAI({ endpoint: "https://x.openai.azure.com" }).languageModel("d"),
      "AZURE_OPENAI_API_KEY",
    ],
    [
      "createAzureOpenAI (endpoint)",
      () => createAzureOpenAI({ apiKey: "k" }).languageModel("d"),
      "AZURE_OPENAI_ENDPOINT",
    ],
    ["createOpenAICompatible", () => createOpenAICompatible().languageModel("m"), "OPENAI_COMPATIBLE_BASE_URL"],
  ])("%s: should name %s when it is missing", async (_name, create, envVar) => {
    const error = await rejection(create().stream(hello));
    expect(TerminalError.isInstance(error)).toBe(true);
    expect(error.message).toContain(envVar);
  });
});

describe("Groq", () => {
  it("should call https://api.groq.com/openai/v1 with GROQ_API_KEY and no OpenAI org headers", async () => {
    vi.stubEnv("GROQ_API_KEY", "gsk-env");
    vi.stubEnv("OPENAI_ORG_ID", "org-must-not-leak");
    answer();
    const groq = createGroq({ fetch: redirectingFetch(server, intendedUrls) });

    const model = groq.languageModel("llama-3.3-70b-versatile");
    await model.generate({ ...hello, maxOutputTokens: 10 });

    expect(model.provider).toBe("groq");
    expect(intendedUrls).toEqual(["https://api.groq.com/openai/v1/chat/completions"]);
    expect(server.requests[0]?.headers.authorization).toBe("Bearer gsk-env");
    expect(server.requests[0]?.headers["openai-organization"]).toBeUndefined();
    expect(server.requests[0]?.body).toMatchObject({ model: "llama-3.3-70b-versatile", max_completion_tokens: 10 });
    expect("embeddingModel" in groq).toBe(false);
  });

  it("should read per-call options under providerOptions.groq", async () => {
    answer();
    await createGroq({ apiKey: "gsk", baseURL: `${server.url}/openai/v1` })
      .languageModel("m")
      .generate({ ...hello, providerOptions: { groq: { user: "u-1" }, openai: { user: "not me" } } });
    expect(server.requests[0]?.body.user).toBe("u-1");
  });
});

describe("OpenRouter", () => {
  it("should call https://openrouter.ai/api/v1 with OPENROUTER_API_KEY, app headers and max_tokens", async () => {
    vi.stubEnv("OPENROUTER_API_KEY", "sk-or-env");
    answer();
    server.enqueue({ type: "json", body: jsonFixture("embeddings.json") });
    const openrouter = createOpenRouter({
      fetch: redirectingFetch(server, intendedUrls),
      appName: "AGNT5 tests",
      appUrl: "https://agnt5.dev",
    });

    await openrouter.languageModel("anthropic/claude-sonnet-4").generate({ ...hello, maxOutputTokens: 20 });
    await openrouter.embeddingModel("openai/text-embedding-3-small").embed({ values: ["a", "b"] });

    expect(intendedUrls).toEqual([
      "https://openrouter.ai/api/v1/chat/completions",
      "https://openrouter.ai/api/v1/embeddings",
    ]);
    expect(server.requests[0]?.headers).toMatchObject({
      authorization: "Bearer sk-or-env",
      "x-title": "AGNT5 tests",
      "http-referer": "https://agnt5.dev",
    });
    expect(server.requests[0]?.body).toMatchObject({ model: "anthropic/claude-sonnet-4", max_tokens: 20 });
  });
});

describe("OpenAI-compatible servers", () => {
  it("should call the configured base URL without an Authorization header when there is no key", async () => {
    answer();
    server.enqueue({ type: "json", body: jsonFixture("embeddings.json") });
    const ollama = createOpenAICompatible({ baseURL: `${server.url}/v1`, name: "ollama" });

    const model = ollama.languageModel("llama3.2");
    await model.generate({
      ...hello,
      maxOutputTokens: 5,
      providerOptions: { ollama: { extraBody: { keep_alive: "5m" } } },
    });
    await ollama.embeddingModel("nomic-embed-text").embed({ values: ["a", "b"] });

    expect(model.provider).toBe("ollama");
    expect(server.requests.map((request) => request.path)).toEqual(["/v1/chat/completions", "/v1/embeddings"]);
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
    expect(server.requests[0]?.body).toMatchObject({ model: "llama3.2", max_tokens: 5, keep_alive: "5m" });
  });

  it("should send a bearer key and custom headers when given (env vars as fallback)", async () => {
    vi.stubEnv("OPENAI_COMPATIBLE_BASE_URL", `${server.url}/vllm/v1`);
    vi.stubEnv("OPENAI_COMPATIBLE_API_KEY", "token-env");
    answer();
    answer();

    await createOpenAICompatible({ headers: { "x-tenant": "t1" } })
      .languageModel("m")
      .generate(hello);
    await createOpenAICompatible({ baseURL: `${server.url}/lmstudio/v1`, apiKey: "token-explicit" })
      .languageModel("m")
      .generate(hello);

    expect(server.requests[0]?.path).toBe("/vllm/v1/chat/completions");
    expect(server.requests[0]?.headers).toMatchObject({ authorization: "Bearer token-env", "x-tenant": "t1" });
    expect(server.requests[1]?.path).toBe("/lmstudio/v1/chat/completions");
    expect(server.requests[1]?.headers.authorization).toBe("Bearer token-explicit");
  });
});

describe("Azure OpenAI", () => {
  it("should call /openai/deployments/<deployment>/chat/completions?api-version with an api-key header", async () => {
    answer();
    const azure = createAzureOpenAI({
      apiKey: "azure-key",
      endpoint: `${server.url}/`,
      apiVersion: "2025-04-01-preview",
    });

    const model = azure.languageModel("my-gpt-4o");
    await model.generate({ ...hello, maxOutputTokens: 30 });

    const [request] = server.requests;
    expect(model.provider).toBe("azure");
    expect(request?.path).toBe("/openai/deployments/my-gpt-4o/chat/completions");
    expect(request?.query.get("api-version")).toBe("2025-04-01-preview");
    expect(request?.headers["api-key"]).toBe("azure-key");
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.body).toMatchObject({ model: "my-gpt-4o", max_completion_tokens: 30 });
  });

  it("should read AZURE_OPENAI_* env vars and route embeddings to the deployment", async () => {
    vi.stubEnv("AZURE_OPENAI_API_KEY", "azure-env-key");
    vi.stubEnv("AZURE_OPENAI_ENDPOINT", server.url);
    vi.stubEnv("AZURE_OPENAI_API_VERSION", "2024-12-01-preview");
    server.enqueue({ type: "json", body: jsonFixture("embeddings.json") });

    await createAzureOpenAI()
      .embeddingModel("my-embeddings")
      .embed({ values: ["a", "b"] });

    expect(server.requests[0]?.path).toBe("/openai/deployments/my-embeddings/embeddings");
    expect(server.requests[0]?.query.get("api-version")).toBe("2024-12-01-preview");
    expect(server.requests[0]?.headers["api-key"]).toBe("azure-env-key");
  });

  it("should build the endpoint from resourceName and default the api-version", async () => {
    answer();
    await createAzureOpenAI({ apiKey: "k", resourceName: "my-resource", fetch: redirectingFetch(server, intendedUrls) })
      .languageModel("dep")
      .generate(hello);
    expect(intendedUrls).toEqual([
      "https://my-resource.openai.azure.com/openai/deployments/dep/chat/completions?api-version=2024-10-21",
    ]);
  });

  it("should send Entra ID tokens as a bearer header instead of api-key", async () => {
    vi.stubEnv("AZURE_OPENAI_API_KEY", "ignored-when-a-token-provider-is-given");
    answer();
    await createAzureOpenAI({ endpoint: server.url, azureADTokenProvider: async () => "entra-token" })
      .languageModel("dep")
      .generate(hello);
    expect(server.requests[0]?.headers.authorization).toBe("Bearer entra-token");
    expect(server.requests[0]?.headers["api-key"]).toBeUndefined();
  });

  it("should report the deployment URL on errors", async () => {
    server.enqueue({ type: "json", status: 404, body: { error: { code: "DeploymentNotFound", message: "nope" } } });
    const error = await rejection(
      createAzureOpenAI({ apiKey: "k", endpoint: server.url, apiVersion: "2024-10-21" })
        .languageModel("gone")
        .generate(hello),
    );
    expect(error).toMatchObject({
      statusCode: 404,
      isRetryable: false,
      provider: "azure",
      url: `${server.url}/openai/deployments/gone/chat/completions?api-version=2024-10-21`,
    });
  });
});

describe("agnt5Providers", () => {
  it("should expose a factory per provider name, each returning a named ProviderV1", () => {
    expect(Object.keys(agnt5Providers).sort()).toEqual(["azure", "groq", "openai", "openai-compatible", "openrouter"]);
    for (const [name, factory] of Object.entries(agnt5Providers)) {
      const provider = factory();
      expect(provider.name).toBe(name);
      expect(provider.languageModel("m")).toMatchObject({ specificationVersion: "v1", provider: name, modelId: "m" });
    }
    expect(agnt5Providers.openai().embeddingModel("e").modelId).toBe("e");
  });

  it("should serve their model strings through @agnt5/llm once the package is imported", async () => {
    answer();
    const model = await resolveLanguageModel("openai/gpt-4.1-mini", { apiKey: "sk-test", baseURL: `${server.url}/v1` });
    const result = await model.generate(hello);
    expect(result.text).toBe("Hello! How can I help you today?");
    expect(server.requests[0]?.path).toBe("/v1/chat/completions");
    expect((await resolveLanguageModel("groq/llama-3.3-70b-versatile")).provider).toBe("groq");
  });
});
