import { z } from "zod";
import { ErrorResponse } from "./schemas/common.js";
import {
  EntityKeyDetail,
  EntityKeysQuery,
  EntityKeysResponse,
  EntityTypesResponse,
  StuckKeysQuery,
  StuckKeysResponse,
} from "./schemas/entities.js";
import { CallerIdentity } from "./schemas/identity.js";
import { CreatedKey, CreateKeyBody, KeyInfo, KeyListQuery, KeyListResponse } from "./schemas/keys.js";
import { ReplicasResponse } from "./schemas/replicas.js";
import { RetentionInfo, RetentionSweepResult } from "./schemas/retention.js";
import { ApprovalBody, DeliveryResponse, RestartRunBody } from "./schemas/run-actions.js";
import { RunDetail } from "./schemas/run-detail.js";
import { RunListQuery, RunListResponse, RunSummary } from "./schemas/runs.js";
import { ServicesResponse } from "./schemas/services.js";

/** Path prefix of every admin route. */
export const ADMIN_BASE_PATH = "/admin/v1";

/**
 * One admin endpoint: the single description the coordinator registers its handler from, the
 * OpenAPI document is generated from, and the client calls. Paths use `:param` placeholders
 * relative to ADMIN_BASE_PATH.
 */
export interface AdminRouteSpec {
  method: "GET" | "POST";
  path: string;
  summary: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** The request body; `z.unknown()` for a body that is any JSON (a signal payload). */
  body?: z.ZodType;
  response: z.ZodType;
  /** Error codes (besides validation errors) this route answers, with their HTTP status. */
  errors?: Record<string, number>;
  /** The scope a caller's key needs (default "admin"): the coordinator's auth hook checks it. */
  scope?: "read" | "signal" | "approve" | "admin";
}

const RunParams = z.object({ runId: z.string().min(1) });
const NamedRunParams = z.object({ runId: z.string().min(1), name: z.string().min(1) });
const EntityTypeParams = z.object({ type: z.string().min(1) });
const EntityKeyParams = z.object({ type: z.string().min(1), key: z.string().min(1) });

const RUN_NOT_FOUND = { RUN_NOT_FOUND: 404 };

export const adminRoutes = {
  listRuns: {
    method: "GET",
    scope: "read",
    path: "/runs",
    summary: "List runs, newest first, with filters and cursor pagination",
    query: RunListQuery,
    response: RunListResponse,
    errors: { INVALID_REQUEST: 400 },
  },
  getRun: {
    method: "GET",
    scope: "read",
    path: "/runs/:runId",
    summary: "A run's detail: timeline, waits, model and tool calls, approvals, children",
    params: RunParams,
    response: RunDetail,
    errors: RUN_NOT_FOUND,
  },
  cancelRun: {
    method: "POST",
    scope: "admin",
    path: "/runs/:runId/cancel",
    summary: "Cancel a run that has not finished (its children too)",
    params: RunParams,
    response: RunSummary,
    errors: { ...RUN_NOT_FOUND, RUN_FINISHED: 409 },
  },
  pauseRun: {
    method: "POST",
    scope: "admin",
    path: "/runs/:runId/pause",
    summary: "Pause a run: it is not dispatched and its timers wait until resumed",
    params: RunParams,
    response: RunSummary,
    errors: { ...RUN_NOT_FOUND, RUN_NOT_PAUSABLE: 409, NOT_IMPLEMENTED: 501 },
  },
  resumeRun: {
    method: "POST",
    scope: "admin",
    path: "/runs/:runId/resume",
    summary: "Resume a paused run",
    params: RunParams,
    response: RunSummary,
    errors: { ...RUN_NOT_FOUND, NOT_IMPLEMENTED: 501 },
  },
  retryRun: {
    method: "POST",
    scope: "admin",
    path: "/runs/:runId/retry",
    summary: "Run a failed run again (its journal replays the entries that completed)",
    params: RunParams,
    response: RunSummary,
    errors: { ...RUN_NOT_FOUND, RUN_NOT_RETRYABLE: 409, NOT_IMPLEMENTED: 501 },
  },
  restartRun: {
    method: "POST",
    scope: "admin",
    path: "/runs/:runId/restart",
    summary: "Start a new run that replays entries before fromEntry from this run's journal",
    params: RunParams,
    body: RestartRunBody,
    response: RunSummary,
    errors: { ...RUN_NOT_FOUND, NOT_IMPLEMENTED: 501 },
  },
  signalRun: {
    method: "POST",
    scope: "signal",
    path: "/runs/:runId/signals/:name",
    summary: "Send a signal (the body is its payload, any JSON) to a run",
    params: NamedRunParams,
    body: z.unknown(),
    response: DeliveryResponse,
    errors: { ...RUN_NOT_FOUND, RUN_FINISHED: 409 },
  },
  decideApproval: {
    method: "POST",
    scope: "approve",
    path: "/runs/:runId/approvals/:name",
    summary: "Approve or reject a run's pending approval (ctx.human.approval)",
    params: NamedRunParams,
    body: ApprovalBody,
    response: DeliveryResponse,
    errors: { ...RUN_NOT_FOUND, NO_PENDING_APPROVAL: 409, FORBIDDEN: 403, RUN_FINISHED: 409 },
  },
  listServices: {
    method: "GET",
    scope: "read",
    path: "/services",
    summary: "Registered services, their components and connected workers",
    response: ServicesResponse,
  },
  listEntityTypes: {
    method: "GET",
    scope: "read",
    path: "/entities",
    summary: "Entity types with the number of stored keys",
    response: EntityTypesResponse,
  },
  listStuckEntityKeys: {
    method: "GET",
    scope: "read",
    path: "/entities/stuck",
    summary: "Entity keys whose oldest queued write has waited longer than olderThanMs",
    query: StuckKeysQuery,
    response: StuckKeysResponse,
  },
  listEntityKeys: {
    method: "GET",
    scope: "read",
    path: "/entities/:type/keys",
    summary: "Keys of an entity type with their version and queued writes",
    params: EntityTypeParams,
    query: EntityKeysQuery,
    response: EntityKeysResponse,
    errors: { INVALID_REQUEST: 400 },
  },
  getEntityKey: {
    method: "GET",
    scope: "read",
    path: "/entities/:type/keys/:key",
    summary: "An entity key's state, version and the writes waiting for it",
    params: EntityKeyParams,
    response: EntityKeyDetail,
    errors: { ENTITY_NOT_FOUND: 404 },
  },
  getRetention: {
    method: "GET",
    scope: "read",
    path: "/retention",
    summary: "Run retention settings and the last sweep",
    response: RetentionInfo,
  },
  sweepRetention: {
    method: "POST",
    scope: "admin",
    path: "/retention/sweep",
    summary: "Delete finished runs older than their retention now (the sweeper also runs on a timer)",
    response: RetentionSweepResult,
  },
  listKeys: {
    method: "GET",
    scope: "admin",
    path: "/keys",
    summary: "API keys and worker tokens (their prefix, never their secret), newest first",
    query: KeyListQuery,
    response: KeyListResponse,
  },
  createKey: {
    method: "POST",
    scope: "admin",
    path: "/keys",
    summary: "Create an API key or worker token; the answer holds its secret, shown this once",
    body: CreateKeyBody,
    response: CreatedKey,
    errors: { INVALID_REQUEST: 400 },
  },
  revokeKey: {
    method: "POST",
    scope: "admin",
    path: "/keys/:keyId/revoke",
    summary: "Revoke a key or token (refused from then on: at once on this coordinator, within 10 s on others)",
    params: z.object({ keyId: z.string().min(1) }),
    response: KeyInfo,
    errors: { KEY_NOT_FOUND: 404 },
  },
  getIdentity: {
    method: "GET",
    scope: "read",
    path: "/identity",
    summary: "Who the caller is taken to be: its key's name, scopes and roles (what an approval records), or dev mode",
    response: CallerIdentity,
  },
  listReplicas: {
    method: "GET",
    scope: "admin",
    path: "/replicas",
    summary:
      "Coordinator replicas (AGNT5_CLUSTER=1): their leases, services with workers, and the unfinished runs each owns",
    response: ReplicasResponse,
  },
  openapi: {
    method: "GET",
    scope: "read",
    path: "/openapi.json",
    summary: "This API's OpenAPI 3.1 document",
    response: z.record(z.string(), z.unknown()),
  },
} as const satisfies Record<string, AdminRouteSpec>;

export type AdminRouteName = keyof typeof adminRoutes;

/** The error body every admin route answers with on 4xx/5xx. */
export const AdminErrorResponse = ErrorResponse;
