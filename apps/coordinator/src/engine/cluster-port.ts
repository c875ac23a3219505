import type { EntryResultRow } from "../store/index.js";

/**
 * What replicas tell each other (over Redis pub/sub, at most once). Every message is a hint: the
 * database holds the truth, and a replica's sweep finds whatever a lost message would have said.
 */
export type ClusterMessage =
  /**
   * These invocations are yours now (owner_token already moved); `origin` waits for their end,
   * and for the chunks of those in `stream` (a caller there streams them).
   */
  | { type: "adopt"; ids: string[]; origin: string; stream?: string[] }
  /** A chunk of an invocation whose caller streams it on the replica that handed it over. */
  | { type: "chunk"; id: string; seq: number; data: string }
  /** An entry of an invocation you own got its (committed) result. */
  | { type: "deliver"; id: string; index: number; result: EntryResultRow }
  /** An invocation you asked about (adopt origin, or watch) has ended: read its record. */
  | { type: "settled"; id: string }
  /** Tell `replica` when this invocation ends. */
  | { type: "watch"; id: string; replica: string }
  /** Run control changed this invocation's record (cancel, pause, resume): apply it. */
  | { type: "refresh"; id: string };

/**
 * The engine's view of the other replicas (cluster/ implements it; absent for one coordinator).
 * Ownership lives in PostgreSQL; this only moves it and passes hints.
 */
export interface ClusterPort {
  /** This replica's fencing token (its lease). */
  readonly token: string;
  /** The replica owning an invocation: undefined when it does not exist, null when unowned. */
  ownerOf(id: string): Promise<{ owner: string | null; finished: boolean } | undefined>;
  /** A live replica (not this one) with workers for the service, if any. */
  replicaWith(service: string): string | undefined;
  /** Moves invocations this replica owns to `to`; returns those moved (none if `to` is gone). */
  handOff(ids: readonly string[], to: string): Promise<string[]>;
  /** The replica writing an entity key; claims it for this one when nobody does. */
  claimKey(type: string, key: string): Promise<string>;
  /** Moves an idle entity key with its waiting invocations to `to`; false if `to` is gone. */
  transferKey(key: { type: string; key: string }, ids: readonly string[], to: string): Promise<boolean>;
  /** Sends a hint to a replica (dropped silently when Redis is down: the sweep covers it). */
  send(to: string, message: ClusterMessage): void;
}
