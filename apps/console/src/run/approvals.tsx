import type { CallerIdentity, PendingApproval, RunDetail } from "@agnt5/admin-client";
import { useState } from "preact/hooks";
import { admin } from "../api.js";
import { JsonView } from "../components/json-view.js";
import { formatAgo, formatTime } from "../format.js";
import type { ActionState } from "./use-action.js";
import { useIdentity } from "./use-identity.js";

const APPROVER_KEY = "agnt5.console.approver";

/** Pending approvals, each with the exact tool call it gates (agent confirmations) and Approve / Reject. */
export function Approvals({ run, action }: { run: RunDetail; action: ActionState }) {
  const identity = useIdentity();
  if (run.pendingApprovals.length === 0) return null;
  return (
    <section class="card approvals" aria-label="Pending approvals">
      <h2>Waiting for approval</h2>
      {run.pendingApprovals.map((approval) => (
        <ApprovalCard key={approval.index} runId={run.id} approval={approval} action={action} identity={identity} />
      ))}
    </section>
  );
}

/** An agent's confirmation tool asks with { agent, tool, toolCallId, arguments }. */
function toolCallOf(payload: unknown): { tool: string; toolCallId?: string; arguments: unknown } | undefined {
  if (typeof payload !== "object" || payload === null) return undefined;
  const value = payload as Record<string, unknown>;
  if (typeof value.tool !== "string") return undefined;
  return {
    tool: value.tool,
    ...(typeof value.toolCallId === "string" ? { toolCallId: value.toolCallId } : {}),
    arguments: value.arguments,
  };
}

function ApprovalCard({
  runId,
  approval,
  action,
  identity,
}: {
  runId: string;
  approval: PendingApproval;
  action: ActionState;
  /** With authentication on, the coordinator records the key's name: no name is asked for. */
  identity: CallerIdentity | null | undefined;
}) {
  const [by, setBy] = useState(() => localStorage.getItem(APPROVER_KEY) ?? "");
  const [comment, setComment] = useState("");
  const call = toolCallOf(approval.payload);
  const authenticated = identity?.authentication === "on";
  // Dev mode (or a coordinator that cannot say who we are): the approver names themself.
  const asksName = identity !== undefined && !authenticated;
  const ready = identity !== undefined && (authenticated || by.trim() !== "") && action.busy === undefined;
  const decide = (decision: "approved" | "rejected") => {
    if (asksName) localStorage.setItem(APPROVER_KEY, by);
    const extra = comment.trim() ? { comment: comment.trim() } : {};
    void action.perform(decision === "approved" ? "Approve" : "Reject", () =>
      admin.decideApproval(runId, approval.name, { decision, ...(asksName ? { by } : {}), ...extra }),
    );
  };
  return (
    <div class="approval" data-approval={approval.name}>
      <div class="approval-head">
        <span class="approval-name mono">{approval.name}</span>
        <span class="muted">
          journal entry #{approval.index} · asked {formatAgo(approval.since)}
          {approval.timeoutAt && <> · times out {formatTime(approval.timeoutAt)}</>}
          {approval.requiredRoles.length > 0 && <> · needs role {approval.requiredRoles.join(" or ")}</>}
        </span>
      </div>
      {call ? (
        <div class="approval-call">
          <div>
            Tool call <strong class="mono">{call.tool}</strong>
            {call.toolCallId && <span class="muted mono"> ({call.toolCallId})</span>} with arguments
          </div>
          <JsonView value={call.arguments} />
        </div>
      ) : (
        <JsonView value={approval.payload} />
      )}
      <form
        class="approval-form"
        onSubmit={(event) => {
          event.preventDefault();
        }}
      >
        {asksName && (
          <input
            aria-label="Approver name"
            placeholder="your name"
            value={by}
            onInput={(e) => setBy(e.currentTarget.value)}
          />
        )}
        {authenticated && <RecordedAs identity={identity} requiredRoles={approval.requiredRoles} />}
        <input
          aria-label="Comment"
          class="grow"
          placeholder="comment (optional)"
          value={comment}
          onInput={(e) => setComment(e.currentTarget.value)}
        />
        <button type="button" class="primary" disabled={!ready} onClick={() => decide("approved")}>
          Approve
        </button>
        <button type="button" class="danger" disabled={!ready} onClick={() => decide("rejected")}>
          Reject
        </button>
      </form>
    </div>
  );
}

/** Who the coordinator will record as deciding (the key's name), and whether its roles suffice. */
function RecordedAs({ identity, requiredRoles }: { identity: CallerIdentity; requiredRoles: string[] }) {
  const lacksRole = requiredRoles.length > 0 && !requiredRoles.some((role) => identity.roles.includes(role));
  return (
    <span class="approval-recorded-as" data-testid="recorded-as">
      Recorded as <strong>{identity.name}</strong>
      <span class="muted"> (roles: {identity.roles.join(", ") || "none"})</span>
      {lacksRole && <span class="approval-lacks-role"> · this key has none of the roles needed</span>}
    </span>
  );
}
