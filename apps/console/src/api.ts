import { AdminApiError, AdminClient } from "@agnt5/admin-client";

/**
 * The console's only server: the admin API of the coordinator that serves it (same origin, so no
 * CORS and no configuration; `vite` dev proxies /admin to a coordinator).
 */
export const admin = new AdminClient({ baseUrl: window.location.origin });

/** One line for an error banner: the API's code and message, or what the browser said. */
export function errorText(error: unknown): string {
  if (error instanceof AdminApiError) {
    if (error.status === 501) return `Not available yet on this coordinator (${error.code}): ${error.message}`;
    return `${error.code}: ${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}
