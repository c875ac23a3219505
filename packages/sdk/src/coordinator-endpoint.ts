import { ConfigError } from "./config-error.js";

/** Where the worker dials: a grpc-js target ("host:port") and whether to use TLS. */
export interface CoordinatorTarget {
  /** "host:port", as grpc-js expects it (no scheme). */
  address: string;
  tls: boolean;
}

/**
 * Accepts the seed's "http://host:port" as well as "https://host[:port]" (TLS) and a bare
 * "host:port". The scheme only chooses TLS: the coordinator speaks gRPC either way.
 */
export function parseCoordinatorEndpoint(endpoint: string): CoordinatorTarget {
  const trimmed = endpoint.trim();
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
  const tls = scheme === "https" || scheme === "grpcs";
  const port = url.port || (tls ? "443" : "80");
  // URL keeps IPv6 literals bracketed ("[::1]"), which is also what grpc-js wants.
  return { address: `${url.hostname}:${port}`, tls };
}

function invalid(endpoint: string): ConfigError {
  return new ConfigError(
    "coordinatorEndpoint / AGNT5_COORDINATOR_ENDPOINT",
    `Invalid coordinator endpoint "${endpoint}": use "http://host:port", "https://host:port" or "host:port"`,
  );
}
