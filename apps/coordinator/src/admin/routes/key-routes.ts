import type { KeyInfo } from "@agnt5/admin-client";
import type { KeyRecord } from "../../auth/key-store.js";
import type { AdminHandlers } from "../admin-handler.js";

export const keyHandlers: AdminHandlers<"listKeys" | "createKey" | "revokeKey"> = {
  async listKeys({ query }, ctx) {
    return { keys: (await ctx.admin.keys.list(query.includeRevoked)).map(keyInfo) };
  },
  async createKey({ body }, ctx) {
    const { record, secret } = await ctx.admin.keys.create(body);
    return { ...keyInfo(record), secret };
  },
  async revokeKey({ params }, ctx) {
    return keyInfo(await ctx.admin.keys.revoke(params.keyId));
  },
};

function keyInfo(record: KeyRecord): KeyInfo {
  return {
    id: record.id,
    kind: record.kind,
    name: record.name,
    prefix: record.prefix,
    scopes: record.scopes,
    roles: record.roles,
    services: record.services,
    createdAt: record.createdAt.toISOString(),
    lastUsedAt: record.lastUsedAt?.toISOString() ?? null,
    revokedAt: record.revokedAt?.toISOString() ?? null,
  };
}
