import type { JournalEntry } from "@agnt5/proto";
import type { EntryResultRow, NewInvocation } from "../store/index.js";
import { unstorableIn } from "../store/storable-text.js";
import type { ServiceRegistry } from "../workers/service-registry.js";
import { type EntryKindName, entryKindName, fromProtoResult, type LiveEntry, requestText } from "./journal-entry.js";

export interface ChildInvocation extends NewInvocation {
  parentId: string;
  parentEntryIndex: number;
}

/** What committing one proposed entry takes: the entry, and its side effects in the same transaction. */
export interface ProposalPlan {
  entry: LiveEntry;
  timer?: { fireAt: Date; kind: "timer" | "signal_timeout" };
  signalWait?: { runId: string; name: string };
  child?: ChildInvocation;
  /** signal_emit: the signal to deliver (before the entry is appended: at-least-once, never lost). */
  emit?: { runId: string; name: string; payload: string };
}

const COMPLETED_AT_PROPOSAL = new Set<EntryKindName>(["step", "deterministic"]);

/** Translates a worker's proposal, or returns what is wrong with it. */
export function planProposal(
  invocation: { id: string; service: string },
  proposed: JournalEntry,
  services: ServiceRegistry,
): ProposalPlan | string {
  const kind = entryKindName(proposed.kind);
  if (!kind) return `entry ${proposed.index} has an unsupported kind (${proposed.kind})`;
  let request: string | null;
  try {
    request = requestText(proposed.request);
  } catch {
    return `entry ${proposed.index} (${kind} "${proposed.name}") has a request that is not JSON`;
  }
  const fields = (request === null ? {} : JSON.parse(request)) as Record<string, unknown>;
  const unstorable = unstorableIdentifier(proposed.name, kind, fields);
  if (unstorable) return `entry ${proposed.index} (${kind} ${JSON.stringify(proposed.name)}) ${unstorable}`;
  const entry: LiveEntry = { index: proposed.index, kind, name: proposed.name, request, result: undefined };

  if (COMPLETED_AT_PROPOSAL.has(kind)) {
    const result = fromProtoResult(proposed.result);
    if (!result) return `entry ${proposed.index} (${kind} "${proposed.name}") must carry its result`;
    // JSON text never holds a raw U+0000 (JSON.stringify escapes it); PostgreSQL text cannot either.
    if (result.ok && result.value.includes("\u0000")) {
      return `entry ${proposed.index} (${kind} ${JSON.stringify(proposed.name)}) has a value holding a raw U+0000, which is not JSON text and which the store cannot keep`;
    }
    entry.result = result;
    return { entry };
  }
  switch (kind) {
    case "signal_emit": {
      entry.result = { ok: true, value: "null" };
      const runId = typeof fields.runId === "string" && fields.runId ? fields.runId : invocation.id;
      return { entry, emit: { runId, name: proposed.name, payload: JSON.stringify(fields.payload ?? null) } };
    }
    case "timer": {
      const fireAt = fireAtOf(fields);
      if (!fireAt) return `timer entry ${proposed.index} needs a numeric fireAtMs`;
      return { entry, timer: { fireAt, kind: "timer" } };
    }
    case "signal_wait": {
      const fireAt = fireAtOf(fields);
      return {
        entry,
        signalWait: { runId: invocation.id, name: proposed.name },
        ...(fireAt ? { timer: { fireAt, kind: "signal_timeout" as const } } : {}),
      };
    }
    case "call":
      return planCall(invocation, entry, fields, services);
    default:
      return `entry ${proposed.index} has an unsupported kind (${kind})`;
  }
}

function planCall(
  invocation: { id: string; service: string },
  entry: LiveEntry,
  fields: Record<string, unknown>,
  services: ServiceRegistry,
): ProposalPlan {
  const service = typeof fields.service === "string" && fields.service ? fields.service : invocation.service;
  const handler = typeof fields.handler === "string" ? fields.handler : "";
  const component = services.get(service)?.components.get(handler);
  if (!component) {
    // A child that cannot exist fails its entry at once rather than waiting forever.
    entry.result = notFound(service, handler, services);
    return { entry };
  }
  let entityTarget: { objectKey: string; methodName: string } | undefined;
  if (component.kind === "entity") {
    const method = typeof fields.method === "string" ? fields.method : "";
    const key = typeof fields.key === "string" ? fields.key : "";
    if (!key || !component.methods?.some((m) => m.name === method)) {
      entry.result = {
        ok: false,
        failure: key
          ? {
              code: "HANDLER_NOT_FOUND",
              message: `Entity "${handler}" has no method "${method}" (methods: ${component.methods?.map((m) => m.name).join(", ") || "none"})`,
            }
          : { code: "INVALID_REQUEST", message: `A call to entity "${handler}" needs a non-empty key` },
      };
      return { entry };
    }
    entityTarget = { objectKey: key, methodName: method };
  }
  return {
    entry,
    child: {
      // Deterministic: a re-proposal after a crash finds the same child instead of starting another.
      id: `${invocation.id}.${entry.index}`,
      service,
      handler,
      kind: component.kind,
      input: JSON.stringify(fields.input ?? null),
      // The caller's trace context (W3C traceparent/tracestate), so the child's spans hang under the call's.
      headers: traceHeaders(fields.headers),
      parentId: invocation.id,
      parentEntryIndex: entry.index,
      ...(entityTarget ?? {}),
    },
  };
}

function notFound(service: string, handler: string, services: ServiceRegistry): EntryResultRow {
  const known = services.get(service);
  return {
    ok: false,
    failure: known
      ? { code: "HANDLER_NOT_FOUND", message: `Service "${service}" has no handler "${handler}"` }
      : { code: "SERVICE_NOT_FOUND", message: `Service "${service}" is not registered` },
  };
}

/**
 * Names and ids an entry stores in text columns (its name; a signal's run id; a call's target) are
 * identifiers: one holding U+0000 (which PostgreSQL text cannot keep) or a lone surrogate is refused
 * rather than changed, and the invocation fails at once instead of its journal write failing on
 * every retry.
 */
function unstorableIdentifier(name: string, kind: string, fields: Record<string, unknown>): string | undefined {
  const identifiers: Record<string, unknown> = { name };
  if (kind === "signal_emit") identifiers.runId = fields.runId;
  if (kind === "call") {
    Object.assign(identifiers, {
      service: fields.service,
      handler: fields.handler,
      method: fields.method,
      key: fields.key,
    });
  }
  for (const [field, value] of Object.entries(identifiers)) {
    const problem = typeof value === "string" ? unstorableIn(value) : undefined;
    if (problem) return `has a ${field} holding ${problem}, which the store cannot keep: ${JSON.stringify(value)}`;
  }
  return undefined;
}

function fireAtOf(fields: Record<string, unknown>): Date | undefined {
  return typeof fields.fireAtMs === "number" && Number.isFinite(fields.fireAtMs)
    ? new Date(fields.fireAtMs)
    : undefined;
}

/** The W3C trace-context headers a call request carries (the worker adds them when tracing is on). */
function traceHeaders(value: unknown): Record<string, string> {
  if (typeof value !== "object" || value === null) return {};
  const headers: Record<string, string> = {};
  for (const name of ["traceparent", "tracestate"]) {
    const field = (value as Record<string, unknown>)[name];
    if (typeof field === "string" && field.length <= 512) headers[name] = field;
  }
  return headers;
}
