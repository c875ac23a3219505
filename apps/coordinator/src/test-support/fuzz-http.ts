/**
 * Test-only: exact HTTP requests for fuzzing the gateway. `fetch` normalises URLs (resolves "..",
 * turns "\" into "/", re-encodes) and refuses some headers; node:http sends the path and headers
 * byte for byte, so a generated request reaches the gateway as generated.
 */
import http from "node:http";
import net from "node:net";
import { type Logger, pino } from "pino";

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export interface RawRequest {
  method: string;
  /** Already percent-encoded: sent as is. */
  path: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
}

/** One request over node:http (a fresh connection each time, so no request can poison the next). */
export function rawRequest(baseUrl: string, request: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: request.method,
        path: request.path,
        // node:http sends a GET's body without a length (the server then reads it as the next request).
        headers: {
          ...(request.body === undefined ? {} : { "content-length": String(Buffer.byteLength(request.body)) }),
          ...request.headers,
        },
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        response.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(request.body);
  });
}

/**
 * Writes `bytes` on a bare TCP connection and reads until the server closes it: for requests
 * node:http refuses to send (a malformed request line, a bad content-length).
 */
export function rawSocketExchange(
  baseUrl: string,
  bytes: string,
  /** false: keep our side open until the server closes (Node aborts pending requests of a half-closed client). */
  { halfClose = true }: { halfClose?: boolean } = {},
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port) });
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const [head = "", ...rest] = raw.split("\r\n\r\n");
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      const headers: http.IncomingHttpHeaders = {};
      for (const line of head.split("\r\n").slice(1)) {
        const colon = line.indexOf(":");
        if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status, headers, text: rest.join("\r\n\r\n") });
    });
    if (halfClose) socket.end(bytes);
    else socket.write(bytes);
  });
}

/** A logger whose error-level (and worse) lines are kept, to prove a client's mistake is not logged as our error. */
export function capturingLogger(): { logger: Logger; errors: Array<Record<string, unknown>> } {
  const errors: Array<Record<string, unknown>> = [];
  const logger = pino(
    { name: "agnt5.coordinator", level: "warn" },
    {
      write(line: string) {
        const entry = JSON.parse(line) as Record<string, unknown>;
        if (typeof entry.level === "number" && entry.level >= 50) errors.push(entry);
      },
    },
  );
  return { logger, errors };
}
