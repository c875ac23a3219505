import { z } from "zod";
import { Timestamp } from "./common.js";

/** What a key or token may do (the coordinator's auth/identity.ts holds the same list). */
export const KeyScope = z.enum(["call", "workflows:start", "signal", "approve", "read", "admin", "worker"]);
export type KeyScope = z.infer<typeof KeyScope>;

/** "api_key": clients and operators (Authorization: Bearer); "worker_token": workers (gRPC metadata). */
export const KeyKind = z.enum(["api_key", "worker_token"]);
export type KeyKind = z.infer<typeof KeyKind>;

const Name = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\p{Cc}]+$/u, "must not contain control characters");

/** Body of `POST /keys`. */
export const CreateKeyBody = z.object({
  name: Name,
  kind: KeyKind.default("api_key"),
  /** Default: call, workflows:start, signal, read for an API key; worker for a worker token. */
  scopes: z.array(KeyScope).min(1).optional(),
  /** Checked against ctx.human.approval's requiredRoles and tool confirmations. */
  roles: z.array(Name).default([]),
  /** Worker tokens: service names it may register ("*" = any). Required for a worker token. */
  services: z.array(Name).optional(),
});
export type CreateKeyBody = z.input<typeof CreateKeyBody>;

/** A key as listings show it: never its secret, only its first characters. */
export const KeyInfo = z.object({
  id: z.string(),
  kind: KeyKind,
  name: z.string(),
  /** The first characters of the secret, to recognise it. */
  prefix: z.string(),
  scopes: z.array(KeyScope),
  roles: z.array(z.string()),
  services: z.array(z.string()),
  createdAt: Timestamp,
  lastUsedAt: Timestamp.nullable(),
  revokedAt: Timestamp.nullable(),
});
export type KeyInfo = z.infer<typeof KeyInfo>;

/** Answer of `POST /keys`: the secret, shown this once (only its hash is stored). */
export const CreatedKey = KeyInfo.extend({ secret: z.string() });
export type CreatedKey = z.infer<typeof CreatedKey>;

export const KeyListQuery = z.object({
  /** "true" lists revoked keys too. */
  includeRevoked: z
    .enum(["true", "false"])
    .optional()
    .transform((value) => value === "true"),
});

export const KeyListResponse = z.object({ keys: z.array(KeyInfo) });
export type KeyListResponse = z.infer<typeof KeyListResponse>;
