/**
 * Test-only: a local Bedrock Runtime on 127.0.0.1 (port 0) that speaks the real wire format, so the
 * real `@aws-sdk/client-bedrock-runtime` client runs against it unchanged. The Bedrock Runtime client
 * sends over HTTP/2 (its default request handler is `NodeHttp2Handler`; over `http://` that is
 * HTTP/2 with prior knowledge), so this is a `node:http2` server (its HTTP/1-style compatibility API):
 *
 * - `POST /model/{modelId}/converse` answers JSON (restJson1),
 * - `POST /model/{modelId}/converse-stream` answers `application/vnd.amazon.eventstream` binary frames
 *   (`:message-type` event or exception, `:event-type` / `:exception-type`, `:content-type`
 *   application/json), encoded with `@smithy/eventstream-codec`,
 * - `POST /model/{modelId}/invoke` answers the model's native JSON body (Titan embeddings),
 * - errors answer the status with `x-amzn-errortype` and `{ "message": ... }`, as Bedrock does.
 *
 * Each request takes the next scripted reply from a FIFO queue and is recorded with its parsed body.
 * A request with no reply queued gets a 500 and fails the test that made it.
 */
import { once } from "node:events";
import {
  createServer,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type Http2Session,
  type IncomingHttpHeaders,
} from "node:http2";
import type { AddressInfo, Socket } from "node:net";
import { EventStreamCodec, type MessageHeaders } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";

export type BedrockOperation = "converse" | "converse-stream" | "invoke";

export interface RecordedRequest {
  operation: BedrockOperation;
  /** The model id (or inference profile) from the path, URL-decoded. */
  modelId: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body. */
  body: any;
}

/** One frame of a ConverseStream response. */
export type StreamFrame =
  | { event: string; payload: unknown }
  /** A modeled exception in the stream (`:message-type` exception), e.g. `throttlingException`. */
  | { exception: string; payload: unknown }
  /** Pause before the next frame is written. */
  | { delayMs: number };

export type ScriptedReply =
  | { type: "json"; body: unknown; status?: number; headers?: Record<string, string> }
  /** A Bedrock error: `errorType` like "ThrottlingException", sent as `x-amzn-errortype`. */
  | { type: "error"; status: number; errorType: string; message: string; headers?: Record<string, string> }
  | {
      type: "event-stream";
      frames: StreamFrame[];
      /**
       * After the frames: "end" finishes the response (default), "cut" drops the TCP connection
       * mid-frame (half a frame is written first), "drop" drops it between two frames, "hang" keeps
       * the response open until the client gives up.
       */
      ending?: "end" | "cut" | "drop" | "hang";
    }
  /** Never answers (for aborts while the request is in flight). */
  | { type: "hang" };

export interface BedrockTestServer {
  /** e.g. http://127.0.0.1:41234: the `endpoint` for createBedrock. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Queues replies for the next requests, in order. */
  enqueue(...replies: ScriptedReply[]): void;
  /** Resolves when the server has received `count` requests in total. */
  waitForRequests(count: number): Promise<void>;
  /** How many requests the client reset before their response was complete (aborts, stopped reading). */
  readonly clientDisconnects: number;
  /** Resolves once `clientDisconnects` reaches `count`. */
  waitForClientDisconnects(count: number): Promise<void>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** Encodes one event-stream frame exactly as Bedrock does. */
export function encodeStreamFrame(
  frame: { event: string; payload: unknown } | { exception: string; payload: unknown },
) {
  const body = fromUtf8(JSON.stringify(frame.payload));
  const headers: MessageHeaders =
    "event" in frame
      ? {
          ":event-type": { type: "string", value: frame.event },
          ":content-type": { type: "string", value: "application/json" },
          ":message-type": { type: "string", value: "event" },
        }
      : {
          ":exception-type": { type: "string", value: frame.exception },
          ":content-type": { type: "string", value: "application/json" },
          ":message-type": { type: "string", value: "exception" },
        };
  return codec.encode({ headers, body });
}

const ROUTE = /^\/model\/([^/]+)\/(converse-stream|converse|invoke)$/;

export async function startBedrockTestServer(): Promise<BedrockTestServer> {
  const queue: ScriptedReply[] = [];
  const requests: RecordedRequest[] = [];
  const sessions = new Set<Http2Session>();
  // The raw TCP sockets by client port: HTTP/2 only hands out a guarded proxy of them.
  const sockets = new Map<number, Socket>();
  let requestWaiters: Array<{ count: number; resolve: () => void }> = [];
  let disconnectWaiters: Array<{ count: number; resolve: () => void }> = [];
  let clientDisconnects = 0;
  const cutByServer = new WeakSet<Http2ServerResponse>();
  let requestCounter = 0;

  const server: Http2Server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        response.writeHead(500, { "content-type": "text/plain" });
        response.end(`test server error: ${String(error)}`);
      }
    });
  });
  server.on("connection", (socket: Socket) => {
    const port = socket.remotePort;
    if (port === undefined) return;
    sockets.set(port, socket);
    socket.on("close", () => sockets.delete(port));
  });
  server.on("session", (session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
  });

  async function handle(request: Http2ServerRequest, response: Http2ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const match = ROUTE.exec(url.pathname);
    request.stream.on("close", () => {
      // The client reset the stream (RST_STREAM CANCEL: an abort, or it stopped reading) before the end.
      if (request.stream.rstCode !== 0 && !cutByServer.has(response)) {
        clientDisconnects += 1;
        const ready = disconnectWaiters.filter((waiter) => clientDisconnects >= waiter.count);
        disconnectWaiters = disconnectWaiters.filter((waiter) => clientDisconnects < waiter.count);
        for (const waiter of ready) waiter.resolve();
      }
    });
    if (request.method !== "POST" || match === null) {
      response.writeHead(404, { "content-type": "application/json", "x-amzn-errortype": "UnknownOperationException" });
      response.end(JSON.stringify({ message: `no route for ${request.method} ${url.pathname}` }));
      return;
    }
    requests.push({
      operation: match[2] as BedrockOperation,
      modelId: decodeURIComponent(match[1]!),
      path: url.pathname,
      headers: request.headers,
      body: raw === "" ? undefined : JSON.parse(raw),
    });
    const ready = requestWaiters.filter((waiter) => requests.length >= waiter.count);
    requestWaiters = requestWaiters.filter((waiter) => requests.length < waiter.count);
    for (const waiter of ready) waiter.resolve();

    const reply = queue.shift();
    const requestId = `00000000-0000-4000-8000-${String(++requestCounter).padStart(12, "0")}`;
    if (reply === undefined) {
      response.writeHead(500, { "content-type": "application/json", "x-amzn-errortype": "InternalServerException" });
      response.end(JSON.stringify({ message: `test server: no reply queued for ${url.pathname}` }));
      return;
    }
    switch (reply.type) {
      case "hang":
        return;
      case "json": {
        const body = JSON.stringify(reply.body);
        response.writeHead(reply.status ?? 200, {
          "content-type": "application/json",
          "x-amzn-requestid": requestId,
          ...reply.headers,
        });
        response.end(body);
        return;
      }
      case "error":
        response.writeHead(reply.status, {
          "content-type": "application/json",
          "x-amzn-requestid": requestId,
          "x-amzn-errortype": `${reply.errorType}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
          ...reply.headers,
        });
        response.end(JSON.stringify({ message: reply.message }));
        return;
      case "event-stream":
        await writeEventStream(response, reply, requestId);
        return;
    }
  }

  async function writeEventStream(
    response: Http2ServerResponse,
    reply: Extract<ScriptedReply, { type: "event-stream" }>,
    requestId: string,
  ): Promise<void> {
    response.writeHead(200, {
      "content-type": "application/vnd.amazon.eventstream",
      "x-amzn-requestid": requestId,
    });
    for (const frame of reply.frames) {
      if (response.destroyed) return;
      if ("delayMs" in frame) {
        await new Promise((resolve) => setTimeout(resolve, frame.delayMs));
        continue;
      }
      response.write(encodeStreamFrame(frame));
    }
    switch (reply.ending ?? "end") {
      case "end":
        response.end();
        return;
      case "hang":
        return;
      case "cut":
      case "drop": {
        if (reply.ending === "cut") {
          const partial = encodeStreamFrame({
            event: "contentBlockDelta",
            payload: { contentBlockIndex: 0, delta: { text: "lost" } },
          });
          response.write(partial.subarray(0, Math.floor(partial.length / 2)));
        }
        // Let what was written reach the client, then drop the TCP connection without ending the stream.
        await new Promise((resolve) => setTimeout(resolve, 20));
        cutByServer.add(response);
        const port = response.stream.session?.socket.remotePort;
        if (port !== undefined) sockets.get(port)?.destroy();
        return;
      }
    }
  }

  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= new Promise<void>((resolve, reject) => {
      for (const session of sessions) session.destroy();
      server.close((error) => (error ? reject(error) : resolve()));
    }));

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...replies) => queue.push(...replies),
    waitForRequests: (count) =>
      requests.length >= count
        ? Promise.resolve()
        : new Promise<void>((resolve) => requestWaiters.push({ count, resolve })),
    get clientDisconnects() {
      return clientDisconnects;
    },
    waitForClientDisconnects: (count) =>
      clientDisconnects >= count
        ? Promise.resolve()
        : new Promise<void>((resolve) => disconnectWaiters.push({ count, resolve })),
    close,
    [Symbol.asyncDispose]: close,
  };
}
