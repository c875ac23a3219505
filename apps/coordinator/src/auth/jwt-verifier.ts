/**
 * JWTs from an identity provider (AGNT5_JWKS_URL), verified with `jose` against the provider's
 * JWK set (fetched and cached by jose; rotated keys are picked up on an unknown `kid`). The token's
 * claims give the identity:
 *   sub                      -> who (recorded as the approver)
 *   scope (space-separated)  -> scopes; or scp (array or space-separated string)
 *   roles (array)            -> roles, checked against ctx.human.approval's requiredRoles
 *   agnt5_services (array)   -> services a worker may register (with the "worker" scope)
 * Unknown scopes are ignored. AGNT5_JWT_ISSUER and AGNT5_JWT_AUDIENCE, when set, must match.
 */
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from "jose";
import { CoordinatorError } from "../errors.js";
import { UnauthenticatedError } from "./auth-errors.js";
import type { TokenVerifier } from "./authenticator.js";
import { type Identity, isScope } from "./identity.js";

/** Three base64url segments, the first a JSON header ("eyJ" is `{"` in base64url). */
const JWT_SHAPE = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export interface JwtOptions {
  jwksUrl: string;
  issuer: string | undefined;
  audience: string | undefined;
}

export class JwtVerifier implements TokenVerifier {
  readonly #keys: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly options: JwtOptions) {
    let url: URL;
    try {
      url = new URL(options.jwksUrl);
    } catch {
      throw new Error(`AGNT5_JWKS_URL is not a URL: "${options.jwksUrl}"`);
    }
    this.#keys = createRemoteJWKSet(url, { timeoutDuration: 5_000 });
  }

  accepts(token: string): boolean {
    return JWT_SHAPE.test(token);
  }

  async verify(token: string): Promise<Identity> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.#keys, {
        ...(this.options.issuer ? { issuer: this.options.issuer } : {}),
        ...(this.options.audience ? { audience: this.options.audience } : {}),
      }));
    } catch (error) {
      if (error instanceof errors.JWKSTimeout || (error instanceof Error && !(error instanceof errors.JOSEError))) {
        // The provider's key set could not be fetched: not the caller's fault, retry later.
        throw new CoordinatorError(
          "UNAVAILABLE",
          "Cannot verify the JWT now: the JWK set (AGNT5_JWKS_URL) did not answer",
        );
      }
      throw new UnauthenticatedError(`The JWT is not valid (${describe(error)})`);
    }
    if (typeof payload.sub !== "string" || payload.sub === "") {
      throw new UnauthenticatedError("The JWT has no subject (sub claim)");
    }
    return {
      kind: "jwt",
      id: payload.sub,
      name: payload.sub,
      scopes: new Set(scopesOf(payload).filter(isScope)),
      roles: strings(payload.roles),
      services: strings(payload.agnt5_services),
    };
  }
}

function scopesOf(payload: JWTPayload): string[] {
  const raw = payload.scope ?? payload.scp;
  if (typeof raw === "string") return raw.split(/\s+/).filter(Boolean);
  return strings(raw);
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

/** jose's reason (expired, wrong issuer, bad signature...), which never contains the token. */
function describe(error: unknown): string {
  if (error instanceof errors.JWTClaimValidationFailed) return `${error.claim} claim: ${error.reason}`;
  if (error instanceof errors.JWTExpired) return "expired";
  if (error instanceof errors.JOSEError) return error.code;
  return "malformed";
}
