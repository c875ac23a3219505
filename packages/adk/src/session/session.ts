import { type AnyEntityDefinition, type DurableContext, TerminalError } from "@agnt5/core";
import type { Message } from "@agnt5/llm";
import type { AgentSession, SessionAppendOptions } from "../agent-types.js";
import {
  type AppendInput,
  type OpenInput,
  SessionAppEntity,
  SessionEntity,
  SessionUserEntity,
} from "./session-entities.js";
import { exportLine, toAppended } from "./session-messages.js";
import { planPrune } from "./session-prune.js";
import { ContextSessionStore, InMemorySessionStore, type SessionStore } from "./session-store.js";
import type {
  PruneOptions,
  PruneResult,
  SessionEvent,
  SessionInfo,
  SessionMessage,
  SessionMessageInput,
  SessionRetention,
  SessionScope,
} from "./session-types.js";

export interface SessionOptions {
  /** The session id: the key of its `agnt5.session` entity. */
  id: string;
  /** Names the app-scoped state (`scope: "app"`). */
  appName?: string;
  /** Names the user-scoped state (`scope: "user"`). */
  userId?: string;
  metadata?: Record<string, unknown>;
  retention?: SessionRetention;
  /** Where the session lives. Default: the durable context's entities when `ctx` is given, else InMemorySessionStore.default. */
  store?: SessionStore;
  /** A durable context to call the session entities through (journaled); same as `session.bind(ctx)`. */
  ctx?: DurableContext;
}

export interface StateOptions {
  /** "session" (default), "user", "app" or "temp". */
  scope?: SessionScope;
}

const SCOPES: ReadonlySet<string> = new Set(["session", "user", "app", "temp"]);

/**
 * A conversation: its messages (history, export, events, prune) and its state in four scopes. It is
 * made of entities (`agnt5.session` per id, `agnt5.session_user` per user, `agnt5.session_app` per
 * app), so writes to one session run one at a time and each is atomic. Give it to an agent
 * (`new Agent({ session })` or `agent.run(input, { session })`): the agent reads the history as
 * context and appends the run's messages, once even when the run is resumed after a crash.
 *
 * @example
 * const session = new Session({ id: "support-ticket-456", userId: "customer-789" });
 * await session.setState("language", "English", { scope: "user" });
 * await agent.run("I need help with my recent charge", { session });
 * const history = await session.history();
 */
export class Session implements AgentSession {
  readonly id: string;
  readonly appName: string | undefined;
  readonly userId: string | undefined;
  readonly metadata: Record<string, unknown>;
  readonly retention: SessionRetention;
  readonly store: SessionStore;
  readonly #options: SessionOptions;
  /** Temp scope: this object's (this invocation's) values, never stored. */
  readonly #temp = new Map<string, unknown>();

  constructor(options: SessionOptions) {
    if (typeof options?.id !== "string" || options.id === "") {
      throw new TerminalError("new Session({ id }) needs a non-empty string id", { code: "INVALID_ARGUMENT" });
    }
    checkRetention(options.retention);
    this.#options = options;
    this.id = options.id;
    this.appName = options.appName;
    this.userId = options.userId;
    this.metadata = { ...options.metadata };
    this.retention = { ...options.retention };
    this.store = options.store ?? (options.ctx ? new ContextSessionStore(options.ctx) : InMemorySessionStore.default);
  }

  /**
   * The same session, called through `ctx` (journaled entity calls); temp state starts empty there.
   * A session given its own store (other than a context's) keeps it: the agent loop then journals
   * its reads and appends as steps instead.
   */
  bind(ctx: DurableContext): Session {
    const { store, ...rest } = this.#options;
    if (store && !(store instanceof ContextSessionStore)) return this;
    return new Session({ ...rest, ctx });
  }

  /** true when this session's calls are journal entries of a durable context. */
  get journaled(): boolean {
    return this.store.journaled;
  }

  /** Creates the session entity (or merges metadata into it) and returns its info. Writes do it too. */
  async open(): Promise<SessionInfo> {
    return (await this.#call(SessionEntity, "open", this.#openFields())) as SessionInfo;
  }

  /** What the session records about itself; null before its first write. */
  async info(): Promise<SessionInfo | null> {
    return (await this.#call(SessionEntity, "info")) as SessionInfo | null;
  }

  async setState(key: string, value: unknown, options: StateOptions = {}): Promise<void> {
    const scope = checkScope(options.scope);
    checkKey(key);
    if (scope === "temp") {
      if (value === undefined) this.#temp.delete(key);
      else this.#temp.set(key, structuredClone(value));
      return;
    }
    if (scope === "session") {
      await this.#call(SessionEntity, "set_state", { key, value, open: this.#openFields() });
      return;
    }
    const [definition, owner] = this.#scopeEntity(scope);
    await this.#call(definition, owner, "set", { key, value });
  }

  /** The value of `key` in `scope` (default "session"), or undefined. */
  async getState<T = unknown>(key: string, options: StateOptions = {}): Promise<T | undefined> {
    const scope = checkScope(options.scope);
    checkKey(key);
    if (scope === "temp") return structuredClone(this.#temp.get(key)) as T | undefined;
    const value =
      scope === "session"
        ? await this.#call(SessionEntity, "get_state", { key })
        : await this.#call(...this.#scopeEntity(scope), "get", { key });
    return (value ?? undefined) as T | undefined;
  }

  /** Every value of `scope` (default "session"). */
  async state(options: StateOptions = {}): Promise<Record<string, unknown>> {
    const scope = checkScope(options.scope);
    if (scope === "temp") return structuredClone(Object.fromEntries(this.#temp));
    if (scope === "session") return (await this.#call(SessionEntity, "get_state", {})) as Record<string, unknown>;
    return (await this.#call(...this.#scopeEntity(scope), "get", {})) as Record<string, unknown>;
  }

  /**
   * Appends messages in one write. With an idempotencyKey the same append is stored once however
   * often it is sent (the agent loop passes its run id and entry name).
   */
  async append(messages: SessionMessageInput[], options: SessionAppendOptions = {}): Promise<{ seqs: number[] }> {
    const input: AppendInput = {
      messages: messages.map((message) =>
        toAppended(message, {
          ...(options.agent === undefined ? {} : { agent: options.agent }),
          ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
        }),
      ),
      open: this.#openFields(),
      ...(options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey }),
    };
    const { seqs } = (await this.#call(SessionEntity, "append", input)) as { seqs: number[] };
    return { seqs };
  }

  /** Appends one message (the seed's add_message). */
  addMessage(role: Message["role"], content: string, options: SessionAppendOptions = {}): Promise<{ seqs: number[] }> {
    return this.append([{ role, content } as SessionMessageInput], options);
  }

  /** Every message, oldest first, with timestamp, role, content, agent, tool calls and metadata. */
  async history(): Promise<SessionMessage[]> {
    return (await this.#call(SessionEntity, "history")) as SessionMessage[];
  }

  /** The history as model messages (what an agent reads as context). */
  async messages(): Promise<Message[]> {
    return (await this.history()).map((entry) => entry.message);
  }

  /** The history as JSON Lines (one message per line: timestamp, role, message, metadata, tool_calls), or as a JSON array. */
  async export(options: { format?: "jsonl" | "json" } = {}): Promise<string> {
    const format = options.format ?? "jsonl";
    const history = await this.history();
    if (format === "json") return JSON.stringify(history);
    if (format !== "jsonl") {
      throw new TerminalError(`session.export: format must be "jsonl" or "json", got ${JSON.stringify(format)}`, {
        code: "INVALID_ARGUMENT",
      });
    }
    return history.map(exportLine).join("\n") + (history.length > 0 ? "\n" : "");
  }

  /** Messages, state writes and prunes from `since` (an ISO date or time), oldest first, at most `limit`. */
  async events(options: { since?: string | Date; limit?: number } = {}): Promise<SessionEvent[]> {
    const since = options.since === undefined ? undefined : new Date(options.since);
    if (since !== undefined && Number.isNaN(since.getTime())) {
      throw new TerminalError(`session.events: since is not a date: ${JSON.stringify(options.since)}`, {
        code: "INVALID_ARGUMENT",
      });
    }
    return (await this.#call(SessionEntity, "events", {
      ...(since === undefined ? {} : { since: since.toISOString() }),
      ...(options.limit === undefined ? {} : { limit: options.limit }),
    })) as SessionEvent[];
  }

  /**
   * Shortens the history in one atomic write: keep_last_<N>, sliding_window (windowSize),
   * summarize_old (threshold; older messages become a model-written summary), keep_important (a
   * model picks what stays) or keep_summary (only a summary stays). Refused for an immutable session.
   */
  async prune(options: PruneOptions | string): Promise<PruneResult> {
    const prune = typeof options === "string" ? { strategy: options } : options;
    const info = await this.info();
    if (info?.retention.immutable || this.retention.immutable) {
      // The entity refuses too; checking first spares the model calls of a summary.
      throw immutableError(this.id, "prune");
    }
    const plan = await planPrune(await this.history(), prune, (name, fn) => this.#step(name, fn));
    const result = (await this.#call(SessionEntity, "prune", plan)) as { removed: number; kept: number };
    return { strategy: prune.strategy, ...result, summarized: plan.summary !== undefined };
  }

  /** Deletes the session's history, state and info (not its user or app state). Refused for an immutable session. */
  async delete(): Promise<{ deleted: boolean }> {
    return (await this.#call(SessionEntity, "delete")) as { deleted: boolean };
  }

  #openFields(): OpenInput {
    return {
      ...(this.appName === undefined ? {} : { appName: this.appName }),
      ...(this.userId === undefined ? {} : { userId: this.userId }),
      ...(Object.keys(this.metadata).length > 0 ? { metadata: this.metadata } : {}),
      ...(Object.keys(this.retention).length > 0 ? { retention: this.retention } : {}),
    };
  }

  #scopeEntity(scope: "user" | "app"): [typeof SessionUserEntity, string] {
    if (scope === "user") {
      if (this.userId === undefined) {
        throw new TerminalError(`Session "${this.id}" has no userId: user-scoped state needs new Session({ userId })`, {
          code: "INVALID_ARGUMENT",
        });
      }
      return [SessionUserEntity, this.userId];
    }
    if (this.appName === undefined) {
      throw new TerminalError(`Session "${this.id}" has no appName: app-scoped state needs new Session({ appName })`, {
        code: "INVALID_ARGUMENT",
      });
    }
    return [SessionAppEntity, this.appName];
  }

  /** A method of this session's entity, or (definition first) of the user or app scope entity `key`. */
  #call(definition: AnyEntityDefinition, ...args: [method: string, input?: unknown]): Promise<unknown>;
  #call(definition: AnyEntityDefinition, ...args: [key: string, method: string, input?: unknown]): Promise<unknown>;
  #call(definition: AnyEntityDefinition, ...args: unknown[]): Promise<unknown> {
    if (definition === SessionEntity) return this.store.call(definition, this.id, args[0] as string, args[1]);
    return this.store.call(definition, args[0] as string, args[1] as string, args[2]);
  }

  /** A model call of a prune: a journal entry when the session runs through a durable context. */
  #step<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const store = this.store;
    if (store instanceof ContextSessionStore && store.journaled) return store.ctx.step(`${name}:${this.id}`, fn);
    return fn();
  }
}

export function immutableError(id: string, operation: string): TerminalError {
  return new TerminalError(`Session "${id}" is immutable (retention.immutable): ${operation} is refused`, {
    code: "SESSION_IMMUTABLE",
    details: { sessionId: id, operation },
  });
}

function checkScope(scope: SessionScope | undefined): SessionScope {
  const value = scope ?? "session";
  if (!SCOPES.has(value)) {
    throw new TerminalError(`Unknown state scope ${JSON.stringify(scope)}: use "session", "user", "app" or "temp"`, {
      code: "INVALID_ARGUMENT",
    });
  }
  return value;
}

function checkKey(key: unknown): void {
  if (typeof key !== "string" || key === "") {
    throw new TerminalError(`A session state key must be a non-empty string, got ${JSON.stringify(key)}`, {
      code: "INVALID_ARGUMENT",
    });
  }
}

function checkRetention(retention: SessionRetention | undefined): void {
  if (retention === undefined) return;
  const { ttlDays, autoPrune } = retention;
  if (ttlDays !== undefined && !(typeof ttlDays === "number" && ttlDays > 0)) {
    throw new TerminalError(`retention.ttlDays must be a positive number, got ${JSON.stringify(ttlDays)}`, {
      code: "INVALID_ARGUMENT",
    });
  }
  if (autoPrune !== undefined && typeof autoPrune !== "boolean" && !(Number.isInteger(autoPrune) && autoPrune > 0)) {
    throw new TerminalError(`retention.autoPrune must be true, false or a positive integer, got ${String(autoPrune)}`, {
      code: "INVALID_ARGUMENT",
    });
  }
}
