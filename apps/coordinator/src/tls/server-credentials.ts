import { createSecureContext } from "node:tls";
import * as grpc from "@grpc/grpc-js";
import { TlsConfigError, type TlsMaterial } from "./tls-config.js";

/**
 * The worker port's credentials: plain without TLS; TLS with the server certificate; and with a
 * client CA, a handshake that requires and verifies the worker's certificate (grpc-js refuses the
 * connection before any frame reaches the worker service).
 */
export function grpcServerCredentials(tls: TlsMaterial | undefined): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  return grpc.ServerCredentials.createSsl(
    tls.clientCa ?? null,
    [{ cert_chain: tls.cert, private_key: tls.key }],
    tls.clientCa !== undefined,
  );
}

/** Fastify's `https` option for the gateway (no client certificates: callers use API keys). */
export function gatewayHttpsOptions(tls: TlsMaterial | undefined): { cert: Buffer; key: Buffer } | undefined {
  if (!tls) return undefined;
  // A key that does not match its certificate fails here, at start, with OpenSSL's reason.
  try {
    createSecureContext({ cert: tls.cert, key: tls.key });
  } catch (error) {
    throw new TlsConfigError(`AGNT5_TLS_CERT_FILE / AGNT5_TLS_KEY_FILE cannot be used: ${(error as Error).message}`);
  }
  return { cert: tls.cert, key: tls.key };
}
