/**
 * A local HTTP server (port 0) that speaks OpenAI's wire format, so tests run the real SDK (fetch,
 * SSE parsing, error classes) against recorded-style payloads. Each request takes the next queued
 * response; the request (method, path, query, headers, parsed JSON body) is recorded.
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  /** Path without the query string: "/v1/chat/completions". */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: any;
  /** Resolves when the client closed the connection before the response was complete. */
  closedEarly: Promise<void>;
}

export type PlannedResponse =
  /** A JSON body (any status). */
  | { type: "json"; status?: number; headers?: Record<string, string>; body: unknown }
  /** A raw body (for non-JSON error pages). */
  | { type: "text"; status: number; headers?: Record<string, string>; body: string }
  /**
   * An SSE body: each event is written as `<event>\n\n` (pass full lines: `data: {...}`). After the
   * events: `end` (default) ends the response, `destroy` cuts the socket, `hold` keeps it open.
   */
  | { type: "sse"; events: string[]; after?: "end" | "destroy" | "hold"; delayMs?: number }
  /** Never answers (the client must abort). */
  | { type: "hang" };

export interface OpenAITestServer {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly requests: RecordedRequest[];
  enqueue(...responses: PlannedResponse[]): void;
  /** Resolves with the next request that arrives (call it before the request is sent). */
  nextRequest(): Promise<RecordedRequest>;
  reset(): void;
  close(): Promise<void>;
}

export async function startOpenAITestServer(): Promise<OpenAITestServer> {
  const queue: PlannedResponse[] = [];
  const requests: RecordedRequest[] = [];
  let waiters: Array<(request: RecordedRequest) => void> = [];
  const open = new Set<ServerResponse>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://localhost");
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = text;
      try {
        body = text === "" ? undefined : JSON.parse(text);
      } catch {}
      open.add(res);
      const closedEarly = new Promise<void>((resolve) => {
        res.on("close", () => {
          open.delete(res);
          if (!res.writableFinished) resolve();
        });
      });
      const request: RecordedRequest = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
        closedEarly,
      };
      requests.push(request);
      const current = waiters;
      waiters = [];
      for (const waiter of current) waiter(request);
      void respond(res, queue.shift());
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...responses) => queue.push(...responses),
    nextRequest: () => new Promise((resolve) => waiters.push(resolve)),
    reset: () => {
      queue.length = 0;
      requests.length = 0;
    },
    close: async () => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

async function respond(res: ServerResponse, planned: PlannedResponse | undefined): Promise<void> {
  if (planned === undefined) {
    writeJson(res, 599, { error: { message: "test server: no response queued", type: "test_error" } });
    return;
  }
  switch (planned.type) {
    case "json":
      writeJson(res, planned.status ?? 200, planned.body, planned.headers);
      return;
    case "text":
      res.writeHead(planned.status, { "content-type": "text/plain", ...planned.headers });
      res.end(planned.body);
      return;
    case "hang":
      return;
    case "sse": {
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache",
        "x-request-id": "req_test_stream",
      });
      res.flushHeaders();
      for (const event of planned.events) {
        if (res.destroyed) return;
        res.write(`${event}\n\n`);
        await new Promise((resolve) => setTimeout(resolve, planned.delayMs ?? 1));
      }
      if (planned.after === "destroy") res.socket?.destroy();
      else if (planned.after !== "hold") res.end();
      return;
    }
  }
}

function writeJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", "x-request-id": "req_test", ...headers });
  res.end(JSON.stringify(body));
}

/** A JSON fixture from src/__fixtures__/. */
export function jsonFixture(name: string): any {
  return JSON.parse(readFileSync(new URL(`../__fixtures__/${name}`, import.meta.url), "utf8"));
}

/** A recorded SSE body from src/__fixtures__/ (one `data: ...` line per event; blank lines ignored). */
export function sseFixture(name: string): string[] {
  return readFileSync(new URL(`../__fixtures__/${name}`, import.meta.url), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "");
}

/** Drains a stream into an array. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const parts: T[] = [];
  for await (const part of iterable) parts.push(part);
  return parts;
}

/**
 * A fetch for the SDK that sends every request to the test server instead (keeping path and query)
 * and records the URL the SDK meant to call, so default base URLs can be checked without a network.
 */
export function redirectingFetch(server: OpenAITestServer, intendedUrls: string[]): typeof fetch {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    intendedUrls.push(url.href);
    return fetch(`${server.url}${url.pathname}${url.search}`, init);
  };
}
