import { z } from "zod";
import { KeyScope } from "./keys.js";

/**
 * Answer of `GET /identity`: who the coordinator takes the caller to be. With authentication on,
 * `name` is what an approval by this caller records as who decided and `roles` what it is checked
 * against; in dev mode (authentication off) the approver names themself and claims their roles.
 */
export const CallerIdentity = z.object({
  authentication: z.enum(["on", "off"]),
  /** "dev" when authentication is off. */
  kind: z.enum(["api_key", "worker_token", "jwt", "dev"]),
  /** The key's name, or the JWT's subject ("dev" in dev mode). */
  name: z.string(),
  scopes: z.array(KeyScope),
  roles: z.array(z.string()),
});
export type CallerIdentity = z.infer<typeof CallerIdentity>;
