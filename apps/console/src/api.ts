import { AdminApiError, AdminClient } from "@agnt5/admin-client";

/**
 * The console's only server: the admin API of the coordinator that serves it (same origin, so no
 * CORS and no configuration; `vite` dev proxies /admin to a coordinator).
 *
 * With authentication on, every call carries the API key the user entered in the top bar. It is
 * kept in sessionStorage (this tab only, gone when it closes), never in the URL or localStorage.
 */
const KEY_STORAGE = "agnt5.apiKey";
let apiKey: string | null = readStoredKey();
const listeners = new Set<() => void>();

export const admin = new AdminClient({
  baseUrl: window.location.origin,
  fetch: (input, init) => {
    const headers = new Headers(init?.headers);
    if (apiKey) headers.set("authorization", `Bearer ${apiKey}`);
    return fetch(input, { ...init, headers });
  },
});

export function currentApiKey(): string | null {
  return apiKey;
}

/** Uses `key` for every call from now on (null forgets it), and tells the pages to load again. */
export function setApiKey(key: string | null): void {
  apiKey = key?.trim() || null;
  try {
    if (apiKey) sessionStorage.setItem(KEY_STORAGE, apiKey);
    else sessionStorage.removeItem(KEY_STORAGE);
  } catch {}
  for (const listener of listeners) listener();
}

export function onApiKeyChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function readStoredKey(): string | null {
  try {
    return sessionStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

/** One line for an error banner: the API's code and message, or what the browser said. */
export function errorText(error: unknown): string {
  if (error instanceof AdminApiError) {
    if (error.status === 501) return `Not available yet on this coordinator (${error.code}): ${error.message}`;
    if (error.status === 401) return `${error.code}: ${error.message}. Enter an API key in the top bar.`;
    return `${error.code}: ${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}
