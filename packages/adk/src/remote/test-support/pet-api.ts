import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** An OpenAPI 3.1 document with $refs (components, a shared parameter), path and query parameters and a JSON body. */
export const petSpec = {
  openapi: "3.1.0",
  info: { title: "Pets", version: "1.0.0" },
  paths: {
    "/pets": {
      get: {
        operationId: "listPets",
        summary: "List pets, optionally by tag",
        parameters: [
          { $ref: "#/components/parameters/Limit" },
          { name: "tag", in: "query", schema: { type: "array", items: { type: "string" } } },
        ],
        responses: {
          "200": {
            description: "pets",
            content: { "application/json": { schema: { type: "array", items: { $ref: "#/components/schemas/Pet" } } } },
          },
        },
      },
      post: {
        operationId: "createPet",
        summary: "Add a pet",
        parameters: [{ name: "X-Request-Id", in: "header", required: true, schema: { type: "string" } }],
        requestBody: {
          required: true,
          content: { "application/json": { schema: { $ref: "#/components/schemas/NewPet" } } },
        },
        responses: { "201": { description: "created" }, "400": { description: "bad" } },
      },
    },
    "/pets/{petId}": {
      parameters: [
        { name: "petId", in: "path", required: true, description: "The pet's id", schema: { type: "integer" } },
      ],
      get: {
        operationId: "getPet",
        summary: "One pet",
        parameters: [{ name: "fields", in: "query", schema: { type: "string", enum: ["name", "all"] } }],
        responses: { "200": { description: "the pet" }, "404": { description: "none" } },
      },
    },
    "/upload": {
      put: {
        operationId: "uploadPhoto",
        requestBody: { content: { "image/png": { schema: { type: "string", contentEncoding: "base64" } } } },
        responses: { "204": { description: "stored" } },
      },
    },
  },
  components: {
    parameters: {
      Limit: { name: "limit", in: "query", description: "At most this many", schema: { type: "integer", minimum: 1 } },
    },
    schemas: {
      NewPet: {
        type: "object",
        required: ["name"],
        properties: { name: { type: "string" }, tag: { $ref: "#/components/schemas/Tag" } },
      },
      Pet: {
        allOf: [{ $ref: "#/components/schemas/NewPet" }, { type: "object", properties: { id: { type: "integer" } } }],
      },
      Tag: { type: "string", description: "A tag such as dog or cat" },
    },
  },
} as const;

export interface PetRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: unknown;
}

export interface PetApi {
  url: string;
  /** Every request the API received (the spec's GET /openapi.json aside). */
  requests: PetRequest[];
  close(): Promise<void>;
}

/** Serves petSpec at /openapi.json and its API (requires `Authorization: Bearer secret-token`). */
export async function startPetApi(): Promise<PetApi> {
  const pets = new Map<number, { id: number; name: string; tag?: string }>([
    [1, { id: 1, name: "Rex", tag: "dog" }],
    [2, { id: 2, name: "Tom", tag: "cat" }],
  ]);
  const requests: PetRequest[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://localhost");
    const send = (status: number, value: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    if (url.pathname === "/openapi.json") return send(200, petSpec);
    requests.push({
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      body: raw ? JSON.parse(raw) : undefined,
    });
    if (req.headers.authorization !== "Bearer secret-token") return send(401, { error: "missing or wrong token" });
    const match = /^\/pets\/(\d+)$/.exec(url.pathname);
    if (req.method === "GET" && match) {
      const pet = pets.get(Number(match[1]));
      if (!pet) return send(404, { error: `no pet ${match[1]}` });
      return send(200, url.searchParams.get("fields") === "name" ? { name: pet.name } : pet);
    }
    if (req.method === "GET" && url.pathname === "/pets") {
      const tags = url.searchParams.getAll("tag");
      const limit = Number(url.searchParams.get("limit") ?? 100);
      return send(
        200,
        [...pets.values()].filter((pet) => tags.length === 0 || tags.includes(pet.tag ?? "")).slice(0, limit),
      );
    }
    if (req.method === "POST" && url.pathname === "/pets") {
      const body = JSON.parse(raw) as { name: string; tag?: string };
      const pet = { id: pets.size + 1, ...body };
      pets.set(pet.id, pet);
      return send(201, pet);
    }
    send(404, { error: "no route" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
