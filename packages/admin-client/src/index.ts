export { AdminApiError } from "./admin-api-error.js";
export { AdminClient, type AdminClientOptions } from "./admin-client.js";
export { adminOpenApiDocument } from "./openapi.js";
export {
  ADMIN_BASE_PATH,
  AdminErrorResponse,
  type AdminRouteName,
  type AdminRouteSpec,
  adminRoutes,
} from "./routes.js";
export * from "./schemas/common.js";
export * from "./schemas/entities.js";
export * from "./schemas/identity.js";
export * from "./schemas/keys.js";
export * from "./schemas/replicas.js";
export * from "./schemas/retention.js";
export * from "./schemas/run-actions.js";
export * from "./schemas/run-detail.js";
export * from "./schemas/runs.js";
export * from "./schemas/services.js";
