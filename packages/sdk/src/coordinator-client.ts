import { MAX_MESSAGE_BYTES } from "@agnt5/proto";
import * as grpc from "@grpc/grpc-js";
import type { CoordinatorTarget } from "./coordinator-endpoint.js";
import { type ReconnectBackoff, resolveReconnectBackoff } from "./reconnect-backoff.js";
import { readWorkerTls, type WorkerTlsFiles } from "./tls-options.js";

/** The gRPC channel to the coordinator: one per running worker, shared by its reconnects. */
export function createCoordinatorClient(
  target: CoordinatorTarget,
  backoff: ReconnectBackoff = resolveReconnectBackoff(),
  tls: WorkerTlsFiles | undefined = target.tls ? {} : undefined,
): grpc.Client {
  const credentials = tls ? sslCredentials(tls) : grpc.credentials.createInsecure();
  return new grpc.Client(target.address, credentials, {
    "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
    "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
    // Pings detect a coordinator that vanished without closing the connection (a dead host, a
    // dropped NAT mapping); the stream may be idle for a long time between invocations.
    "grpc.keepalive_time_ms": 30_000,
    "grpc.keepalive_timeout_ms": 10_000,
    "grpc.keepalive_permit_without_calls": 1,
    // The channel's own reconnect backoff defaults to 1 s growing to 120 s; keep it in line with
    // the worker's reconnect loop (100 ms .. 5 s by default) so a restarted coordinator is found quickly.
    "grpc.initial_reconnect_backoff_ms": backoff.initialDelayMs,
    "grpc.max_reconnect_backoff_ms": backoff.maxDelayMs,
  });
}

/** TLS with the system's CAs unless a CA file is given; a client certificate for mutual TLS. */
function sslCredentials(files: WorkerTlsFiles): grpc.ChannelCredentials {
  const { ca, key, cert } = readWorkerTls(files);
  return grpc.credentials.createSsl(ca, key, cert);
}
