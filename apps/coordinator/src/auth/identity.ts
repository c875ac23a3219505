/**
 * Who is calling, once authenticated, and what they may do. Every key or token carries scopes
 * (what it may call), roles (checked against ctx.human.approval's requiredRoles and tool
 * confirmations) and, for worker tokens, the service names it may register.
 */

/** Every scope, in the order listings show them. */
export const SCOPES = ["call", "workflows:start", "signal", "approve", "read", "admin", "worker"] as const;
export type Scope = (typeof SCOPES)[number];

/** What `agnt5 keys create` gives an API key when no --scope is named: a client that calls and reads. */
export const DEFAULT_API_KEY_SCOPES: readonly Scope[] = ["call", "workflows:start", "signal", "read"];

/** Any service: a worker token whose services list holds it may register any service name. */
export const ANY_SERVICE = "*";

export interface Identity {
  /** "dev": AGNT5_DEV_MODE, authentication off. */
  kind: "api_key" | "worker_token" | "jwt" | "dev";
  /** The key's id, or the JWT's subject. */
  id: string;
  /** The key's name, or the JWT's subject: recorded as who approved. */
  name: string;
  scopes: ReadonlySet<Scope>;
  roles: readonly string[];
  /** Services a worker token may register (ANY_SERVICE = any). */
  services: readonly string[];
}

/** Dev mode: every caller and worker may do everything; approvers name their roles themselves. */
export const DEV_IDENTITY: Identity = {
  kind: "dev",
  id: "dev",
  name: "dev",
  scopes: new Set(SCOPES),
  roles: [],
  services: [ANY_SERVICE],
};

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

export function mayRegister(identity: Identity, service: string): boolean {
  return identity.services.includes(ANY_SERVICE) || identity.services.includes(service);
}
