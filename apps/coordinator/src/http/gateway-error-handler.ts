/**
 * Every error the gateway answers has our shape {error: {code, message}} with a code from the one
 * table in ../errors.ts: our own CoordinatorErrors, Fastify's errors (bad URL, bad content length,
 * body too large, ...), the HTTP parser's (malformed request lines and headers), and store errors
 * caused by the caller's data. Only a coordinator bug is a 500, and only it is logged as an error.
 */
import { type ServerResponse, STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { CoordinatorError, errorBody, httpStatusFor } from "../errors.js";
import type { Logger } from "../logger.js";
import { storeDataProblem } from "../store-data-error.js";
import { drainUpload } from "./drain-upload.js";
import { MAX_RAW_PARAM_LENGTH } from "./path-params.js";

/** A 413 reads at most this many times the body limit of the rest of the upload before closing. */
const DRAIN_FACTOR = 4;
const DRAIN_MAX_MS = 30_000;

/** Our code for a Fastify error's 4xx status (the status then comes from the table). */
const CODE_BY_FRAMEWORK_STATUS: Record<number, string> = {
  404: "ROUTE_NOT_FOUND",
  408: "REQUEST_TIMEOUT",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  431: "HEADERS_TOO_LARGE",
};

/** Long enough to recognise a path, short enough not to echo a megabyte back. */
export function shortened(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}... (${text.length} characters)` : text;
}

function send(reply: FastifyReply, code: string, message: string, details?: unknown, invocationId?: string) {
  if (invocationId) reply.header("agnt5-invocation-id", invocationId);
  return reply.status(httpStatusFor(code)).send(errorBody(code, message, details, invocationId));
}

export function gatewayErrorHandler(logger: Logger, maxBodyBytes: number) {
  return async (error: FastifyError | CoordinatorError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof CoordinatorError) {
      return send(reply, error.code, error.message, error.details, error.invocationId);
    }
    if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      // Fastify answers before reading an announced oversize body: read it (bounded) so the
      // client, still uploading, receives the 413 instead of a broken pipe.
      const drained = await drainUpload(request.raw, DRAIN_FACTOR * maxBodyBytes, DRAIN_MAX_MS);
      if (!drained) reply.header("connection", "close");
      return send(
        reply,
        "PAYLOAD_TOO_LARGE",
        `Request body exceeds the limit of ${maxBodyBytes} bytes (AGNT5_MAX_BODY_BYTES)`,
      );
    }
    const dataProblem = storeDataProblem(error);
    if (dataProblem) {
      logger.warn(
        { url: shortened(request.url), reason: error.message },
        "Request refused: the store cannot hold its data",
      );
      return send(
        reply,
        "INVALID_REQUEST",
        `The request holds data the store cannot keep (${dataProblem}): ${error.message}`,
      );
    }
    if (typeof error.statusCode === "number" && error.statusCode < 500) {
      return send(reply, CODE_BY_FRAMEWORK_STATUS[error.statusCode] ?? "INVALID_REQUEST", error.message);
    }
    logger.error({ err: error, url: shortened(request.url) }, "Gateway request failed");
    return send(reply, "INTERNAL", "Internal coordinator error; see the coordinator logs");
  };
}

/** Fastify's `frameworkErrors`: errors raised while routing, before any hook (a URL that does not decode, an over-long parameter). */
export function gatewayFrameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const path = shortened(request.url);
  if (error.code === "FST_ERR_BAD_URL") {
    return send(
      reply,
      "INVALID_REQUEST",
      `The URL path ${path} is not valid: its percent-encoding is malformed or does not decode to UTF-8`,
    );
  }
  if (error.code === "FST_ERR_MAX_PARAM_LENGTH") {
    return send(
      reply,
      "INVALID_ID",
      `A path parameter of ${path} is longer than ${MAX_RAW_PARAM_LENGTH} characters (percent-encoded)`,
    );
  }
  return send(reply, "INVALID_REQUEST", `The request could not be routed: ${error.message}`);
}

/**
 * The HTTP server's `clientError`: the request could not even be parsed (bad request line, method,
 * header or content-length). Node would answer a bare 400; this writes our body, then closes.
 */
export function gatewayClientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  // The bad bytes came after a request still being answered (a body longer than its
  // content-length, say): that request gets its answer first, as HTTP/1.1 answers in order.
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  const closeAsked = error.code === "HPE_CLOSED_CONNECTION";
  if (inFlight && !inFlight.writableFinished) {
    // After `Connection: close` the client reads nothing more: its answer ends the connection.
    if (!closeAsked) inFlight.once("finish", () => answerClientError(error, socket));
    return;
  }
  if (closeAsked) return void socket.destroy();
  answerClientError(error, socket);
}

function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (socket.destroyed) return;
  if (!socket.writable) return void socket.destroy();
  const code =
    error.code === "ERR_HTTP_REQUEST_TIMEOUT"
      ? "REQUEST_TIMEOUT"
      : error.code === "HPE_HEADER_OVERFLOW"
        ? "HEADERS_TOO_LARGE"
        : "INVALID_REQUEST";
  const message =
    code === "REQUEST_TIMEOUT"
      ? "The request was not received in time"
      : code === "HEADERS_TOO_LARGE"
        ? "The request's headers are too large"
        : `Malformed HTTP request (${error.code ?? "parse error"}: ${(error as { reason?: string }).reason ?? error.message})`;
  const status = httpStatusFor(code);
  const body = JSON.stringify(errorBody(code, message));
  // The answer to a HEAD has headers only (its client would read a body as a next response).
  const head = (error as { rawPacket?: Buffer }).rawPacket?.subarray(0, 5).toString("latin1") === "HEAD ";
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${head ? "" : body}`,
  );
}
