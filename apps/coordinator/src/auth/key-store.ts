/** SQL for api_keys (migration 0006): create, list, revoke, and the lookup every request's verification makes. */
import type { Queryable } from "../store/index.js";
import { type Identity, isScope, type Scope } from "./identity.js";
import { displayPrefix, hashSecret, newKeyId, type SecretKind } from "./secret-format.js";

export interface KeyRecord {
  id: string;
  kind: SecretKind;
  name: string;
  prefix: string;
  scopes: Scope[];
  roles: string[];
  services: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface NewKey {
  kind: SecretKind;
  name: string;
  scopes: readonly Scope[];
  roles: readonly string[];
  services: readonly string[];
}

interface KeyRow {
  id: string;
  kind: SecretKind;
  name: string;
  prefix: string;
  scopes: unknown;
  roles: unknown;
  services: unknown;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = "id, kind, name, prefix, scopes, roles, services, created_at, last_used_at, revoked_at";

export class KeyStore {
  constructor(private readonly db: Queryable) {}

  /** Stores the hash of `secret` (the caller shows the secret once and forgets it). */
  create(key: NewKey, secret: string): Promise<KeyRecord> {
    return this.#insert(key, secret, "");
  }

  /**
   * A bootstrap secret from the environment: inserted on first start, its scopes, roles and
   * services brought back to `key` on later starts (and un-revoked: the operator still configures it).
   */
  ensure(key: NewKey, secret: string): Promise<KeyRecord> {
    return this.#insert(
      key,
      secret,
      `ON CONFLICT (secret_hash) DO UPDATE
         SET kind = EXCLUDED.kind, name = EXCLUDED.name, scopes = EXCLUDED.scopes,
             roles = EXCLUDED.roles, services = EXCLUDED.services, revoked_at = NULL`,
    );
  }

  async #insert(key: NewKey, secret: string, onConflict: string): Promise<KeyRecord> {
    const rows = await this.db.query<KeyRow>(
      `INSERT INTO api_keys (id, kind, name, prefix, secret_hash, scopes, roles, services)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8::jsonb) ${onConflict} RETURNING ${COLUMNS}`,
      [
        newKeyId(),
        key.kind,
        key.name,
        displayPrefix(secret),
        hashSecret(secret),
        JSON.stringify(key.scopes),
        JSON.stringify(key.roles),
        JSON.stringify(key.services),
      ],
    );
    return toRecord(rows[0]!);
  }

  async list(options: { includeRevoked: boolean }): Promise<KeyRecord[]> {
    const rows = await this.db.query<KeyRow>(
      `SELECT ${COLUMNS} FROM api_keys ${options.includeRevoked ? "" : "WHERE revoked_at IS NULL"}
       ORDER BY created_at DESC, id DESC`,
    );
    return rows.map(toRecord);
  }

  /** Marks the key revoked (idempotent: an already revoked key keeps its first revocation time). */
  async revoke(id: string): Promise<KeyRecord | undefined> {
    const rows = await this.db.query<KeyRow>(
      `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING ${COLUMNS}`,
      [id],
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /**
   * The live key whose secret hashes to `secretHash`, recording its use in the same statement
   * (one round trip; the authenticator's cache makes it one per key per cache period).
   */
  async useActive(secretHash: string): Promise<KeyRecord | undefined> {
    const rows = await this.db.query<KeyRow>(
      `UPDATE api_keys SET last_used_at = now()
        WHERE secret_hash = $1 AND revoked_at IS NULL RETURNING ${COLUMNS}`,
      [secretHash],
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  }
}

export function identityOf(record: KeyRecord): Identity {
  return {
    kind: record.kind,
    id: record.id,
    name: record.name,
    scopes: new Set(record.scopes),
    roles: record.roles,
    services: record.services,
  };
}

function toRecord(row: KeyRow): KeyRecord {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    prefix: row.prefix,
    scopes: strings(row.scopes).filter(isScope),
    roles: strings(row.roles),
    services: strings(row.services),
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}
