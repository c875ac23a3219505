import { ConfigError } from "./config-error.js";

/** Where the worker dials: a grpc-js target ("host:port") and whether to use TLS. */
export interface CoordinatorTarget {
  /** "host:port" (no scheme) or "unix:/path", as grpc-js expects it. */
  address: string;
  tls: boolean;
}

/** The forms parseCoordinatorEndpoint accepts, as error messages and docs name them. */
export const COORDINATOR_ENDPOINT_FORMS =
  '"host:port", "http://host:port", "https://host:port" or "unix:/path/to/socket"';

/**
 * Accepts the seed's "http://host:port" as well as "https://host[:port]" (TLS), a bare "host:port"
 * and a Unix socket ("unix:/path" or "unix:///path"). The scheme only chooses TLS: the coordinator
 * speaks gRPC either way. A bare host without a port ("notaurl", "coordinator") is refused rather
 * than dialled on port 80: it is almost always a typo, and grpc-js would retry it forever.
 */
export function parseCoordinatorEndpoint(endpoint: string): CoordinatorTarget {
  const trimmed = endpoint.trim();
  if (/^unix:/i.test(trimmed)) return unixTarget(endpoint, trimmed);
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed);
  let url: URL;
  try {
    url = new URL(hasScheme ? trimmed : `http://${trimmed}`);
  } catch {
    throw invalid(endpoint);
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  if (scheme !== "http" && scheme !== "https" && scheme !== "grpc" && scheme !== "grpcs") throw invalid(endpoint);
  if (!url.hostname) throw invalid(endpoint);
  // Without a scheme the port must be written: "host:port" is the only bare form.
  if (!hasScheme && !url.port && !/:\d+$/.test(trimmed)) throw invalid(endpoint);
  const tls = scheme === "https" || scheme === "grpcs";
  const port = url.port || (tls ? "443" : "80");
  // URL keeps IPv6 literals bracketed ("[::1]"), which is also what grpc-js wants.
  return { address: `${url.hostname}:${port}`, tls };
}

/**
 * Several coordinator replicas: an array, or one string with comma-separated entries (the form
 * AGNT5_COORDINATOR_ENDPOINT takes). Each entry is parsed as parseCoordinatorEndpoint does; an
 * empty or invalid entry is a ConfigError naming the entry and its position, never skipped (a
 * typo in the list would otherwise leave a replica unused without a word).
 */
export function parseCoordinatorEndpoints(value: string | readonly string[]): string[] {
  const whole = typeof value === "string" ? value : value.join(",");
  const entries = typeof value === "string" ? value.split(",") : [...value];
  if (entries.length === 1) {
    parseCoordinatorEndpoint(entries[0] ?? "");
    return [(entries[0] ?? "").trim()];
  }
  if (entries.length === 0) {
    throw new ConfigError(
      "coordinatorEndpoint / AGNT5_COORDINATOR_ENDPOINT",
      "coordinatorEndpoint is an empty list: give at least one coordinator endpoint",
    );
  }
  return entries.map((entry, index) => {
    const where = `entry ${index + 1} of ${entries.length} in "${whole}"`;
    if (!entry.trim()) throw invalid(entry, where);
    try {
      parseCoordinatorEndpoint(entry);
    } catch {
      throw invalid(entry, where);
    }
    return entry.trim();
  });
}

/** grpc-js dials "unix:/absolute/path" (and "unix:relative/path"); "unix:///path" is the URL spelling of the first. */
function unixTarget(endpoint: string, trimmed: string): CoordinatorTarget {
  const path = trimmed.slice("unix:".length).replace(/^\/\/(?=\/)/, "");
  if (!path || path.startsWith("//")) throw invalid(endpoint);
  return { address: `unix:${path}`, tls: false };
}

function invalid(endpoint: string, where?: string): ConfigError {
  const setting = "coordinatorEndpoint / AGNT5_COORDINATOR_ENDPOINT";
  return new ConfigError(
    setting,
    `Invalid coordinator endpoint "${endpoint}" (${where ? `${where}, ` : ""}${setting}): ` +
      `expected ${COORDINATOR_ENDPOINT_FORMS}`,
  );
}
