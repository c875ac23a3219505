/** Creating, listing and revoking keys for the admin API: the store plus what the cache must forget. */
import { CoordinatorError } from "../errors.js";
import type { Authenticator } from "./authenticator.js";
import { DEFAULT_API_KEY_SCOPES, type Scope } from "./identity.js";
import type { KeyRecord, KeyStore } from "./key-store.js";
import { generateSecret, type SecretKind } from "./secret-format.js";

export interface CreateKeyRequest {
  name: string;
  kind: SecretKind;
  scopes?: readonly Scope[] | undefined;
  roles: readonly string[];
  services?: readonly string[] | undefined;
}

export class KeyAdmin {
  readonly #revokeListeners = new Set<(keyId: string) => void>();

  constructor(
    private readonly keys: KeyStore,
    /** Absent in dev mode (nothing is cached then). */
    private readonly authenticator: Authenticator | undefined,
  ) {}

  /** The new key and its secret, which is returned this once and never stored. */
  async create(request: CreateKeyRequest): Promise<{ record: KeyRecord; secret: string }> {
    const worker = request.kind === "worker_token";
    if (worker && (!request.services || request.services.length === 0)) {
      throw new CoordinatorError(
        "INVALID_REQUEST",
        'A worker token needs the service names it may register (services; "*" for any)',
        { details: { field: "services" } },
      );
    }
    if (!worker && request.services && request.services.length > 0) {
      throw new CoordinatorError("INVALID_REQUEST", "services is for worker tokens (kind worker_token)", {
        details: { field: "services" },
      });
    }
    const scopes = request.scopes ?? (worker ? ["worker"] : DEFAULT_API_KEY_SCOPES);
    const secret = generateSecret(request.kind);
    const record = await this.keys.create(
      {
        kind: request.kind,
        name: request.name,
        scopes: [...new Set(scopes)],
        roles: [...new Set(request.roles)],
        services: [...new Set(request.services ?? [])],
      },
      secret,
    );
    return { record, secret };
  }

  list(includeRevoked: boolean): Promise<KeyRecord[]> {
    return this.keys.list({ includeRevoked });
  }

  async revoke(id: string): Promise<KeyRecord> {
    const record = await this.keys.revoke(id);
    if (!record) throw new CoordinatorError("KEY_NOT_FOUND", `No key with id "${id}"`);
    this.authenticator?.evict(id);
    for (const listener of this.#revokeListeners) listener(id);
    return record;
  }

  /** Called with a key's id when this coordinator revokes it (to close the worker streams it opened). */
  onRevoke(listener: (keyId: string) => void): void {
    this.#revokeListeners.add(listener);
  }
}
