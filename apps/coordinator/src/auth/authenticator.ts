/**
 * Turns a bearer token into an Identity. Verified keys are cached for AUTH_CACHE_TTL_MS so a call
 * costs no database round trip; unknown tokens are cached too, so a client retrying a wrong key
 * (or a fuzzer) does not turn each request into a query. A revocation is therefore seen at once
 * by the replica that made it (it evicts the key) and by the others within AUTH_CACHE_TTL_MS.
 */
import { UnauthenticatedError } from "./auth-errors.js";
import type { Identity } from "./identity.js";
import { identityOf, type KeyStore } from "./key-store.js";
import { bearerToken, type CredentialName, hashSecret } from "./secret-format.js";

/** How long a verified (or refused) key is trusted without asking the database again. */
export const AUTH_CACHE_TTL_MS = 10_000;
const MAX_CACHED = 10_000;

/** Another way to verify a token (JWTs against a JWKS): tried for the tokens it claims. */
export interface TokenVerifier {
  accepts(token: string): boolean;
  verify(token: string): Promise<Identity>;
}

interface Cached {
  identity: Identity | undefined;
  expiresAt: number;
}

export class Authenticator {
  readonly #cache = new Map<string, Cached>();
  readonly #inFlight = new Map<string, Promise<Identity | undefined>>();

  constructor(
    readonly keys: KeyStore,
    private readonly jwt?: TokenVerifier,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The identity of an Authorization header value; UnauthenticatedError (never quoting the token)
   * otherwise, naming `credential` as what was expected.
   */
  async authenticate(header: string | string[] | undefined, credential: CredentialName = "API key"): Promise<Identity> {
    const parsed = bearerToken(header, credential);
    if ("problem" in parsed) throw new UnauthenticatedError(parsed.problem);
    if (this.jwt?.accepts(parsed.token)) return this.jwt.verify(parsed.token);
    const identity = await this.#lookup(hashSecret(parsed.token));
    if (!identity) throw new UnauthenticatedError(`The ${credential} is not valid (unknown or revoked)`);
    return identity;
  }

  /** Forgets a key at once (this replica revoked it); other replicas notice within AUTH_CACHE_TTL_MS. */
  evict(keyId: string): void {
    for (const [hash, cached] of this.#cache) if (cached.identity?.id === keyId) this.#cache.delete(hash);
  }

  async #lookup(hash: string): Promise<Identity | undefined> {
    const cached = this.#cache.get(hash);
    if (cached && cached.expiresAt > this.now()) return cached.identity;
    // Concurrent requests with one key share one query.
    let pending = this.#inFlight.get(hash);
    if (!pending) {
      // A database error is not cached: it reaches the caller as a 503 and the next request asks again.
      pending = this.keys.useActive(hash).then((record) => {
        const identity = record ? identityOf(record) : undefined;
        this.#remember(hash, identity);
        return identity;
      });
      pending.finally(() => this.#inFlight.delete(hash)).catch(() => {});
      this.#inFlight.set(hash, pending);
    }
    return pending;
  }

  #remember(hash: string, identity: Identity | undefined): void {
    this.#cache.delete(hash);
    if (this.#cache.size >= MAX_CACHED) {
      // Maps iterate in insertion order: the oldest entry goes.
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    this.#cache.set(hash, { identity, expiresAt: this.now() + AUTH_CACHE_TTL_MS });
  }
}
