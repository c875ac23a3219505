/** Test-only helpers for talking to the gateway with the global fetch and for waiting without sleeps. */

export interface GatewayResponse<T = any> {
  status: number;
  headers: Headers;
  /** The raw body text (to check what is NOT in it, e.g. a stack trace). */
  text: string;
  /** The body parsed as JSON; undefined when it is empty or not JSON. */
  body: T;
}

/** The gateway's error body. */
export interface GatewayErrorBody {
  error: { code: string; message: string; details?: any; invocationId?: string };
}

export async function send<T = any>(url: string, init: RequestInit = {}): Promise<GatewayResponse<T>> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: any;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

/** POSTs `value` encoded as JSON. */
export function postJson<T = any>(
  url: string,
  value: unknown,
  headers: Record<string, string> = {},
): Promise<GatewayResponse<T>> {
  return postText<T>(url, JSON.stringify(value), headers);
}

/** POSTs `text` verbatim as application/json (to send malformed JSON). */
export function postText<T = any>(
  url: string,
  text: string,
  headers: Record<string, string> = {},
): Promise<GatewayResponse<T>> {
  return send<T>(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: text });
}

export const base64 = (text: string): string => Buffer.from(text, "utf8").toString("base64");
export const base64Json = (value: unknown): string => base64(JSON.stringify(value));

/**
 * Calls `read` with growing pauses (10 ms doubling to 200 ms) until `done` accepts its value; fails
 * with the last value after `timeoutMs`. For "eventually" assertions without fixed sleeps.
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 10_000, what = "condition" }: { timeoutMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() >= deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(value)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve(value: T): void;
  readonly settled: boolean;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let settled = false;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return {
    promise,
    resolve: (value) => {
      settled = true;
      resolve(value);
    },
    get settled() {
      return settled;
    },
  };
}

/** Rejects with `message` if `promise` has not settled within `ms` (instead of hanging until the test timeout). */
export async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${message} (not within ${ms} ms)`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reads a response body line by line as bytes arrive. `next()` resolves with the next complete
 * line (without its terminator), or undefined at the end of the body.
 */
export class LineReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  #buffered = "";
  #done = false;

  constructor(body: ReadableStream<Uint8Array>) {
    this.#reader = body.getReader();
  }

  async next(): Promise<string | undefined> {
    for (;;) {
      const newline = this.#buffered.indexOf("\n");
      if (newline !== -1) {
        const line = this.#buffered.slice(0, newline).replace(/\r$/, "");
        this.#buffered = this.#buffered.slice(newline + 1);
        return line;
      }
      if (this.#done) {
        const rest = this.#buffered;
        this.#buffered = "";
        return rest === "" ? undefined : rest;
      }
      const { value, done } = await this.#reader.read();
      if (done) {
        this.#done = true;
        this.#buffered += this.#decoder.decode();
      } else {
        this.#buffered += this.#decoder.decode(value, { stream: true });
      }
    }
  }

  /** Every remaining line. */
  async rest(): Promise<string[]> {
    const lines: string[] = [];
    for (let line = await this.next(); line !== undefined; line = await this.next()) lines.push(line);
    return lines;
  }

  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}

/** Parses an SSE body into its events ({event, data}), in order. */
export function parseSse(text: string): { event: string; data: string }[] {
  const events: { event: string; data: string }[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    if (block.trim() === "") continue;
    let event = "message";
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    events.push({ event, data: data.join("\n") });
  }
  return events;
}
