import { defaultRegistry, type EntityContext, entity, type Registry, TerminalError } from "@agnt5/core";
import type { SessionEvent, SessionInfo, SessionMessage, SessionRetention } from "./session-types.js";

/**
 * The built-in entity types sessions are made of. Each session is one `agnt5.session` entity keyed
 * by its id, so its history and session-scoped state have one writer at a time, in arrival order,
 * and every write (an append, a prune, a delete) commits all of its changes or none. User- and
 * app-scoped state live in `agnt5.session_user` (keyed by user id) and `agnt5.session_app` (keyed
 * by app name), shared by every session of that user or app.
 *
 * State fields of `agnt5.session` (what GET /v1/entities/agnt5.session/:id shows):
 * - `info`: SessionInfo without the counts (id, appName, userId, metadata, retention, times);
 * - `next_seq`: the seq the next message gets;
 * - `m:<seq, 12 digits>`: one field per message, so an append writes one field, not the history;
 * - `append:<idempotency key>`: the seqs an append stored, so the same append is never stored twice;
 *   only the markers of the last APPEND_MARKERS_KEPT keyed appends are kept (`append_ring:<slot>`
 *   names the key in each slot, `append_count` counts keyed appends): a retry arriving later than
 *   that is stored again;
 * - `state`: the session-scoped state values;
 * - `audit`: the latest state writes and prunes (at most AUDIT_LIMIT), for events().
 */
export const SESSION_ENTITY = "agnt5.session";
export const SESSION_USER_ENTITY = "agnt5.session_user";
export const SESSION_APP_ENTITY = "agnt5.session_app";

const MESSAGE_PREFIX = "m:";
const APPEND_PREFIX = "append:";
const APPEND_RING_PREFIX = "append_ring:";
/**
 * Idempotency markers kept per session: a retry (an agent run resumed after a crash) comes back
 * within a few appends of the original, so the last 1,000 keyed appends bound the state while
 * covering any realistic retry.
 */
export const APPEND_MARKERS_KEPT = 1000;
const AUDIT_LIMIT = 1000;
/** What `autoPrune: true` keeps. */
export const AUTO_PRUNE_DEFAULT = 100;

type StoredInfo = Omit<SessionInfo, "messageCount" | "nextSeq">;
type AuditEvent = Exclude<SessionEvent, { type: "message" }>;

/** A message as an append carries it: everything but what the entity assigns (seq, timestamp). */
export type AppendedMessage = Omit<SessionMessage, "seq" | "timestamp">;

export interface OpenInput {
  appName?: string;
  userId?: string;
  metadata?: Record<string, unknown>;
  retention?: SessionRetention;
}

export interface AppendInput {
  messages: AppendedMessage[];
  /** Same key, same append: a second call returns the first one's seqs and stores nothing. */
  idempotencyKey?: string;
  /** Creates the session with these fields when it does not exist yet. */
  open?: OpenInput;
}

export interface PruneInput {
  strategy: string;
  /** The seqs to remove (those already gone are ignored, so messages appended meanwhile stay). */
  remove: number[];
  /** Written in place of the removed messages (its seq is the highest removed one, so it sorts before what follows). */
  summary?: AppendedMessage;
}

const seqField = (seq: number) => `${MESSAGE_PREFIX}${String(seq).padStart(12, "0")}`;

function now(): string {
  return new Date().toISOString();
}

function messagesOf(ctx: EntityContext): SessionMessage[] {
  const state = ctx.state();
  return Object.keys(state)
    .filter((field) => field.startsWith(MESSAGE_PREFIX))
    .sort()
    .map((field) => state[field] as SessionMessage);
}

async function infoOf(ctx: EntityContext): Promise<SessionInfo | null> {
  const info = await ctx.get<StoredInfo>("info");
  if (!info) return null;
  const nextSeq = await ctx.get<number>("next_seq", 1);
  const messageCount = Object.keys(ctx.state()).filter((field) => field.startsWith(MESSAGE_PREFIX)).length;
  return { ...info, messageCount, nextSeq };
}

async function ensureOpen(ctx: EntityContext, open: OpenInput | undefined): Promise<StoredInfo> {
  const existing = await ctx.get<StoredInfo>("info");
  const time = now();
  if (existing && open === undefined) return existing;
  const info: StoredInfo = existing
    ? {
        ...existing,
        // Fields given later fill in what was missing; metadata merges; an immutable session stays immutable.
        ...(existing.appName === undefined && open?.appName !== undefined ? { appName: open.appName } : {}),
        ...(existing.userId === undefined && open?.userId !== undefined ? { userId: open.userId } : {}),
        metadata: { ...existing.metadata, ...open?.metadata },
        retention: mergeRetention(existing.retention, open?.retention),
      }
    : {
        id: ctx.key,
        ...(open?.appName === undefined ? {} : { appName: open.appName }),
        ...(open?.userId === undefined ? {} : { userId: open.userId }),
        metadata: { ...open?.metadata },
        retention: { ...open?.retention },
        createdAt: time,
        updatedAt: time,
      };
  ctx.set("info", info);
  return info;
}

function mergeRetention(existing: SessionRetention, given: SessionRetention | undefined): SessionRetention {
  const merged = { ...existing, ...given };
  if (existing.immutable) merged.immutable = true;
  return merged;
}

function touch(ctx: EntityContext, info: StoredInfo): void {
  ctx.set("info", { ...info, updatedAt: now() });
}

async function audit(ctx: EntityContext, event: AuditEvent): Promise<void> {
  const events = await ctx.get<AuditEvent[]>("audit", []);
  events.push(event);
  ctx.set("audit", events.slice(-AUDIT_LIMIT));
}

function refuseIfImmutable(info: StoredInfo | undefined | null, operation: string, id: string): void {
  if (info?.retention.immutable) {
    throw new TerminalError(`Session "${id}" is immutable (retention.immutable): ${operation} is refused`, {
      code: "SESSION_IMMUTABLE",
      details: { sessionId: id, operation },
    });
  }
}

function checkAppend(input: AppendInput): void {
  if (!input || !Array.isArray(input.messages)) {
    throw new TerminalError("agnt5.session.append needs { messages: [...] }", { code: "INVALID_INPUT" });
  }
  for (const [index, message] of input.messages.entries()) {
    if (!message || !["user", "assistant", "system", "tool"].includes(message.role)) {
      throw new TerminalError(
        `agnt5.session.append: messages[${index}].role must be "user", "assistant", "system" or "tool"`,
        { code: "INVALID_INPUT" },
      );
    }
    if (typeof message.content !== "string") {
      throw new TerminalError(`agnt5.session.append: messages[${index}].content must be a string`, {
        code: "INVALID_INPUT",
      });
    }
  }
}

/**
 * Records an append's idempotency marker in the ring of the last APPEND_MARKERS_KEPT: the slot's
 * previous marker is deleted in the same write, so an append costs the same however many came before.
 */
async function remember(ctx: EntityContext, idempotencyKey: string, seqs: number[]): Promise<void> {
  const count = await ctx.get<number>("append_count", 0);
  const slot = `${APPEND_RING_PREFIX}${count % APPEND_MARKERS_KEPT}`;
  const evicted = await ctx.get<string>(slot);
  if (evicted !== undefined) ctx.delete(`${APPEND_PREFIX}${evicted}`);
  ctx.set(slot, idempotencyKey);
  ctx.set("append_count", count + 1);
  ctx.set(`${APPEND_PREFIX}${idempotencyKey}`, seqs);
}

/** Removes the oldest messages beyond `keep` (autoPrune), in the append's own write. */
function autoPrune(ctx: EntityContext, info: StoredInfo): number {
  const setting = info.retention.autoPrune;
  if (!setting || info.retention.immutable) return 0;
  const keep = setting === true ? AUTO_PRUNE_DEFAULT : setting;
  const fields = Object.keys(ctx.state())
    .filter((field) => field.startsWith(MESSAGE_PREFIX))
    .sort();
  const excess = fields.slice(0, Math.max(0, fields.length - keep));
  for (const field of excess) ctx.delete(field);
  return excess.length;
}

const sessionMethods = {
  /** Creates the session (or merges metadata and fills in missing fields); returns its info. */
  open: entity.write(async (ctx: EntityContext, input: OpenInput | undefined) => {
    await ensureOpen(ctx, input ?? {});
    return infoOf(ctx);
  }),
  append: entity.write(async (ctx: EntityContext, input: AppendInput) => {
    checkAppend(input);
    if (input.idempotencyKey !== undefined) {
      const previous = await ctx.get<number[]>(`${APPEND_PREFIX}${input.idempotencyKey}`);
      if (previous) return { seqs: previous, duplicate: true };
    }
    const info = await ensureOpen(ctx, input.open);
    let next = await ctx.get<number>("next_seq", 1);
    const timestamp = now();
    const seqs: number[] = [];
    for (const message of input.messages) {
      const stored: SessionMessage = { ...message, seq: next, timestamp };
      ctx.set(seqField(next), stored);
      seqs.push(next);
      next++;
    }
    ctx.set("next_seq", next);
    if (input.idempotencyKey !== undefined) await remember(ctx, input.idempotencyKey, seqs);
    const pruned = autoPrune(ctx, info);
    if (pruned > 0) await audit(ctx, { type: "prune", timestamp, strategy: "auto", removed: pruned, summary: false });
    touch(ctx, info);
    return { seqs, duplicate: false };
  }),
  history: entity.shared(async (ctx: EntityContext) => messagesOf(ctx)),
  info: entity.shared(async (ctx: EntityContext) => infoOf(ctx)),
  events: entity.shared(async (ctx: EntityContext, input: { since?: string; limit?: number } | undefined) => {
    const messages: SessionEvent[] = messagesOf(ctx).map((message) => ({
      type: "message",
      timestamp: message.timestamp,
      seq: message.seq,
      message,
    }));
    const others = await ctx.get<AuditEvent[]>("audit", []);
    // Stable sort: at equal times messages come first, then state writes and prunes in their order.
    const all = [...messages, ...others].sort((a, b) => a.timestamp.localeCompare(b.timestamp));
    const since = input?.since;
    const selected = since === undefined ? all : all.filter((event) => event.timestamp >= since);
    return input?.limit === undefined ? selected : selected.slice(0, input.limit);
  }),
  set_state: entity.write(async (ctx: EntityContext, input: { key: string; value?: unknown; open?: OpenInput }) => {
    if (!input || typeof input.key !== "string" || input.key === "") {
      throw new TerminalError("agnt5.session.set_state needs { key: non-empty string, value }", {
        code: "INVALID_INPUT",
      });
    }
    const info = await ensureOpen(ctx, input.open);
    const state = await ctx.get<Record<string, unknown>>("state", {});
    if (input.value === undefined) delete state[input.key];
    else state[input.key] = input.value;
    ctx.set("state", state);
    const timestamp = now();
    await audit(ctx, { type: "state", timestamp, key: input.key, scope: "session" });
    touch(ctx, info);
    return null;
  }),
  get_state: entity.shared(async (ctx: EntityContext, input: { key?: string } | undefined) => {
    const state = await ctx.get<Record<string, unknown>>("state", {});
    return input?.key === undefined ? state : (state[input.key] ?? null);
  }),
  prune: entity.write(async (ctx: EntityContext, input: PruneInput) => {
    const info = await ctx.get<StoredInfo>("info");
    refuseIfImmutable(info, "prune", ctx.key);
    if (!input || !Array.isArray(input.remove)) {
      throw new TerminalError("agnt5.session.prune needs { strategy, remove: [seq, ...] }", { code: "INVALID_INPUT" });
    }
    const state = ctx.state();
    let removed = 0;
    for (const seq of input.remove) {
      const field = seqField(seq);
      if (field in state) {
        ctx.delete(field);
        removed++;
      }
    }
    const timestamp = now();
    if (input.summary && input.remove.length > 0) {
      const seq = Math.max(...input.remove);
      const summary: SessionMessage = { ...input.summary, seq, timestamp, summary: true };
      ctx.set(seqField(seq), summary);
    }
    await audit(ctx, {
      type: "prune",
      timestamp,
      strategy: input.strategy,
      removed,
      summary: input.summary !== undefined,
    });
    if (info) touch(ctx, info);
    return { removed, kept: messagesOf(ctx).length };
  }),
  /** Removes the whole session (history, state, info), unless it is immutable. */
  delete: entity.write(async (ctx: EntityContext) => {
    refuseIfImmutable(await ctx.get<StoredInfo>("info"), "delete", ctx.key);
    const fields = Object.keys(ctx.state());
    for (const field of fields) ctx.delete(field);
    return { deleted: fields.length > 0 };
  }),
};

/** State shared by every session of one user (keyed by user id) or one app (keyed by app name). */
function scopeMethods(type: string) {
  return {
    set: entity.write(async (ctx: EntityContext, input: { key: string; value?: unknown }) => {
      if (!input || typeof input.key !== "string" || input.key === "") {
        throw new TerminalError(`${type}.set needs { key: non-empty string, value }`, { code: "INVALID_INPUT" });
      }
      ctx.set(`v:${input.key}`, input.value);
      return null;
    }),
    get: entity.shared(async (ctx: EntityContext, input: { key?: string } | undefined) => {
      if (input?.key !== undefined) return (await ctx.get(`v:${input.key}`)) ?? null;
      const state = ctx.state();
      return Object.fromEntries(Object.entries(state).map(([field, value]) => [field.slice(2), value]));
    }),
  };
}

export const SessionEntity = entity({ name: SESSION_ENTITY, registry: false }, sessionMethods);
export const SessionUserEntity = entity(
  { name: SESSION_USER_ENTITY, registry: false },
  scopeMethods(SESSION_USER_ENTITY),
);
export const SessionAppEntity = entity({ name: SESSION_APP_ENTITY, registry: false }, scopeMethods(SESSION_APP_ENTITY));

/**
 * Adds the session entity types to `registry` (default: the global one), so a Worker built on it
 * hosts them: needed by any worker whose handlers use a Session through their ctx (registerAgent
 * does it for its own registry). Registering twice is harmless.
 */
export function registerSessionEntities(registry: Registry = defaultRegistry): void {
  registry.register(SessionEntity);
  registry.register(SessionUserEntity);
  registry.register(SessionAppEntity);
}
