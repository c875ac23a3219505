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
  /** Who decided (recorded in the run's journal). */
  by: z.string().min(1),
  comment: z.string().optional(),
  /** Changes to the approved payload, when the approval allows them (decision "approved" only). */
  edits: z.unknown().optional(),
  /** The approver's roles, checked against the approval's requiredRoles (the x-agnt5-roles header adds to them). */
  roles: z.array(z.string()).optional(),
});
export type ApprovalBody = z.infer<typeof ApprovalBody>;
