import { AdminApiError, AdminClient } from "@agnt5/admin-client";
import { classifyFetchFailure, fetchTrustingCa, parseBaseUrls, safeToRepeat } from "@agnt5/sdk/client";
import { CliError, EXIT, exitCodeForStatus, unreachable } from "./errors.js";

export const DEFAULT_URL = "http://127.0.0.1:8080";

/** The options every command takes (program-level). */
export interface GlobalOptions {
  url?: string;
  json?: boolean;
  /** PEM CA file for an https:// coordinator with a private CA (--ca / AGNT5_TLS_CA_FILE). */
  ca?: string;
  /** API key sent as Authorization: Bearer (--api-key / AGNT5_API_KEY). */
  apiKey?: string;
}

/** Where a command writes; tests and the dev mode pass their own. */
export interface Streams {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * What a command needs: the coordinator's URL, the admin client, a gateway request helper, and
 * where to write. `lastBody` is the text of the last answer, so `--json` prints exactly the API's JSON
 * (the admin client parses answers with its schemas, which would drop fields it does not know).
 */
export class CliContext {
  /** The coordinator's HTTP address (the first, when --url / AGNT5_URL lists several). */
  readonly url: string;
  /** Every address given (comma-separated): requests move to the next when one cannot be reached. */
  readonly urls: readonly string[];
  readonly json: boolean;
  readonly admin: AdminClient;
  lastBody: string | undefined;
  readonly #httpFetch: typeof fetch;
  readonly #auth: Record<string, string>;
  /** Index in `urls` of the address that answered last. */
  #current = 0;

  constructor(
    options: GlobalOptions,
    readonly streams: Streams,
  ) {
    try {
      this.urls = parseBaseUrls(options.url ?? process.env.AGNT5_URL ?? DEFAULT_URL);
    } catch (error) {
      throw new CliError(`${(error as Error).message} (--url / AGNT5_URL)`, { exitCode: EXIT.USAGE });
    }
    this.url = this.urls[0] as string;
    this.json = options.json === true;
    const ca = options.ca ?? (process.env.AGNT5_TLS_CA_FILE?.trim() || undefined);
    this.#httpFetch = ca ? fetchTrustingCa({ file: ca }) : fetch;
    const apiKey = options.apiKey ?? (process.env.AGNT5_API_KEY?.trim() || undefined);
    this.#auth = apiKey ? { authorization: `Bearer ${apiKey}` } : {};
    this.admin = new AdminClient({
      baseUrl: this.url,
      fetch: (input, init) => this.#fetch(input, init),
      ...(apiKey ? { apiKey } : {}),
    });
  }

  /** Whether requests carry an API key (the coordinator then records the key's name as an approver). */
  get hasApiKey(): boolean {
    return "authorization" in this.#auth;
  }

  /** Calls the admin API, turning its errors into CliErrors with a meaningful exit code. */
  async adminCall<T>(call: (admin: AdminClient) => Promise<T>): Promise<T> {
    try {
      return await call(this.admin);
    } catch (error) {
      throw this.#toCliError(error);
    }
  }

  /** A request to the gateway (/v1/...): the raw answer on 2xx, a CliError otherwise. */
  async gateway(
    method: "GET" | "POST",
    path: string,
    options: { body?: string; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; headers: Headers; text: string }> {
    const url = this.url + path;
    const response = await this.#fetch(url, {
      method,
      headers: {
        accept: "application/json",
        ...(options.body === undefined ? {} : { "content-type": "application/json" }),
        ...this.#auth,
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { body: options.body }),
    }).catch((error: unknown) => {
      throw error instanceof CliError ? error : unreachable(this.url, error);
    });
    const text = await response.text();
    this.lastBody = text;
    if (!response.ok) {
      // A script reading --json gets the API's error document too (and the exit code says what failed).
      if (this.json && text) this.out(text);
      throw apiError(response.status, text, `${method} ${path}`);
    }
    return { status: response.status, headers: response.headers, text };
  }

  out(text: string): void {
    this.streams.out.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  err(text: string): void {
    this.streams.err.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  /** `--json`: the last answer's text as the API sent it; otherwise the human rendering. */
  print(human: () => string): void {
    if (this.json) this.out(this.lastBody ?? "null");
    else this.out(human());
  }

  async #fetch(input: string, init?: RequestInit): Promise<Response> {
    const response = await this.#fetchAnyUrl(input, init);
    // Keep the body for --json, and hand the client an identical copy to parse.
    const text = await response.text();
    this.lastBody = text;
    return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
  }

  /**
   * `input` is under `url`; with several addresses it goes to the one that answered last, and on to
   * the next when it cannot be reached (nothing sent), or when its connection broke after sending
   * and the request is safe to repeat (GET, or an idempotency key), as the SDK's Client does.
   */
  async #fetchAnyUrl(input: string, init: RequestInit = {}): Promise<Response> {
    if (this.urls.length === 1) return this.#httpFetch(input, init);
    const path = input.slice(this.url.length);
    const repeatable = safeToRepeat(init.method ?? "GET", (init.headers ?? {}) as Record<string, string>);
    let lastError: unknown;
    for (let tried = 0; tried < this.urls.length; tried++) {
      const index = (this.#current + tried) % this.urls.length;
      const url = `${this.urls[index]}${path}`;
      try {
        const response = await this.#httpFetch(url, init);
        this.#current = index;
        return response;
      } catch (error) {
        const failure = classifyFetchFailure(error);
        if (failure !== "not-sent" && !repeatable) {
          if (failure === "unknown") throw unreachable(this.urls[index] as string, error);
          throw new CliError(
            `The connection to the coordinator at ${this.urls[index]} broke after ${init.method ?? "GET"} ${path} was sent: ` +
              "its outcome is unknown (it may have been carried out), so it is not repeated on another address. Check before trying again.",
            { exitCode: EXIT.FAILED, code: "OUTCOME_UNKNOWN" },
          );
        }
        lastError = error;
      }
    }
    throw unreachable(this.urls.join(", "), lastError);
  }

  #toCliError(error: unknown): CliError {
    if (error instanceof CliError) return error;
    // A CliError from #fetchAnyUrl, wrapped by the admin client as a network error.
    const cause = (error as { cause?: unknown } | undefined)?.cause;
    if (cause instanceof CliError) return cause;
    if (error instanceof AdminApiError) {
      if (error.status === 0) return unreachable(this.url, (error as { cause?: unknown }).cause ?? error);
      if (this.json && this.lastBody) this.out(this.lastBody);
      return fromCode(error.status, error.code, error.message);
    }
    return new CliError((error as Error).message ?? String(error), { exitCode: EXIT.FAILED });
  }
}

/** A CliError from an HTTP error answer in the gateway's `{error:{code,message}}` shape (or any text). */
export function apiError(status: number, text: string, what: string): CliError {
  let code = `HTTP_${status}`;
  let message = text.slice(0, 500) || `${what} answered HTTP ${status}`;
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    if (body.error?.code) code = body.error.code;
    if (body.error?.message) message = body.error.message;
  } catch {}
  return fromCode(status, code, message);
}

function fromCode(status: number, code: string, message: string): CliError {
  if (status === 401) {
    return new CliError(`${code}: ${message}. Pass an API key with --api-key or AGNT5_API_KEY (agnt5 keys create).`, {
      exitCode: EXIT.USAGE,
      code,
    });
  }
  if (status === 404 && code === "ROUTE_NOT_FOUND") {
    return new CliError(
      `${code}: ${message}. This coordinator does not serve that route (an older version without the admin API?).`,
      { exitCode: EXIT.NOT_FOUND, code },
    );
  }
  if (status === 501) {
    return new CliError(`${code}: ${message} (this coordinator does not implement the action yet)`, {
      exitCode: EXIT.FAILED,
      code,
    });
  }
  return new CliError(`${code}: ${message}`, { exitCode: exitCodeForStatus(status), code });
}
