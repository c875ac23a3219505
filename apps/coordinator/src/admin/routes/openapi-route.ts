import { adminOpenApiDocument } from "@agnt5/admin-client";
import type { AdminHandlers } from "../admin-handler.js";

let document: Record<string, unknown> | undefined;

export const openapiHandlers: AdminHandlers<"openapi"> = {
  // Generated once from the route schemas: they do not change while the process runs.
  openapi: async () => (document ??= adminOpenApiDocument()),
};
