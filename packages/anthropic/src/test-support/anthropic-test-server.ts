import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for api.anthropic.com: a real HTTP server on port 0 that records each request
 * and answers with scripted responses in Anthropic's wire format (JSON bodies, or `text/event-stream`
 * with `event:` and `data:` lines). The SDK under test talks to it over real HTTP, so its transport,
 * SSE parser and error classes run for real.
 */

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body. */
  body: any;
  /** Resolves when the response's connection closes (finished, or dropped by the client). */
  closed: Promise<void>;
}

export type ScriptedResponse =
  | { type: "json"; status?: number; body: unknown; headers?: Record<string, string> }
  | {
      type: "sse";
      /** The event stream, as text (a fixture file) or as pre-split chunks. */
      events: string | string[];
      headers?: Record<string, string>;
      /** After sending this many events: "cut" destroys the socket, "hang" keeps it open and silent, "end" ends cleanly. */
      stopAfter?: { events: number; afterwards: "cut" | "hang" | "end" };
    }
  /** Reads the request and never answers (for aborts before the first byte). */
  | { type: "hang" };

export interface AnthropicTestServer {
  /** Root URL to pass as `baseURL` (the SDK adds /v1/messages). */
  readonly baseURL: string;
  readonly requests: RecordedRequest[];
  /** Queues responses, answered in order; a request with none queued gets a 500 and fails the test. */
  enqueue(...responses: ScriptedResponse[]): void;
  /** Resolves once `count` requests have arrived. */
  waitForRequests(count: number): Promise<void>;
  close(): Promise<void>;
}

const fixturesDirectory = new URL("../__fixtures__/", import.meta.url);

export function readFixture(name: string): string {
  return readFileSync(new URL(name, fixturesDirectory), "utf8");
}

export function readJsonFixture(name: string): any {
  return JSON.parse(readFixture(name));
}

/** Splits an SSE text into its events (each with its trailing blank line). */
export function splitSseEvents(text: string): string[] {
  return text
    .split(/\n\n+/)
    .filter((event) => event.trim() !== "")
    .map((event) => `${event}\n\n`);
}

/** Formats one SSE event as Anthropic sends it. */
export function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export async function startAnthropicTestServer(): Promise<AnthropicTestServer> {
  const requests: RecordedRequest[] = [];
  const queue: ScriptedResponse[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    const closed = new Promise<void>((resolve) => response.once("close", () => resolve()));
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      requests.push({
        method: request.method ?? "",
        url: request.url ?? "",
        headers: request.headers,
        body: text === "" ? undefined : JSON.parse(text),
        closed,
      });
      for (const waiter of waiters.filter((waiter) => requests.length >= waiter.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      const scripted = queue.shift();
      if (!scripted) {
        respondJson(response, 500, {
          type: "error",
          error: { type: "api_error", message: "test server: nothing queued" },
        });
        return;
      }
      void respond(response, scripted);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...responses) => queue.push(...responses),
    waitForRequests: (count) =>
      requests.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve })),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

const requestId = "req_011CZ3hG4X3NMmVv3pnv2Ex8";

function respondJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, { "content-type": "application/json", "request-id": requestId, ...headers });
  response.end(JSON.stringify(body));
}

async function respond(response: ServerResponse, scripted: ScriptedResponse): Promise<void> {
  if (scripted.type === "hang") return;
  if (scripted.type === "json") {
    respondJson(response, scripted.status ?? 200, scripted.body, scripted.headers);
    return;
  }
  response.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    "request-id": requestId,
    ...scripted.headers,
  });
  const events = typeof scripted.events === "string" ? splitSseEvents(scripted.events) : scripted.events;
  const limit = scripted.stopAfter?.events ?? events.length;
  for (const event of events.slice(0, limit)) {
    if (response.destroyed) return;
    response.write(event);
    // Let each event go out in its own TCP write, as a real stream does.
    await new Promise((resolve) => setImmediate(resolve));
  }
  switch (scripted.stopAfter?.afterwards) {
    case "cut":
      response.socket?.destroy();
      return;
    case "hang":
      return;
    default:
      response.end();
  }
}
