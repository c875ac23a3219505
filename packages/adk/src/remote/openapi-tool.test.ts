import type { DurableContext } from "@agnt5/core";
import { ScriptedModel, type ScriptedResponse } from "@agnt5/llm/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent, OpenAPITool, type Tool } from "../index.js";
import { runDurable } from "../test-support/durable-run.js";
import { type PetApi, petSpec, startPetApi } from "./test-support/pet-api.js";

let api: PetApi;
beforeAll(async () => {
  api = await startPetApi();
});
afterAll(() => api.close());

const auth = { Authorization: "Bearer secret-token" };

describe("OpenAPITool.fromSpec", () => {
  it("makes one tool per operation: path, query and header parameters and the JSON body, $refs resolved", async () => {
    const tools = await OpenAPITool.fromSpec({ specUrl: `${api.url}/openapi.json`, headers: auth });
    expect(tools.map((tool) => tool.name)).toEqual(["listPets", "createPet", "getPet"]); // uploadPhoto: not JSON
    const [listPets, createPet, getPet] = tools as [Tool, Tool, Tool];
    expect(getPet.inputSchema).toEqual({
      type: "object",
      properties: {
        petId: { type: "integer", description: "The pet's id" },
        fields: { type: "string", enum: ["name", "all"] },
      },
      required: ["petId"],
      additionalProperties: false,
    });
    expect((listPets.inputSchema.properties as Record<string, unknown>).limit).toEqual({
      type: "integer",
      minimum: 1,
      description: "At most this many",
    });
    expect(createPet.inputSchema.required).toEqual(["X-Request-Id", "body"]);
    expect((createPet.inputSchema.properties as Record<string, unknown>).body).toEqual({
      type: "object",
      required: ["name"],
      properties: { name: { type: "string" }, tag: { type: "string", description: "A tag such as dog or cat" } },
    });
    expect(JSON.stringify(tools.map((tool) => tool.inputSchema))).not.toContain("$ref");
    expect(getPet.validate({ petId: "seven" })).toMatchObject({ ok: false, message: expect.stringContaining("petId") });
  });

  it("selects operations by operationId; an unknown one or a non-JSON body is an error naming it", async () => {
    const tools = await OpenAPITool.fromSpec({ spec: petSpec, operations: ["getPet"], baseUrl: api.url });
    expect(tools.map((tool) => tool.name)).toEqual(["getPet"]);
    await expect(OpenAPITool.fromSpec({ spec: petSpec, operations: ["deletePet"], baseUrl: api.url })).rejects.toThrow(
      'The OpenAPI document has no operation "deletePet"; its operationIds: listPets, createPet, getPet, uploadPhoto',
    );
    await expect(
      OpenAPITool.fromSpec({ spec: petSpec, operations: ["uploadPhoto"], baseUrl: api.url }),
    ).rejects.toThrow('OpenAPI operation "uploadPhoto" takes its body as image/png');
    await expect(OpenAPITool.fromSpec({ spec: petSpec })).rejects.toThrow("needs `baseUrl`");
  });

  it("takes a Swagger 2.0 document too: host and basePath, a body parameter, definitions resolved", async () => {
    const { host } = new URL(api.url);
    const swagger = {
      swagger: "2.0",
      info: { title: "Pets", version: "1.0.0" },
      host,
      basePath: "/",
      schemes: ["http"],
      paths: {
        "/pets": {
          post: {
            operationId: "createPet",
            consumes: ["application/json"],
            parameters: [{ name: "pet", in: "body", required: true, schema: { $ref: "#/definitions/NewPet" } }],
            responses: { "201": { description: "created" } },
          },
        },
      },
      definitions: { NewPet: { type: "object", required: ["name"], properties: { name: { type: "string" } } } },
    };
    const [createPet] = await OpenAPITool.fromSpec({ spec: swagger, headers: auth });
    expect(createPet?.inputSchema).toEqual({
      type: "object",
      properties: { body: { type: "object", required: ["name"], properties: { name: { type: "string" } } } },
      required: ["body"],
      additionalProperties: false,
    });
    const model = new ScriptedModel([
      { toolCalls: [{ toolName: "createPet", input: { body: { name: "Swag" } } }] },
      { text: "Added." },
    ]);
    const result = await new Agent({ name: "pets", model, tools: [createPet as Tool] }).run("Add Swag");
    expect(result.toolCalls[0]?.result).toMatchObject({ name: "Swag" });
    expect(api.requests.at(-1)).toMatchObject({ method: "POST", url: "/pets", body: { name: "Swag" } });
  });

  it("refuses an invalid document, saying what is wrong", async () => {
    const broken = { ...petSpec, info: { title: "Pets" } };
    await expect(OpenAPITool.fromSpec({ spec: broken, baseUrl: api.url })).rejects.toThrow(
      /OpenAPI document is invalid[\s\S]*version/,
    );
  });

  it("an agent calls the API; each call is journaled, a replay does not call again; a 404 reaches the model as a tool error", async () => {
    const script: ScriptedResponse[] = [
      {
        toolCalls: [
          { toolCallId: "c1", toolName: "getPet", input: { petId: 1, fields: "name" } },
          { toolCallId: "c2", toolName: "listPets", input: { tag: ["dog", "cat"], limit: 5 } },
        ],
      },
      {
        toolCalls: [
          {
            toolCallId: "c3",
            toolName: "createPet",
            input: { "X-Request-Id": "r-1", body: { name: "Kit", tag: "cat" } },
          },
        ],
      },
      { toolCalls: [{ toolCallId: "c4", toolName: "getPet", input: { petId: 99 } }] },
      { text: "Done." },
    ];
    const tools = await OpenAPITool.fromSpec({ specUrl: `${api.url}/openapi.json`, headers: auth });
    const agent = (model: ScriptedModel) => new Agent({ name: "pets", model, tools });
    const handler = (model: ScriptedModel) => async (ctx: DurableContext) => {
      const result = await agent(model).run("Manage pets", { ctx });
      return { status: result.status, toolCalls: result.toolCalls };
    };
    const before = api.requests.length;
    const model = new ScriptedModel(script);
    const run = runDurable([], handler(model));
    const outcome = await run.outcome;
    const calls = api.requests.slice(before);
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual([
      "GET /pets/1?fields=name",
      "GET /pets?limit=5&tag=dog&tag=cat",
      "POST /pets",
      "GET /pets/99",
    ]);
    expect(calls[2]?.body).toEqual({ name: "Kit", tag: "cat" });
    expect(calls[2]?.headers["x-request-id"]).toBe("r-1");
    expect(calls.every((call) => call.headers.authorization === "Bearer secret-token")).toBe(true);
    expect(outcome).toMatchObject({ type: "completed", value: { status: "completed" } });
    const toolCalls = (outcome as { value: { toolCalls: Array<{ result?: unknown; error?: string }> } }).value
      .toolCalls;
    expect(toolCalls[0]?.result).toEqual({ name: "Rex" });
    expect(toolCalls[2]?.result).toEqual({ id: expect.any(Number), name: "Kit", tag: "cat" });
    expect(toolCalls[3]?.error).toBe(
      'Tool "getPet" failed: GET /pets/{petId} answered HTTP 404 Not Found: {"error":"no pet 99"}',
    );
    // The model got the failure as an error result, and never the token.
    const lastRequest = model.calls[3]?.request;
    expect(JSON.stringify(lastRequest?.messages.at(-1))).toContain('"isError":true');
    expect(JSON.stringify(model.calls.map((call) => call.request.messages))).not.toContain("secret-token");
    expect(JSON.stringify(run.journal())).not.toContain("secret-token");

    // A replay of the whole journal, and one cut right after the POST was recorded: the API is not called again for recorded calls.
    const journal = run.journal();
    const replayed = runDurable(journal, handler(new ScriptedModel([])));
    await expect(replayed.outcome).resolves.toEqual(outcome);
    const afterPost = journal.findIndex((entry) => entry.name === "agent:pets:tool:createPet:2") + 1;
    const countBefore = api.requests.length;
    const resumed = runDurable(journal.slice(0, afterPost), handler(new ScriptedModel(script.slice(2))));
    await expect(resumed.outcome).resolves.toEqual(outcome);
    expect(api.requests.slice(countBefore).map((call) => `${call.method} ${call.url}`)).toEqual(["GET /pets/99"]);
  });

  it("a wrong token's 401 reaches the model as a tool error with the API's answer", async () => {
    const tools = await OpenAPITool.fromSpec({
      spec: petSpec,
      baseUrl: api.url,
      operations: ["getPet"],
      headerNames: ["Authorization"],
      headers: async () => ({ Authorization: "Bearer expired" }),
    });
    const model = new ScriptedModel([
      { toolCalls: [{ toolName: "getPet", input: { petId: 1 } }] },
      { text: "No access." },
    ]);
    const result = await new Agent({ name: "pets", model, tools }).run("Pet 1?");
    expect(result.toolCalls[0]?.error).toBe(
      'Tool "getPet" failed: GET /pets/{petId} answered HTTP 401 Unauthorized: {"error":"missing or wrong token"}',
    );
    expect(JSON.stringify(result)).not.toContain("expired");
  });
});
