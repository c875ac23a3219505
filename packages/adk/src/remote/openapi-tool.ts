import { type RetryPolicy, TerminalError } from "@agnt5/core";
import { Tool, type ToolContext } from "../tool.js";
import { type OpenAPIOperation, readOperations } from "./openapi-operations.js";

/** Headers sent with every call (auth): a record, or a function read before each call (secrets that rotate). */
export type OpenAPIHeaders =
  | Record<string, string>
  | ((operation: { operationId: string }) => Record<string, string> | Promise<Record<string, string>>);

export interface OpenAPIToolOptions {
  /** The OpenAPI 3.0 / 3.1 (or Swagger 2.0) document as an object or JSON text. */
  spec?: object | string;
  /** Where to read the JSON document from, over http(s); relative server URLs resolve against it. */
  specUrl?: string;
  /** operationIds to make tools of (default: every operation with a JSON or no body). An unknown one is an error. */
  operations?: readonly string[];
  /** Where requests go (default: the spec's first server, or the spec URL's origin). */
  baseUrl?: string;
  /**
   * Sent with every request; never logged nor put in errors. Header parameters of the spec with these
   * names are not asked from the model.
   */
  headers?: OpenAPIHeaders;
  /** Names of headers set by `headers` when it is a function (so the model is not asked for them). */
  headerNames?: readonly string[];
  /** Retry policy of each call's journal entry (default one attempt; 4xx answers are never retried). */
  retry?: Partial<RetryPolicy>;
  /** The fetch API calls use (default: globalThis.fetch). */
  fetch?: typeof fetch;
}

/** Answers longer than this are cut in error messages the model reads. */
const MAX_ERROR_BODY = 4000;

/**
 * Tools made from an OpenAPI document (the seed's `OpenAPITool.from_spec`): one per operation, its
 * path, query and header parameters and JSON body as the input schema (`$ref`s resolved), its call
 * made with fetch. Inside an agent run each call is a journal entry like any tool's, so a replay
 * returns the recorded answer; a non-2xx answer reaches the model as a tool error with the status
 * and the body.
 */
export const OpenAPITool = {
  async fromSpec(options: OpenAPIToolOptions): Promise<Tool[]> {
    const document = await loadSpec(options);
    const fixedHeaders = typeof options.headers === "object" ? Object.keys(options.headers) : [];
    const skip = new Set([...fixedHeaders, ...(options.headerNames ?? [])].map((name) => name.toLowerCase()));
    const all = readOperations(document, skip);
    const selected = selectOperations(all, options.operations);
    const baseUrl = resolveBaseUrl(document, options);
    const doFetch = options.fetch ?? globalThis.fetch;
    return selected.map(
      (operation) =>
        new Tool({
          name: operation.toolName,
          description: operation.description,
          inputSchema: operation.inputSchema,
          ...(options.retry === undefined ? {} : { retry: options.retry }),
          handler: (input: Record<string, unknown>, ctx: ToolContext) =>
            callOperation(operation, input ?? {}, { baseUrl, headers: options.headers, fetch: doFetch, ctx }),
        }),
    );
  },
};

async function loadSpec(options: OpenAPIToolOptions): Promise<Record<string, any>> {
  if ((options.spec === undefined) === (options.specUrl === undefined)) {
    throw definitionError("OpenAPITool.fromSpec needs exactly one of `spec` (the document) or `specUrl`");
  }
  // Loaded on first use: a worker without OpenAPI tools does not pay for the parser.
  const parser = await import("@readme/openapi-parser");
  let source: any = options.spec;
  if (options.specUrl !== undefined) source = await fetchSpec(options.specUrl, options.fetch ?? globalThis.fetch);
  if (typeof source === "string") {
    try {
      source = JSON.parse(source);
    } catch (error) {
      throw definitionError(
        `\`spec\` as text must be JSON (YAML: parse it first and pass the object): ${(error as Error).message}`,
      );
    }
  }
  // The parser mutates what it is given: work on a copy of the caller's object.
  const validation = await parser.validate(structuredClone(source));
  if (!validation.valid) {
    throw definitionError(`The OpenAPI document is invalid: ${parser.compileErrors(validation)}`);
  }
  return parser.dereference(structuredClone(source), { dereference: { circular: "ignore" } });
}

async function fetchSpec(url: string, doFetch: typeof fetch): Promise<string> {
  let response: Response;
  try {
    response = await doFetch(url, { headers: { accept: "application/json" } });
  } catch (error) {
    throw definitionError(`Could not read the OpenAPI document at ${url}: ${(error as Error).message}`);
  }
  if (!response.ok) throw definitionError(`Could not read the OpenAPI document at ${url}: HTTP ${response.status}`);
  return response.text();
}

function selectOperations(
  all: ReturnType<typeof readOperations>,
  wanted: readonly string[] | undefined,
): OpenAPIOperation[] {
  if (wanted === undefined)
    return all.filter((operation): operation is OpenAPIOperation => !("unsupported" in operation));
  const byId = new Map(all.map((operation) => [operation.operationId, operation]));
  return wanted.map((operationId) => {
    const operation = byId.get(operationId);
    if (operation === undefined) {
      throw definitionError(
        `The OpenAPI document has no operation "${operationId}"; its operationIds: ${[...byId.keys()].join(", ") || "none"}`,
      );
    }
    if ("unsupported" in operation) throw operation.unsupported;
    return operation;
  });
}

function resolveBaseUrl(document: Record<string, any>, options: OpenAPIToolOptions): string {
  let base: string | undefined = options.baseUrl;
  if (base === undefined && Array.isArray(document.servers) && document.servers.length > 0) {
    const server = document.servers[0];
    base = String(server.url).replace(/\{([^}]+)\}/g, (_, name: string) =>
      String(server.variables?.[name]?.default ?? `{${name}}`),
    );
  }
  if (base === undefined && typeof document.host === "string") {
    base = `${document.schemes?.[0] ?? "https"}://${document.host}${document.basePath ?? ""}`;
  }
  if (base !== undefined && options.specUrl !== undefined) base = new URL(base, options.specUrl).href;
  if (base === undefined && options.specUrl !== undefined) base = new URL(options.specUrl).origin;
  if (base === undefined || !/^https?:\/\//i.test(base)) {
    throw definitionError(
      `OpenAPITool.fromSpec needs \`baseUrl\`: the document names no absolute server URL${base === undefined ? "" : ` (it says ${JSON.stringify(base)})`}`,
    );
  }
  return base.replace(/\/+$/, "");
}

async function callOperation(
  operation: OpenAPIOperation,
  input: Record<string, unknown>,
  options: { baseUrl: string; headers: OpenAPIHeaders | undefined; fetch: typeof fetch; ctx: ToolContext },
): Promise<unknown> {
  let path = operation.path;
  const query = new URLSearchParams();
  const headers = new Headers({ accept: "application/json" });
  for (const parameter of operation.parameters) {
    const value = input[parameter.key];
    if (value === undefined || value === null) continue;
    if (parameter.in === "path") path = path.replaceAll(`{${parameter.name}}`, encodeURIComponent(scalar(value)));
    else if (parameter.in === "query") {
      for (const item of Array.isArray(value) ? value : [value]) query.append(parameter.name, scalar(item));
    } else headers.set(parameter.name, scalar(value));
  }
  const secret = typeof options.headers === "function" ? await options.headers(operation) : options.headers;
  for (const [name, value] of Object.entries(secret ?? {})) headers.set(name, value);
  let body: string | undefined;
  if (operation.body !== undefined && input.body !== undefined) {
    body = JSON.stringify(input.body);
    headers.set("content-type", "application/json");
  }
  const search = query.size > 0 ? `?${query}` : "";
  const url = `${options.baseUrl}${path}${search}`;
  const what = `${operation.method} ${operation.path}`;
  let response: Response;
  try {
    response = await options.fetch(url, {
      method: operation.method,
      headers,
      ...(body === undefined ? {} : { body }),
      signal: options.ctx.abortSignal,
    });
  } catch (error) {
    // Retryable per the tool's policy: the server may not have seen the request.
    throw new Error(`${what} could not reach ${options.baseUrl}: ${(error as Error).message}`);
  }
  const text = await response.text();
  if (!response.ok) {
    const detail = text.length > MAX_ERROR_BODY ? `${text.slice(0, MAX_ERROR_BODY)}…` : text;
    const message = `${what} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}${detail ? `: ${detail}` : ""}`;
    // A 4xx is the request's fault: retrying the same one cannot help. A 5xx may pass on a retry.
    if (response.status < 500) throw new TerminalError(message, { code: "HTTP_ERROR" });
    throw new Error(message);
  }
  if (text === "") return null;
  if (/\bjson\b/i.test(response.headers.get("content-type") ?? "")) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function scalar(value: unknown): string {
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function definitionError(message: string): TerminalError {
  return new TerminalError(message, { code: "INVALID_DEFINITION" });
}
