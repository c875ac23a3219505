import { z } from "zod";
import { Timestamp } from "./common.js";

/**
 * One coordinator replica's lease (AGNT5_CLUSTER=1, docs/replicas.md). `token` is its fencing
 * token: a restarted replica gets a new one. An expired lease is taken over by the next replica's
 * round: its unfinished invocations and entity keys move there.
 */
export const ReplicaInfo = z.object({
  name: z.string(),
  token: z.string(),
  /** Services with at least one worker connected to this replica (where runs are handed). */
  services: z.array(z.string()),
  startedAt: Timestamp,
  renewedAt: Timestamp,
  expiresAt: Timestamp,
  /** Its lease ran out (by the database's clock): another replica takes it over at its next round. */
  expired: z.boolean(),
  /** Unfinished invocations (pending, running, suspended) this replica owns. */
  unfinishedInvocations: z.number().int(),
  /** Entity keys this replica writes. */
  entityKeys: z.number().int(),
});
export type ReplicaInfo = z.infer<typeof ReplicaInfo>;

export const ReplicasResponse = z.object({
  /** False for a single coordinator (no AGNT5_CLUSTER): then `replicas` is empty. */
  cluster: z.boolean(),
  /** The token of the replica that answered (null for a single coordinator). */
  self: z.string().nullable(),
  replicas: z.array(ReplicaInfo),
});
export type ReplicasResponse = z.infer<typeof ReplicasResponse>;
