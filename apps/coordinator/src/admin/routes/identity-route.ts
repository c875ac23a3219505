import type { AdminHandlers } from "../admin-handler.js";

/** The caller as the auth hook identified it: the console shows who an approval will record. */
export const identityHandlers: AdminHandlers<"getIdentity"> = {
  async getIdentity({ identity }) {
    return {
      authentication: identity.kind === "dev" ? "off" : "on",
      kind: identity.kind,
      name: identity.name,
      scopes: [...identity.scopes],
      roles: [...identity.roles],
    };
  },
};
