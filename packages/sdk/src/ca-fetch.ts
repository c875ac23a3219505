/**
 * A fetch that trusts a given CA (PEM) for https:// URLs, for gateways whose certificate a private
 * CA signed. Node's global fetch takes no CA (only NODE_EXTRA_CA_CERTS, read at process start), so
 * this speaks HTTPS through node:https, loaded on first use: importing this module loads no Node
 * module, and @agnt5/sdk/client stays usable in a browser. http:// URLs go to the global fetch.
 */
export function fetchTrustingCa(ca: CaSource): typeof fetch {
  let trusted: Promise<string | Uint8Array> | undefined;
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.protocol !== "https:") return fetch(input, init);
    trusted ??=
      typeof ca === "object" && "file" in ca ? readCaFile(ca.file) : Promise.resolve(ca as string | Uint8Array);
    return httpsRequest(url, requestInit(input, init), await trusted);
  };
}

/** A Request's method, headers and signal under `init` (its body, a stream, is not supported). */
function requestInit(input: string | URL | Request, init: RequestInit | undefined): RequestInit {
  if (!(input instanceof Request)) return init ?? {};
  if (input.body !== null) throw new TypeError("fetchTrustingCa takes the body in init, not in a Request");
  return { method: input.method, headers: input.headers, signal: input.signal, ...init };
}

/** PEM text or bytes, or a file holding them. */
export type CaSource = string | Uint8Array | { file: string };

async function readCaFile(file: string): Promise<Uint8Array> {
  const { readFile } = await import("node:fs/promises");
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new TypeError(`Cannot read the CA file ${file} (ca / AGNT5_TLS_CA_FILE): ${code}`, { cause: error });
  }
}

async function httpsRequest(url: URL, init: RequestInit, ca: string | Uint8Array): Promise<Response> {
  const [https, { Readable }] = await Promise.all([import("node:https"), import("node:stream")]);
  const headers = Object.fromEntries(new Headers(init.headers).entries());
  const body = init.body;
  if (body !== undefined && body !== null && typeof body !== "string" && !(body instanceof Uint8Array)) {
    throw new TypeError("fetchTrustingCa sends string or byte bodies only");
  }
  return new Promise<Response>((resolve, reject) => {
    const request = https.request(
      url,
      {
        method: init.method ?? "GET",
        headers,
        ca: typeof ca === "string" ? ca : Buffer.from(ca),
        ...(init.signal ? { signal: init.signal } : {}),
      },
      (response) => {
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(response.headers)) {
          if (value === undefined) continue;
          for (const one of Array.isArray(value) ? value : [value]) responseHeaders.append(name, one);
        }
        const status = response.statusCode ?? 0;
        const noBody = status === 204 || status === 304 || init.method === "HEAD";
        resolve(
          new Response(noBody ? null : (Readable.toWeb(response) as ReadableStream<Uint8Array>), {
            status,
            statusText: response.statusMessage ?? "",
            headers: responseHeaders,
          }),
        );
      },
    );
    // The same shape as fetch's failures: a TypeError whose cause has the TLS or socket code.
    request.on("error", (error) =>
      reject(init.signal?.aborted ? init.signal.reason : new TypeError("fetch failed", { cause: error })),
    );
    request.end(body ?? undefined);
  });
}
