import type { z } from "zod";
import { AdminApiError } from "./admin-api-error.js";
import { ADMIN_BASE_PATH, type AdminRouteName, type AdminRouteSpec, adminRoutes } from "./routes.js";
import { ErrorResponse } from "./schemas/common.js";
import type { EntityKeysQuery, StuckKeysQuery } from "./schemas/entities.js";
import type { CreateKeyBody } from "./schemas/keys.js";
import type { ApprovalBody, RestartRunBody } from "./schemas/run-actions.js";
import type { RunListQuery, RunSummary } from "./schemas/runs.js";

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface AdminClientOptions {
  /** The coordinator's HTTP address, e.g. "http://127.0.0.1:8080" (the /admin/v1 prefix is added). */
  baseUrl: string;
  /** Defaults to the global fetch (Node 20, browsers). */
  fetch?: FetchLike;
  /** Sent with every request (e.g. a header a proxy in front of the coordinator needs). */
  headers?: Record<string, string>;
  /** An API key, sent as `Authorization: Bearer <apiKey>` (the admin routes need the "admin" or "read" scope). */
  apiKey?: string;
}

type Output<N extends AdminRouteName> = z.output<(typeof adminRoutes)[N]["response"]>;
type QueryValue = string | number | undefined;

/**
 * Calls the coordinator's admin API. Works in Node 20 and in browsers (fetch only). Each answer
 * is checked against its schema, so a caller gets exactly the documented shape or an
 * AdminApiError (code INVALID_RESPONSE).
 */
export class AdminClient {
  readonly #baseUrl: string;
  readonly #fetch: FetchLike;
  readonly #headers: Record<string, string>;

  constructor(options: AdminClientOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#headers = {
      ...(options.headers ?? {}),
      ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
    };
  }

  listRuns(query: RunListQuery = {}) {
    return this.#call("listRuns", {}, query);
  }

  /** Every run matching `query`, page after page. */
  async *iterateRuns(query: Omit<RunListQuery, "cursor"> = {}): AsyncGenerator<RunSummary> {
    let cursor: string | undefined;
    do {
      const page = await this.listRuns({ ...query, cursor });
      yield* page.runs;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }

  getRun(runId: string) {
    return this.#call("getRun", { runId });
  }

  cancelRun(runId: string) {
    return this.#call("cancelRun", { runId });
  }

  pauseRun(runId: string) {
    return this.#call("pauseRun", { runId });
  }

  resumeRun(runId: string) {
    return this.#call("resumeRun", { runId });
  }

  retryRun(runId: string) {
    return this.#call("retryRun", { runId });
  }

  restartRun(runId: string, body: RestartRunBody) {
    return this.#call("restartRun", { runId }, {}, body);
  }

  signalRun(runId: string, name: string, payload: unknown = null) {
    return this.#call("signalRun", { runId, name }, {}, payload);
  }

  decideApproval(runId: string, name: string, body: ApprovalBody) {
    return this.#call("decideApproval", { runId, name }, {}, body);
  }

  approve(runId: string, name: string, by: string, extra: { comment?: string; edits?: unknown } = {}) {
    return this.decideApproval(runId, name, { decision: "approved", by, ...extra });
  }

  reject(runId: string, name: string, by: string, extra: { comment?: string } = {}) {
    return this.decideApproval(runId, name, { decision: "rejected", by, ...extra });
  }

  listServices() {
    return this.#call("listServices", {});
  }

  listEntityTypes() {
    return this.#call("listEntityTypes", {});
  }

  listEntityKeys(type: string, query: EntityKeysQuery = {}) {
    return this.#call("listEntityKeys", { type }, query);
  }

  getEntityKey(type: string, key: string) {
    return this.#call("getEntityKey", { type, key });
  }

  listStuckEntityKeys(query: StuckKeysQuery = {}) {
    return this.#call("listStuckEntityKeys", {}, query);
  }

  getRetention() {
    return this.#call("getRetention", {});
  }

  sweepRetention() {
    return this.#call("sweepRetention", {});
  }

  listKeys(query: { includeRevoked?: boolean } = {}) {
    return this.#call("listKeys", {}, { includeRevoked: query.includeRevoked ? "true" : undefined });
  }

  /** Creates a key or worker token; the answer's `secret` is shown this once. */
  createKey(body: CreateKeyBody) {
    return this.#call("createKey", {}, {}, body);
  }

  revokeKey(id: string) {
    return this.#call("revokeKey", { keyId: id });
  }

  /** Who this client's key is taken to be (the name an approval records), or that authentication is off. */
  getIdentity() {
    return this.#call("getIdentity", {});
  }

  /** The coordinator replicas sharing this coordinator's database (empty for a single coordinator). */
  listReplicas() {
    return this.#call("listReplicas", {});
  }

  openapi() {
    return this.#call("openapi", {});
  }

  async #call<N extends AdminRouteName>(
    name: N,
    params: Record<string, string>,
    query: Record<string, QueryValue> = {},
    body?: unknown,
  ): Promise<Output<N>> {
    const route: AdminRouteSpec = adminRoutes[name];
    const url = this.#baseUrl + ADMIN_BASE_PATH + fillPath(route.path, params) + queryString(query);
    const headers: Record<string, string> = { accept: "application/json", ...this.#headers };
    const init: RequestInit = { method: route.method, headers };
    if (route.method === "POST") {
      headers["content-type"] = "application/json";
      // A POST without a body schema still sends `{}`: the gateway refuses an empty JSON body.
      init.body = JSON.stringify(route.body === undefined ? {} : (body ?? null));
    }
    let response: Response;
    try {
      response = await this.#fetch(url, init);
    } catch (cause) {
      throw new AdminApiError(0, "NETWORK_ERROR", `${route.method} ${url}: ${String(cause)}`, { cause });
    }
    const text = await response.text();
    const json = parseJson(text);
    if (!response.ok) {
      const error = ErrorResponse.safeParse(json);
      if (error.success) throw new AdminApiError(response.status, error.data.error.code, error.data.error.message);
      throw new AdminApiError(response.status, `HTTP_${response.status}`, text.slice(0, 500) || response.statusText);
    }
    const parsed = route.response.safeParse(json);
    if (!parsed.success) {
      throw new AdminApiError(
        response.status,
        "INVALID_RESPONSE",
        `${route.method} ${route.path}: the answer does not match the admin API schema: ${parsed.error.message}`,
      );
    }
    return parsed.data as Output<N>;
  }
}

function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/:(\w+)/g, (_, key: string) => encodeURIComponent(params[key] ?? ""));
}

function queryString(query: Record<string, QueryValue>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text === "" ? "" : `?${text}`;
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
