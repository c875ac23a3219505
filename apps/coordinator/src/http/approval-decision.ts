import type { Identity } from "../auth/identity.js";
import { CoordinatorError } from "../errors.js";
import type { GatewayDeps } from "./gateway-deps.js";

export interface ApprovalDecisionInput {
  decision: "approved" | "rejected";
  /** Who decided: the key's name or the JWT's subject (in dev mode, what the caller wrote). */
  by: string;
  /** The deciding key's id or JWT subject; absent in dev mode. */
  byId?: string;
  comment?: string;
  /** Changes to the approved arguments (decision "approved" only). */
  edits?: unknown;
  /** The approver's roles: its identity's (in dev mode: the x-agnt5-roles header and body.roles). */
  roles: string[];
  /** What authenticated the approver (absent in dev mode): a refusal names the key or token. */
  via?: "api_key" | "jwt";
}

/**
 * Human approval, shared by POST /v1/runs/:runId/approvals/:name and the admin API: checks that
 * the run waits for that approval and that the approver has one of the roles the pending
 * ctx.human.approval requires, then delivers the decision as its signal.
 */
export async function decideApproval(
  deps: Pick<GatewayDeps, "store" | "journal" | "invocations">,
  runId: string,
  name: string,
  input: ApprovalDecisionInput,
): Promise<{ delivered: boolean }> {
  if (input.decision === "rejected" && input.edits !== undefined) {
    throw new CoordinatorError(
      "INVALID_REQUEST",
      'edits come with decision "approved" only (approve with edited arguments)',
    );
  }
  const record = await deps.store.get(runId);
  if (!record) throw new CoordinatorError("RUN_NOT_FOUND", `No run with id "${runId}"`);
  const pending = (await deps.journal.load(runId)).find(
    (entry) => entry.kind === "signal_wait" && entry.name === `approval:${name}` && entry.result === undefined,
  );
  if (!pending)
    throw new CoordinatorError("NO_PENDING_APPROVAL", `Run "${runId}" is not waiting for approval "${name}"`);
  const required = requiredRoles(pending.request);
  if (required.length > 0 && !required.some((role) => input.roles.includes(role))) {
    throw new CoordinatorError("FORBIDDEN", missingRoleMessage(name, required, input));
  }
  const payload = JSON.stringify({
    decision: input.decision,
    approved: input.decision === "approved",
    by: input.by,
    ...(input.byId === undefined ? {} : { byId: input.byId }),
    ...(typeof input.comment === "string" ? { comment: input.comment } : {}),
    roles: input.roles,
    // Approve with edits: an agent's confirmation tool runs with these arguments (the journal keeps both).
    ...(input.edits === undefined ? {} : { edits: input.edits }),
  });
  return deps.invocations.signal(runId, `approval:${name}`, payload);
}

/**
 * Which roles the approval needs and which the caller has. With authentication on, the roles are
 * the key's (or the token's), fixed when it was created, so the message names it and says how.
 */
function missingRoleMessage(name: string, required: string[], input: ApprovalDecisionInput): string {
  const needs = `Approval "${name}" requires one of the roles ${required.join(", ")}`;
  const has = input.roles.join(", ") || "none";
  if (input.via === "api_key") {
    return `${needs}; the calling key "${input.by}" has the roles: ${has} (a key's roles are given when it is created: agnt5 keys create --role <role>)`;
  }
  if (input.via === "jwt") return `${needs}; the calling token (subject "${input.by}") has the roles: ${has}`;
  return `${needs}; the approver has ${has}`;
}

/**
 * Who approves and with which roles: from the authenticated identity. Only in dev mode (no
 * identity to trust) do the self-chosen `by`, x-agnt5-roles header and body `roles` count.
 */
export function approverOf(
  identity: Identity,
  request: { by: unknown; rolesHeader: string | string[] | undefined; bodyRoles: unknown },
): Pick<ApprovalDecisionInput, "by" | "byId" | "roles" | "via"> {
  if (identity.kind === "api_key" || identity.kind === "jwt") {
    return { by: identity.name, byId: identity.id, roles: [...identity.roles], via: identity.kind };
  }
  if (identity.kind !== "dev") return { by: identity.name, byId: identity.id, roles: [...identity.roles] };
  if (typeof request.by !== "string" || !request.by) {
    throw new CoordinatorError(
      "INVALID_REQUEST",
      `"by" (who decides) is required in dev mode and must be a non-empty string`,
    );
  }
  return { by: request.by, roles: approverRoles(request.rolesHeader, request.bodyRoles) };
}

/** Roles from the x-agnt5-roles header (comma-separated) and a body's `roles` array, deduplicated. */
export function approverRoles(header: string | string[] | undefined, bodyRoles: unknown): string[] {
  const fromHeader = (Array.isArray(header) ? header.join(",") : (header ?? ""))
    .split(",")
    .map((role) => role.trim())
    .filter(Boolean);
  const fromBody = Array.isArray(bodyRoles) ? bodyRoles.filter((role): role is string => typeof role === "string") : [];
  return [...new Set([...fromHeader, ...fromBody])];
}

function requiredRoles(request: string | null): string[] {
  if (!request) return [];
  const roles = (JSON.parse(request) as { approval?: { requiredRoles?: unknown } }).approval?.requiredRoles;
  return Array.isArray(roles) ? roles.filter((role): role is string => typeof role === "string") : [];
}
