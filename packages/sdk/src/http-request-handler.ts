import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type AnyEntityDefinition,
  type ComponentDefinition,
  createExecutionContext,
  EntityMethodNotFoundError,
  type Logger,
  localEntityStore,
  serializeError,
  TerminalError,
} from "@agnt5/core";
import type { ComponentSource } from "./component-source.js";
import { failureLogLevel } from "./failure-log-level.js";
import { parseJsonBody, readBody } from "./http-body.js";
import { applyCors, type CorsPolicy } from "./http-cors.js";
import { HttpRequestError, httpStatusForCode } from "./http-error.js";
import { invokeComponent } from "./invoke-component.js";

export type HttpRequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export interface HttpRequestHandlerOptions {
  components: ComponentSource;
  serviceName: string;
  serviceVersion: string;
  logger: Logger;
  bodyLimitBytes: number;
  /** Read per request, so enableCors()/disableCors() take effect at once. */
  cors(): CorsPolicy | undefined;
  /** Registers a running invocation so shutdown can wait for it, or abort it past the grace period. */
  track(controller: AbortController, done: Promise<unknown>): void;
}

const NDJSON = "application/x-ndjson; charset=utf-8";

/**
 * The seed's ASGI app as a plain node:http listener:
 *   GET /health, GET /functions (every component's metadata, workflows and entities included, each
 *   with its `type`), GET /workflows (workflows only), GET /entities (entities only, with their
 *   methods), POST /invoke/{name} (JSON body -> {"result": ...}), and for entity methods
 *   POST /invoke/{type}/{method}?key={key}.
 * Streaming functions answer NDJSON with the coordinator gateway's envelopes
 * ({"type":"chunk","seq":n,"data":...} ... {"type":"done"} | {"type":"error"}), so a failure after
 * the first chunk can still be reported and the same client code reads both.
 *
 * There is no coordinator here, so nothing is journaled: a workflow (or a function using ctx.step)
 * runs once, in process, with core's local durable context. ctx.step runs its function directly,
 * ctx.sleep really waits, ctx.task/ctx.spawn of a definition call it in process; operations that
 * need a coordinator (signals, approvals, cron timers, calls by service name) fail with
 * NOT_IN_WORKER. Entity methods run on core's localEntityStore: state in this process's memory
 * per (type, key), writes one at a time per key, lost when the process exits. Run on the standalone
 * runtime for durability.
 */
export function createHttpRequestHandler(options: HttpRequestHandlerOptions): HttpRequestListener {
  const { components, logger } = options;

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const policy = options.cors();
    if (policy) applyCors(req, res, policy);
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname.replace(/\/+$/, "") || "/";

    if (req.method === "OPTIONS") {
      res.writeHead(204, { Allow: "GET, POST, OPTIONS" }).end();
      return;
    }
    if (path === "/health") {
      requireMethod(req, "GET");
      sendJson(res, 200, { status: "healthy", service: options.serviceName, version: options.serviceVersion });
      return;
    }
    if (path === "/functions") {
      requireMethod(req, "GET");
      sendJson(
        res,
        200,
        components.list().map((component) => component.metadata),
      );
      return;
    }
    if (path === "/workflows") {
      requireMethod(req, "GET");
      sendJson(
        res,
        200,
        components
          .list()
          .filter((component) => component.kind === "workflow")
          .map((component) => component.metadata),
      );
      return;
    }
    if (path === "/entities") {
      requireMethod(req, "GET");
      sendJson(
        res,
        200,
        components
          .list()
          .filter((component) => component.kind === "entity")
          .map((component) => component.metadata),
      );
      return;
    }
    const invoke = /^\/invoke\/([^/]+)$/.exec(path);
    if (invoke?.[1]) {
      requireMethod(req, "POST");
      await invokeFunction(decodeURIComponent(invoke[1]), req, res);
      return;
    }
    const invokeMethod = /^\/invoke\/([^/]+)\/([^/]+)$/.exec(path);
    if (invokeMethod?.[1] && invokeMethod[2]) {
      requireMethod(req, "POST");
      const type = decodeURIComponent(invokeMethod[1]);
      await invokeEntity(type, decodeURIComponent(invokeMethod[2]), url.searchParams.get("key"), req, res);
      return;
    }
    throw new HttpRequestError(
      404,
      "NOT_FOUND",
      `No route for ${req.method} ${url.pathname}: use GET /health, GET /functions, GET /workflows, GET /entities, ` +
        "POST /invoke/{name} or POST /invoke/{type}/{method}?key={key}",
    );
  };

  const invokeFunction = async (name: string, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const definition = components.get(name);
    if (!definition) {
      const names = components.list().map((component) => component.name);
      const registered = names.length ? `registered functions: ${names.join(", ")}` : "no functions are registered";
      throw new HttpRequestError(404, "COMPONENT_NOT_FOUND", `Function "${name}" not found (${registered})`, {
        registered: names,
      });
    }
    if (definition.kind === "entity") {
      const methods = Object.keys(definition.methods);
      throw new HttpRequestError(
        400,
        "INVALID_ARGUMENT",
        `${name} is an entity: call a method with POST /invoke/${name}/{method}?key={key} ` +
          `(methods: ${methods.join(", ") || "none"})`,
        { methods },
      );
    }
    const input = parseJsonBody(await readBody(req, options.bodyLimitBytes));
    const controller = new AbortController();
    // A caller that hangs up cancels the invocation (a streaming handler stops at its next chunk).
    res.on("close", () => {
      if (!res.writableFinished)
        controller.abort(new TerminalError("The HTTP client disconnected", { code: "CANCELLED" }));
    });
    const done = runFunction(definition, input, req, res, controller);
    options.track(controller, done);
    await done;
  };

  const invokeEntity = async (
    type: string,
    methodName: string,
    key: string | null,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> => {
    const definition = components.get(type);
    if (definition?.kind !== "entity") {
      const names = components
        .list()
        .filter((component) => component.kind === "entity")
        .map((component) => component.name);
      const registered = names.length ? `registered entities: ${names.join(", ")}` : "no entities are registered";
      throw new HttpRequestError(404, "COMPONENT_NOT_FOUND", `Entity "${type}" not found (${registered})`, {
        registered: names,
      });
    }
    if (!definition.method(methodName)) {
      throw new EntityMethodNotFoundError(type, methodName, Object.keys(definition.methods));
    }
    if (!key) {
      throw new HttpRequestError(
        400,
        "INVALID_ARGUMENT",
        `POST /invoke/${type}/${methodName} needs the entity key: ?key={key}`,
      );
    }
    const input = parseJsonBody(await readBody(req, options.bodyLimitBytes));
    const controller = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished)
        controller.abort(new TerminalError("The HTTP client disconnected", { code: "CANCELLED" }));
    });
    const done = runEntityMethod(definition, methodName, key, input, req, res, controller);
    options.track(controller, done);
    await done;
  };

  const runEntityMethod = async (
    definition: AnyEntityDefinition,
    methodName: string,
    key: string,
    input: unknown,
    req: IncomingMessage,
    res: ServerResponse,
    controller: AbortController,
  ): Promise<void> => {
    const invocationId = `http-${randomUUID()}`;
    const label = `${definition.name}.${methodName}`;
    const parent = createExecutionContext({
      invocationId,
      componentType: "entity",
      componentName: definition.name,
      metadata: { service_name: options.serviceName, service_version: options.serviceVersion },
      headers: flattenHeaders(req),
      logger: logger.child({ invocationId, component: definition.name, method: methodName, key }),
      signal: controller.signal,
    });
    res.setHeader("agnt5-invocation-id", invocationId);
    try {
      const output = await localEntityStore.call(definition, key, methodName, input, { parent, invocationId });
      sendJson(res, 200, { result: output ?? null });
    } catch (error) {
      sendError(res, error, label);
    }
  };

  const runFunction = async (
    definition: Exclude<ComponentDefinition, { kind: "entity" }>,
    input: unknown,
    req: IncomingMessage,
    res: ServerResponse,
    controller: AbortController,
  ): Promise<void> => {
    const invocationId = `http-${randomUUID()}`;
    const ctx = createExecutionContext({
      invocationId,
      componentType: definition.kind,
      componentName: definition.name,
      metadata: { service_name: options.serviceName, service_version: options.serviceVersion },
      headers: flattenHeaders(req),
      logger: logger.child({ invocationId, component: definition.name }),
      signal: controller.signal,
    });
    res.setHeader("agnt5-invocation-id", invocationId);
    try {
      const result = await invokeComponent(definition, input, ctx);
      if (!result.streaming) {
        sendJson(res, 200, { result: result.output ?? null });
        return;
      }
      const iterator = result.chunks[Symbol.asyncIterator]();
      // Wait for the first chunk before committing to 200, so early failures get a real status.
      let step = await iterator.next();
      res.writeHead(200, { "Content-Type": NDJSON, "Cache-Control": "no-cache" });
      try {
        for (let seq = 0; !step.done; seq += 1) {
          await writeLine(res, { type: "chunk", seq, data: step.value });
          step = await iterator.next();
        }
        if (!res.destroyed) res.end(`${JSON.stringify({ type: "done", invocationId })}\n`);
      } catch (error) {
        const failure = serializeError(error);
        logFailure(definition.name, error, 200);
        if (!res.destroyed)
          res.end(`${JSON.stringify({ type: "error", error: { code: failure.code, message: failure.message } })}\n`);
      }
    } catch (error) {
      sendError(res, error, definition.name);
    }
  };

  const logFailure = (functionName: string | undefined, error: unknown, status: number) => {
    const failure = serializeError(error);
    const message = functionName ? `Function ${functionName} failed: ${failure.message}` : failure.message;
    // Requests refused before any handler ran (route, method, body) are answered and logged at debug;
    // handler outcomes get the standalone runtime's levels (see failure-log-level.ts).
    if (error instanceof HttpRequestError) {
      logger.debug({ code: failure.code, status }, message);
      return;
    }
    const { level, withStack } = failureLogLevel(failure);
    logger[level](
      { code: failure.code, status, ...(withStack && failure.stack ? { stack: failure.stack } : {}) },
      message,
    );
  };

  const sendError = (res: ServerResponse, error: unknown, functionName?: string) => {
    const failure = serializeError(error);
    const status = error instanceof HttpRequestError ? error.status : httpStatusForCode(failure.code);
    // The seed's shape: {"error": "Function failing_function failed: Something went wrong", "status": 500}.
    const message =
      functionName && status >= 500 ? `Function ${functionName} failed: ${failure.message}` : failure.message;
    logFailure(functionName, error, status);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // A refused upload may still be arriving: close the connection rather than read it all.
    const headers: Record<string, string> = status === 413 ? { Connection: "close" } : {};
    sendJson(
      res,
      status,
      {
        error: message,
        code: failure.code,
        status,
        ...(failure.details === undefined ? {} : { details: failure.details }),
      },
      headers,
    );
  };

  return (req, res) => {
    route(req, res).catch((error: unknown) => {
      sendError(res, error);
      // Unread request bodies (a refused upload) must be drained for the response to reach the client.
      if (!req.readableEnded) req.resume();
    });
  };
}

function requireMethod(req: IncomingMessage, method: "GET" | "POST"): void {
  if (req.method === method || (method === "GET" && req.method === "HEAD")) return;
  throw new HttpRequestError(405, "METHOD_NOT_ALLOWED", `${req.method} is not allowed here; use ${method}`);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  let text: string;
  try {
    text = JSON.stringify(body);
  } catch (error) {
    throw new TerminalError(`Output is not JSON-serializable: ${(error as Error).message}`, { code: "INVALID_OUTPUT" });
  }
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", ...headers }).end(text);
}

/** Writes one NDJSON line, waiting when the socket's buffer is full (a slow reader slows the stream). */
function writeLine(res: ServerResponse, value: unknown): Promise<void> {
  const line = `${JSON.stringify(value)}\n`;
  if (res.destroyed || res.write(line)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}
