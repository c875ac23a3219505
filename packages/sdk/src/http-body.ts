import type { IncomingMessage } from "node:http";
import { HttpRequestError } from "./http-error.js";

/** The seed's ASGI runtime has no limit; 1 MiB keeps a stray upload from exhausting memory. */
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/** Reads the whole request body, refusing (413) anything over `limit` bytes. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req) {
    const buffer = part as Buffer;
    size += buffer.byteLength;
    if (size > limit) throw tooLarge(limit);
    parts.push(buffer);
  }
  return Buffer.concat(parts);
}

/** Parses a JSON body; an empty body is "no input" (undefined), as in a call without arguments. */
export function parseJsonBody(body: Buffer): unknown {
  const text = body.toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpRequestError(400, "INVALID_INPUT", `Request body is not valid JSON: ${(error as Error).message}`);
  }
}

function tooLarge(limit: number): HttpRequestError {
  return new HttpRequestError(413, "PAYLOAD_TOO_LARGE", `Request body exceeds the limit of ${limit} bytes`, {
    limitBytes: limit,
  });
}
