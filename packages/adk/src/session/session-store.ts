import { type AnyEntityDefinition, type DurableContext, LocalEntityStore, localEntityStore } from "@agnt5/core";

/**
 * Where a Session's entity methods run. Every operation of a Session is one method call on one of
 * the session entity types, so a store only has to call methods: locally (InMemorySessionStore),
 * through a durable context (ContextSessionStore: journaled, exactly once), or through the gateway
 * (HttpSessionStore).
 */
export interface SessionStore {
  call(definition: AnyEntityDefinition, key: string, method: string, input?: unknown): Promise<unknown>;
  /** true when the calls are journal entries of a durable context (the agent loop then calls them directly). */
  readonly journaled: boolean;
}

/**
 * Sessions in this process's memory, for development, scripts and tests: the same entity methods
 * run on a LocalEntityStore (one writer per key, atomic writes), nothing survives the process.
 * The default one shares the process-wide local entity state, which is also what ctx.entity uses
 * in a handler called without a coordinator, so both see the same sessions; `new
 * InMemorySessionStore()` starts empty and sees only its own.
 */
export class InMemorySessionStore implements SessionStore {
  readonly journaled = false;
  readonly #entities: LocalEntityStore;

  constructor(options: { shared?: boolean } = {}) {
    this.#entities = options.shared ? localEntityStore : new LocalEntityStore();
  }

  /** The process-wide store a Session uses when it is given neither a store nor a context. */
  static readonly default = new InMemorySessionStore({ shared: true });

  call(definition: AnyEntityDefinition, key: string, method: string, input?: unknown): Promise<unknown> {
    return this.#entities.call(definition, key, method, input);
  }

  /** Forgets every session of this store. */
  clear(): void {
    this.#entities.clear();
  }
}

/**
 * Sessions as entities of the coordinator, called from a durable handler: each call is a journal
 * entry (ctx.entity), so a handler that crashes and resumes gets the recorded answer instead of
 * calling again. The worker must host the session entity types (registerSessionEntities).
 */
export class ContextSessionStore implements SessionStore {
  readonly journaled: boolean;

  constructor(readonly ctx: DurableContext) {
    // Inside a ctx.step function durable operations cannot nest: the calls then run unjournaled.
    this.journaled = ctx.stepId === undefined;
  }

  call(definition: AnyEntityDefinition, key: string, method: string, input?: unknown): Promise<unknown> {
    const proxy = this.ctx.entity(definition, key) as Record<string, (input?: unknown) => Promise<unknown>>;
    const call = proxy[method];
    if (!call) throw new Error(`Unknown session method ${method}`);
    return call(input);
  }
}

/**
 * Sessions reached from outside any worker (a script, a service of another stack) through the
 * gateway's entity routes: POST /v1/entities/<type>/<key>/<method> with the input as the body.
 */
export class HttpSessionStore implements SessionStore {
  readonly journaled = false;
  readonly #baseUrl: string;
  readonly #headers: Record<string, string>;

  constructor(options: { baseUrl: string; headers?: Record<string, string> }) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#headers = { ...options.headers };
  }

  async call(definition: AnyEntityDefinition, key: string, method: string, input?: unknown): Promise<unknown> {
    const url = `${this.#baseUrl}/v1/entities/${encodeURIComponent(definition.name)}/${encodeURIComponent(key)}/${encodeURIComponent(method)}`;
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...this.#headers },
      body: JSON.stringify(input ?? null),
    });
    // The gateway answers a method's result as the body itself, a failure as { error: { code, message } }.
    const body = (await response.json().catch(() => null)) as unknown;
    if (!response.ok) {
      const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
      const failure = new Error(error?.message ?? `${definition.name}.${method} answered HTTP ${response.status}`);
      throw Object.assign(failure, { code: error?.code ?? `HTTP_${response.status}`, status: response.status });
    }
    return body;
  }
}
