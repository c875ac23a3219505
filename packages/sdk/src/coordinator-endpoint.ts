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

/** grpc-js dials "unix:/absolute/path" (and "unix:relative/path"); "unix:///path" is the URL spelling of the first. */
function unixTarget(endpoint: string, trimmed: string): CoordinatorTarget {
  const path = trimmed.slice("unix:".length).replace(/^\/\/(?=\/)/, "");
  if (!path || path.startsWith("//")) throw invalid(endpoint);
  return { address: `unix:${path}`, tls: false };
}

function invalid(endpoint: string): ConfigError {
  return new ConfigError(
    "coordinatorEndpoint / AGNT5_COORDINATOR_ENDPOINT",
    `Invalid coordinator endpoint "${endpoint}" (coordinatorEndpoint / AGNT5_COORDINATOR_ENDPOINT): ` +
      `expected ${COORDINATOR_ENDPOINT_FORMS}`,
  );
}
