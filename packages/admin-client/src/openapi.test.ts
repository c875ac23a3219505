import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { adminOpenApiDocument, adminRoutes } from "./index.js";

const committed = new URL("../../../docs/admin-openapi.json", import.meta.url);

describe("the admin API's OpenAPI document", () => {
  it("is the committed docs/admin-openapi.json (regenerate it with `npm run docs:openapi`)", () => {
    expect(JSON.parse(readFileSync(committed, "utf8"))).toEqual(adminOpenApiDocument());
  });

  it("has one operation per route, with its path parameters, query parameters, body and error statuses", () => {
    const document = adminOpenApiDocument() as { paths: Record<string, Record<string, any>> };
    const operations = Object.values(document.paths).flatMap((methods) => Object.values(methods));
    expect(operations.map((op) => op.operationId).sort()).toEqual(Object.keys(adminRoutes).sort());
    const list = document.paths["/admin/v1/runs"]?.get;
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(Object.keys(adminRoutes.listRuns.query.shape));
    expect(list.parameters.find((p: { name: string }) => p.name === "limit").schema).toMatchObject({
      maximum: 500,
      minimum: 1,
    });
    const approve = document.paths["/admin/v1/runs/{runId}/approvals/{name}"]?.post;
    expect(approve.parameters).toEqual([
      { name: "runId", in: "path", required: true, schema: { type: "string", minLength: 1 } },
      { name: "name", in: "path", required: true, schema: { type: "string", minLength: 1 } },
    ]);
    expect(approve.requestBody.content["application/json"].schema.required).toEqual(["decision"]);
    expect(Object.keys(approve.responses)).toEqual(["200", "400", "401", "403", "404", "409"]);
    const detail = document.paths["/admin/v1/runs/{runId}"]?.get.responses["200"].content["application/json"].schema;
    expect(detail.required).toEqual(
      expect.arrayContaining(["timeline", "modelCalls", "toolCalls", "pendingApprovals"]),
    );
  });
});
