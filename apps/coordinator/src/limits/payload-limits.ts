import { ConfigError } from "../config-error.js";

/**
 * The largest payloads the coordinator accepts into its store, each from its AGNT5_MAX_* variable.
 * A payload over its limit is refused where it enters (gRPC worker frames, the signal route), with
 * PAYLOAD_TOO_LARGE naming the limit, before anything of it is written.
 */
export interface PayloadLimits {
  /** A journal entry's request plus result (AGNT5_MAX_JOURNAL_ENTRY_BYTES). */
  journalEntryBytes: number;
  /** The recorded result of a ctx.step (AGNT5_MAX_STEP_RESULT_BYTES). */
  stepResultBytes: number;
  /** All of one entity key's state after a write (AGNT5_MAX_ENTITY_STATE_BYTES). */
  entityStateBytes: number;
  /** A signal's payload, sent over HTTP or by a workflow (AGNT5_MAX_SIGNAL_BYTES). */
  signalBytes: number;
}

const MIB = 1024 * 1024;

/**
 * Defaults: every limit stays well under the gRPC frame limit (64 MiB), and entity state, which is
 * loaded and sent with every call on its key, is kept smaller than a journal entry.
 */
export const DEFAULT_PAYLOAD_LIMITS: PayloadLimits = {
  journalEntryBytes: 4 * MIB,
  stepResultBytes: 4 * MIB,
  entityStateBytes: MIB,
  signalBytes: MIB,
};

/** The variable that sets each limit, as error messages and docs name it. */
export const PAYLOAD_LIMIT_VARIABLES: Record<keyof PayloadLimits, string> = {
  journalEntryBytes: "AGNT5_MAX_JOURNAL_ENTRY_BYTES",
  stepResultBytes: "AGNT5_MAX_STEP_RESULT_BYTES",
  entityStateBytes: "AGNT5_MAX_ENTITY_STATE_BYTES",
  signalBytes: "AGNT5_MAX_SIGNAL_BYTES",
};

export function payloadLimitsFromEnv(env: NodeJS.ProcessEnv): PayloadLimits {
  const limits = { ...DEFAULT_PAYLOAD_LIMITS };
  for (const [field, variable] of Object.entries(PAYLOAD_LIMIT_VARIABLES) as Array<[keyof PayloadLimits, string]>) {
    const raw = env[variable]?.trim();
    if (raw === undefined || raw === "") continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1)
      throw new ConfigError("CONFIG_INVALID", `${variable} must be a positive integer of bytes, got "${raw}"`);
    limits[field] = value;
  }
  return limits;
}

/** The limits as WorkerRegistered.payload_limits carries them. */
export function announcedLimits(limits: PayloadLimits) {
  return {
    journalEntryBytes: BigInt(limits.journalEntryBytes),
    stepResultBytes: BigInt(limits.stepResultBytes),
    entityStateBytes: BigInt(limits.entityStateBytes),
    signalBytes: BigInt(limits.signalBytes),
  };
}
