import type { IncomingMessage } from "node:http";

/**
 * Reads and discards the rest of a request body, up to `maxBytes` and `maxMs`. A client still
 * uploading when the answer is sent and the connection closed gets EPIPE or ECONNRESET instead of
 * the answer (a 413 for a body over the limit); once its upload is read, it sees the answer.
 * Resolves true when the body ended, false when a bound was hit (the connection should close).
 */
export function drainUpload(request: IncomingMessage, maxBytes: number, maxMs: number): Promise<boolean> {
  if (request.complete || request.readableEnded) return Promise.resolve(true);
  if (request.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    let received = 0;
    const finish = (drained: boolean) => {
      clearTimeout(timer);
      request.off("data", onData);
      request.off("end", onEnd);
      request.off("close", onClose);
      request.off("error", onClose);
      resolve(drained);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) finish(false);
    };
    const onEnd = () => finish(true);
    const onClose = () => finish(request.complete);
    const timer = setTimeout(() => finish(false), maxMs);
    request.on("data", onData);
    request.on("end", onEnd);
    request.on("close", onClose);
    request.on("error", onClose);
    request.resume();
  });
}
