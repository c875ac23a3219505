import { z } from "zod";

/** Body of `POST /runs/:runId/restart`: a new run that replays entries before `fromEntry` from the journal. */
export const RestartRunBody = z.object({
  fromEntry: z.number().int().min(0),
  /** Id of the new run; the coordinator makes one when absent. */
  runId: z.string().min(1).optional(),
});
export type RestartRunBody = z.infer<typeof RestartRunBody>;

/** Answer of the signal and approval routes: false when the run was not waiting (the signal is buffered or dropped). */
export const DeliveryResponse = z.object({ delivered: z.boolean() });
export type DeliveryResponse = z.infer<typeof DeliveryResponse>;

export const ApprovalDecision = z.enum(["approved", "rejected"]);
export type ApprovalDecision = z.infer<typeof ApprovalDecision>;

export const ApprovalBody = z.object({
  decision: ApprovalDecision,
  /**
   * Who decided, recorded in the run's journal. With authentication on, the key's name (or the
   * JWT's subject) is recorded instead; this is only used in dev mode.
   */
  by: z.string().min(1).optional(),
  comment: z.string().optional(),
  /** Changes to the approved payload, when the approval allows them (decision "approved" only). */
  edits: z.unknown().optional(),
  /**
   * Dev mode only: the approver's roles (the x-agnt5-roles header adds to them). With authentication
   * on, the roles of the caller's key are checked against the approval's requiredRoles instead.
   */
  roles: z.array(z.string()).optional(),
});
export type ApprovalBody = z.infer<typeof ApprovalBody>;
