import { readFileSync } from "node:fs";
import { ConfigError } from "./config-error.js";

/**
 * TLS to the coordinator's worker port. On when the endpoint is https:// or grpcs://, or when this
 * option is given. Each file falls back to its variable; certFile and keyFile (mutual TLS, when
 * the coordinator sets AGNT5_TLS_CLIENT_CA_FILE) go together.
 */
export interface WorkerTlsOptions {
  /** PEM CA that signed the coordinator's certificate (default: the system's). AGNT5_TLS_CA_FILE */
  caFile?: string;
  /** PEM client certificate for mutual TLS. AGNT5_TLS_CLIENT_CERT_FILE */
  certFile?: string;
  /** PEM key of that certificate. AGNT5_TLS_CLIENT_KEY_FILE */
  keyFile?: string;
}

/** The worker's TLS files after options and environment (undefined: plain gRPC). */
export interface WorkerTlsFiles {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

/** The certificate material grpc-js takes. */
export interface WorkerTlsMaterial {
  ca: Buffer | null;
  cert: Buffer | null;
  key: Buffer | null;
}

/**
 * The client certificate variables are not AGNT5_TLS_CERT_FILE/KEY_FILE: those are the
 * coordinator's server certificate, and a shell that runs both must not hand one to the other.
 */
export const WORKER_TLS_VARIABLES = {
  caFile: "AGNT5_TLS_CA_FILE",
  certFile: "AGNT5_TLS_CLIENT_CERT_FILE",
  keyFile: "AGNT5_TLS_CLIENT_KEY_FILE",
} as const;

type Env = Record<string, string | undefined>;

export function resolveWorkerTls(
  option: boolean | WorkerTlsOptions | undefined,
  endpointWantsTls: boolean,
  env: Env,
): WorkerTlsFiles | undefined {
  if (option === false || (!option && !endpointWantsTls)) return undefined;
  const given = typeof option === "object" ? option : {};
  const files: WorkerTlsFiles = {};
  for (const field of ["caFile", "certFile", "keyFile"] as const) {
    const value = given[field]?.trim() || env[WORKER_TLS_VARIABLES[field]]?.trim();
    if (value) files[field] = value;
  }
  if (Boolean(files.certFile) !== Boolean(files.keyFile)) {
    throw new ConfigError(
      "tls.certFile / tls.keyFile",
      `Mutual TLS needs both a client certificate and its key: set tls.certFile (${WORKER_TLS_VARIABLES.certFile}) ` +
        `and tls.keyFile (${WORKER_TLS_VARIABLES.keyFile}) together`,
    );
  }
  return files;
}

/** Reads the files (once, when the worker starts), naming the setting of one that cannot be read. */
export function readWorkerTls(files: WorkerTlsFiles): WorkerTlsMaterial {
  return {
    ca: files.caFile ? readPem(files.caFile, "caFile") : null,
    cert: files.certFile ? readPem(files.certFile, "certFile") : null,
    key: files.keyFile ? readPem(files.keyFile, "keyFile") : null,
  };
}

function readPem(path: string, field: keyof WorkerTlsFiles): Buffer {
  const setting = `tls.${field} / ${WORKER_TLS_VARIABLES[field]}`;
  let contents: Buffer;
  try {
    contents = readFileSync(path);
  } catch (error) {
    throw new ConfigError(
      setting,
      `Cannot read ${path} (${setting}): ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
  if (!contents.includes("-----BEGIN ")) throw new ConfigError(setting, `${path} (${setting}) is not a PEM file`);
  return contents;
}

/**
 * What to do about a TLS handshake that failed, from grpc-js's details (OpenSSL's words); undefined
 * when the failure does not look like one. Added to the worker's connection errors and log lines.
 */
export function tlsFailureHint(details: string, tls: WorkerTlsFiles | undefined): string | undefined {
  if (!tls) return undefined;
  if (
    /self[- ]signed certificate|unable to (?:verify|get (?:local )?issuer)|certificate has expired|Hostname\/IP does not match/i.test(
      details,
    )
  ) {
    return `the coordinator's TLS certificate is not trusted: set tls.caFile / ${WORKER_TLS_VARIABLES.caFile} to the CA that signed it`;
  }
  if (/certificate required/i.test(details)) {
    return (
      "the coordinator requires a client certificate (mutual TLS): set tls.certFile and tls.keyFile / " +
      `${WORKER_TLS_VARIABLES.certFile} and ${WORKER_TLS_VARIABLES.keyFile}`
    );
  }
  // Under TLS 1.3 a server that refuses the client certificate may just reset the connection after
  // the handshake: the worker then sees "read ECONNRESET" and no alert.
  if (
    tls.certFile &&
    /Failed to connect|unknown ca|bad certificate|certificate unknown|decrypt error|ECONNRESET/i.test(details)
  ) {
    return (
      `the coordinator may have refused this worker's client certificate (tls.certFile / ${WORKER_TLS_VARIABLES.certFile}): ` +
      "it must be signed by the CA in the coordinator's AGNT5_TLS_CLIENT_CA_FILE"
    );
  }
  return undefined;
}

/** grpc-js's details with the hint for a failed TLS handshake, if any. */
export function withTlsHint(details: string, tls: WorkerTlsFiles | undefined): string {
  const hint = tlsFailureHint(details, tls);
  return hint ? `${details.replace(/\s*Resolution note:\s*$/i, "").replace(/[.\s]+$/, "")}: ${hint}` : details;
}
