import { z } from "zod";
import { ADMIN_BASE_PATH, type AdminRouteSpec, adminRoutes } from "./routes.js";
import { ErrorResponse } from "./schemas/common.js";

type JsonSchema = Record<string, unknown>;

/** A zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect), without its `$schema` line. */
function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  return rest;
}

/**
 * The admin API's OpenAPI 3.1 document, generated from `adminRoutes` (the same schemas the
 * coordinator parses requests with and AdminClient checks answers with). Served at
 * GET /admin/v1/openapi.json and committed as docs/admin-openapi.json.
 */
export function adminOpenApiDocument(): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  const errorSchema = jsonSchema(ErrorResponse, "output");
  for (const [name, route] of Object.entries(adminRoutes) as Array<[string, AdminRouteSpec]>) {
    const path = ADMIN_BASE_PATH + route.path.replace(/:(\w+)/g, "{$1}");
    const parameters = [...parametersOf(route.params, "path"), ...parametersOf(route.query, "query")];
    const errors: Record<string, number> = {
      // Every route needs a key (outside the coordinator's dev mode) holding the route's scope.
      UNAUTHENTICATED: 401,
      FORBIDDEN: 403,
      ...(route.params ? { INVALID_ID: 400 } : {}),
      ...(route.query || route.body ? { INVALID_REQUEST: 400 } : {}),
      ...route.errors,
    };
    const byStatus = new Map<number, string[]>();
    for (const [code, status] of Object.entries(errors)) byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
    const responses: Record<string, unknown> = {
      "200": { description: "OK", content: { "application/json": { schema: jsonSchema(route.response, "output") } } },
    };
    for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
      responses[String(status)] = {
        description: `Error codes: ${codes.join(", ")}`,
        content: { "application/json": { schema: errorSchema } },
      };
    }
    paths[path] = {
      ...paths[path],
      [route.method.toLowerCase()]: {
        operationId: name,
        summary: route.summary,
        description: `Needs an API key with the "${route.scope ?? "admin"}" scope.`,
        ...(parameters.length > 0 ? { parameters } : {}),
        ...(route.body
          ? {
              requestBody: {
                required: true,
                content: { "application/json": { schema: jsonSchema(route.body, "input") } },
              },
            }
          : {}),
        responses,
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "AGNT5 admin API",
      version: "1",
      description:
        "Runs, their timelines, model and tool calls, approvals and control; entities; services; retention. " +
        "Every error is {error: {code, message}}. Generated from @agnt5/admin-client's route schemas.",
    },
    components: {
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          description: "An API key (agnt5 keys create) or, when the coordinator accepts them, a JWT",
        },
      },
    },
    security: [{ apiKey: [] }],
    paths,
  };
}

function parametersOf(schema: z.ZodObject | undefined, location: "path" | "query") {
  if (!schema) return [];
  return Object.entries(schema.shape).map(([name, field]) => {
    const fieldSchema = jsonSchema(field as z.ZodType, "input");
    const description = (field as z.ZodType).description;
    return {
      name,
      in: location,
      required: location === "path" || !(field as z.ZodType).safeParse(undefined).success,
      schema: fieldSchema,
      ...(description ? { description } : {}),
    };
  });
}
