import { readFile } from "node:fs/promises";
import { ConfigError } from "../config-error.js";

/**
 * TLS for both listeners, from files: the HTTP gateway serves HTTPS and the worker port gRPC over
 * TLS with the same certificate. With a client CA, workers must present a certificate it signed.
 */
export interface TlsConfig {
  /** AGNT5_TLS_CERT_FILE: the server certificate (PEM, chain allowed). */
  certFile: string;
  /** AGNT5_TLS_KEY_FILE: its private key (PEM). */
  keyFile: string;
  /** AGNT5_TLS_CLIENT_CA_FILE: when set, workers need a client certificate signed by this CA (mTLS). */
  clientCaFile?: string;
}

/** The certificate material, read once at start. */
export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  clientCa?: Buffer;
}

/** A TLS setting that cannot work; the coordinator does not start with it. */
export class TlsConfigError extends ConfigError {
  constructor(message: string) {
    super("TLS_CONFIG_INVALID", message);
    this.name = "TlsConfigError";
  }
}

/** Both AGNT5_TLS_CERT_FILE and AGNT5_TLS_KEY_FILE, or neither (plain HTTP and gRPC). */
export function tlsConfigFromEnv(env: NodeJS.ProcessEnv): TlsConfig | undefined {
  const certFile = env.AGNT5_TLS_CERT_FILE?.trim() || undefined;
  const keyFile = env.AGNT5_TLS_KEY_FILE?.trim() || undefined;
  const clientCaFile = env.AGNT5_TLS_CLIENT_CA_FILE?.trim() || undefined;
  if (!certFile && !keyFile) {
    if (clientCaFile) {
      throw new TlsConfigError(
        "AGNT5_TLS_CLIENT_CA_FILE is set but TLS is off: mutual TLS needs AGNT5_TLS_CERT_FILE and AGNT5_TLS_KEY_FILE too",
      );
    }
    return undefined;
  }
  if (!certFile || !keyFile) {
    const missing = certFile ? "AGNT5_TLS_KEY_FILE" : "AGNT5_TLS_CERT_FILE";
    const present = certFile ? "AGNT5_TLS_CERT_FILE" : "AGNT5_TLS_KEY_FILE";
    throw new TlsConfigError(`${present} is set but ${missing} is not: TLS needs both the certificate and its key`);
  }
  return { certFile, keyFile, ...(clientCaFile ? { clientCaFile } : {}) };
}

/** Reads the files, naming the variable of one that cannot be read. */
export async function readTlsMaterial(config: TlsConfig): Promise<TlsMaterial> {
  const [cert, key, clientCa] = await Promise.all([
    readPem(config.certFile, "AGNT5_TLS_CERT_FILE"),
    readPem(config.keyFile, "AGNT5_TLS_KEY_FILE"),
    config.clientCaFile ? readPem(config.clientCaFile, "AGNT5_TLS_CLIENT_CA_FILE") : undefined,
  ]);
  return { cert, key, ...(clientCa ? { clientCa } : {}) };
}

async function readPem(path: string, variable: string): Promise<Buffer> {
  let contents: Buffer;
  try {
    contents = await readFile(path);
  } catch (error) {
    throw new TlsConfigError(`${variable}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  if (!contents.includes("-----BEGIN ")) throw new TlsConfigError(`${variable}: ${path} is not a PEM file`);
  return contents;
}
