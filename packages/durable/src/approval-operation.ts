import {
  type ApprovalDecision,
  type ApprovalOptions,
  type ApprovalVerdict,
  type HumanInTheLoop,
  SignalTimeoutError,
  TerminalError,
} from "@agnt5/core";
import type { EngineEnvironment } from "./engine-environment.js";
import type { ExecutionCore } from "./execution-core.js";
import { invalidArgument, isDuration, isName } from "./invalid-argument.js";
import type { EntryResult } from "./journal-entry.js";
import { toJsonValue } from "./json-value.js";
import { signalPayload, timeoutRequest } from "./signal-operations.js";

/** The signal an approval waits on. */
export function approvalSignalName(name: string): string {
  return `approval:${name}`;
}

/**
 * ctx.human.approval(name, options): a `signal_wait` entry named `approval:<name>` whose request
 * carries `{ approval: { payload, requiredRoles }, timeoutMs?, fireAtMs? }`. The approving side
 * emits `{ decision, by, comment?, roles?, edits? }` to the run.
 */
export function createHuman(core: ExecutionCore, env: EngineEnvironment): HumanInTheLoop {
  return {
    approval(name: string, options: ApprovalOptions = {}): Promise<ApprovalDecision> {
      if (!isName(name)) return Promise.reject(invalidArgument("ctx.human.approval() needs a non-empty name"));
      const timeoutMs = options.timeoutMs ?? options.timeout;
      if (timeoutMs !== undefined && !isDuration(timeoutMs)) {
        return Promise.reject(invalidArgument(`ctx.human.approval("${name}") needs a finite, non-negative timeout`));
      }
      const signalName = approvalSignalName(name);
      let request: object;
      try {
        request = {
          approval: {
            payload: toJsonValue(options.payload, `The payload of approval "${name}"`),
            requiredRoles: [...(options.requiredRoles ?? [])],
          },
          ...timeoutRequest(env, timeoutMs),
        };
      } catch (error) {
        return Promise.reject(error);
      }
      const convert = (result: EntryResult): ApprovalDecision => {
        const payload = signalPayload(result, () => {
          if (options.default === undefined) throw new SignalTimeoutError(signalName, timeoutMs);
          return defaultDecision(options.default);
        });
        return toDecision(name, payload);
      };
      return core.awaitEntry("signal_wait", signalName, request, convert, `ctx.human.approval("${name}")`).promise;
    },
  };
}

function defaultDecision(fallback: ApprovalVerdict | ApprovalDecision): ApprovalDecision {
  if (typeof fallback === "object") return fallback;
  return { decision: fallback, approved: fallback === "approved", by: "timeout" };
}

/** Reads the approving side's payload: `{ decision: "approved" | "rejected" }` (or `{ approved: boolean }`), `by`, ... */
export function toDecision(name: string, payload: unknown): ApprovalDecision {
  const value = (typeof payload === "object" && payload !== null ? payload : {}) as Record<string, unknown>;
  const decision: ApprovalVerdict | undefined =
    value.decision === "approved" || value.decision === "rejected"
      ? value.decision
      : typeof value.approved === "boolean"
        ? value.approved
          ? "approved"
          : "rejected"
        : undefined;
  if (!decision) {
    throw new TerminalError(
      `Approval "${name}" received ${JSON.stringify(payload)}, not a decision: expected ` +
        '{ decision: "approved" | "rejected", by, comment? }',
      { code: "INVALID_APPROVAL", details: { payload } },
    );
  }
  const roles = Array.isArray(value.roles)
    ? value.roles.filter((role): role is string => typeof role === "string")
    : undefined;
  return {
    decision,
    approved: decision === "approved",
    by: typeof value.by === "string" ? value.by : "unknown",
    ...(typeof value.comment === "string" ? { comment: value.comment } : {}),
    ...(roles ? { roles } : {}),
    ...(value.edits === undefined ? {} : { edits: value.edits }),
  };
}
