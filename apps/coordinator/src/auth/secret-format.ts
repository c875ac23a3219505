/**
 * API keys and worker tokens: 256 random bits, base64url, behind a prefix that says what they are
 * (agnt5_sk_ a key, agnt5_wt_ a worker token) so a leaked one is recognisable by secret scanners.
 *
 * They are stored as a SHA-256 digest, not bcrypt/scrypt/argon2: those slow hashes exist to make
 * guessing a low-entropy password expensive, and a 256-bit random secret cannot be guessed however
 * fast the hash is. A fast, unsalted digest is what lets a request be verified by one indexed
 * lookup (bcrypt would need a salt per row, so a scan, and ~100 ms of CPU per request: a denial of
 * service for whoever sends wrong keys). User-chosen bootstrap secrets must be 32+ characters.
 */
import { createHash, randomBytes } from "node:crypto";

export type SecretKind = "api_key" | "worker_token";

const PREFIX: Record<SecretKind, string> = { api_key: "agnt5_sk_", worker_token: "agnt5_wt_" };

/** Shortest user-chosen secret (AGNT5_BOOTSTRAP_API_KEY, AGNT5_BOOTSTRAP_WORKER_TOKEN) we accept. */
export const MIN_CHOSEN_SECRET_LENGTH = 32;

/** Longest bearer token we look at; anything longer is refused without hashing it. */
export const MAX_TOKEN_LENGTH = 8 * 1024;

export function generateSecret(kind: SecretKind): string {
  return PREFIX[kind] + randomBytes(32).toString("base64url");
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** What listings show: the kind prefix and 4 random characters, never enough to use. */
export function displayPrefix(secret: string): string {
  const known = Object.values(PREFIX).find((prefix) => secret.startsWith(prefix));
  return known ? secret.slice(0, known.length + 4) : `${secret.slice(0, 4)}…`;
}

export function newKeyId(): string {
  return `key_${randomBytes(8).toString("hex")}`;
}

/** What the caller was expected to send, named in refusals: a worker told about "API keys" looks for the wrong thing. */
export type CredentialName = "API key" | "worker token";

/**
 * The token of an `Authorization: Bearer <token>` value (HTTP header or gRPC metadata), or a
 * reason it is not one. The reason never quotes the value.
 */
export function bearerToken(
  header: string | string[] | undefined,
  credential: CredentialName = "API key",
): { token: string } | { problem: string } {
  if (header === undefined || header === "") {
    return { problem: `Missing Authorization header: send Authorization: Bearer <${credential}>` };
  }
  if (Array.isArray(header)) return { problem: "More than one Authorization header" };
  if (header.length > MAX_TOKEN_LENGTH) return { problem: "The Authorization header is too long" };
  const match = /^Bearer +([!-~]+) *$/i.exec(header);
  if (!match?.[1]) return { problem: `The Authorization header is not of the form Bearer <${credential}>` };
  return { token: match[1] };
}
