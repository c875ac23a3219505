import { TerminalError } from "../errors.js";

/**
 * Where `ctx.secrets()` reads secrets from. Implement it to read from a vault; the SDK's default
 * reads a JSON secrets file (AGNT5_SECRETS_FILE) and then the environment.
 */
export interface SecretsProvider {
  /** The secret's value, or undefined when this provider has none. */
  get(key: string): string | undefined | Promise<string | undefined>;
}

/** `ctx.secrets()`. */
export interface ContextSecrets {
  /** The secret's value, or undefined. The value is redacted from logs, journals, errors and answers from then on. */
  get(key: string): Promise<string | undefined>;
  /** Like get, but throws SecretNotFoundError (SECRET_NOT_FOUND) when no provider has it. */
  require(key: string): Promise<string>;
}

export class SecretNotFoundError extends TerminalError {
  constructor(key: string) {
    super(`Secret "${key}" was not found (set it in the environment, the secrets file, or your SecretsProvider)`, {
      code: "SECRET_NOT_FOUND",
    });
  }
}

/**
 * Secrets from environment variables: key `openai_api_key` is read as `OPENAI_API_KEY`, then as
 * written. Reads `process.env` when there is one (core does no other I/O).
 */
export function envSecrets(
  env: Readonly<Record<string, string | undefined>> | undefined = processEnv(),
): SecretsProvider {
  return {
    get: (key) => {
      if (!env) return undefined;
      return env[envName(key)] ?? env[key];
    },
  };
}

/** `openai_api_key` / `openai.api-key` -> `OPENAI_API_KEY`. */
export function envName(key: string): string {
  return key.replace(/[^A-Za-z0-9]+/g, "_").toUpperCase();
}

export function processEnv(): Readonly<Record<string, string | undefined>> | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
}

/** The first provider that has the key wins. */
export function chainSecrets(...providers: SecretsProvider[]): SecretsProvider {
  return {
    get: async (key) => {
      for (const provider of providers) {
        const value = await provider.get(key);
        if (value !== undefined) return value;
      }
      return undefined;
    },
  };
}

/** Values shorter than this are not redacted: replacing "1" or "on" everywhere would garble every line. */
export const MIN_REDACTED_LENGTH = 4;
export const REDACTED = "[REDACTED]";

/**
 * Redaction by value: every secret read through ctx.secrets() is remembered, and the runtime passes
 * log lines, journal entries, failures and outputs through `redact` before they leave the process.
 * Process-wide on purpose: a secret is a fact of the process (any invocation may print it), and the
 * runtime paths that redact do not know which invocation read it.
 */
export class SecretRedactor {
  readonly #values = new Set<string>();
  #pattern: RegExp | undefined;

  /** Remembers `value` as secret (values shorter than MIN_REDACTED_LENGTH are ignored). */
  add(value: string): void {
    if (value.length < MIN_REDACTED_LENGTH || this.#values.has(value)) return;
    this.#values.add(value);
    // Longest first, so a secret containing another is replaced whole.
    const sorted = [...this.#values].sort((a, b) => b.length - a.length);
    this.#pattern = new RegExp(sorted.map(escapeRegExp).join("|"), "g");
  }

  /** true when no secret is known: callers skip the walk entirely (the common case costs one check). */
  get empty(): boolean {
    return this.#values.size === 0;
  }

  redactText(text: string): string {
    const pattern = this.#pattern;
    if (!pattern || !text) return text;
    pattern.lastIndex = 0;
    return pattern.test(text) ? text.replace(pattern, REDACTED) : text;
  }

  /** A copy of `value` with every string (and object key) redacted; `value` itself when nothing changes. */
  redact<T>(value: T): T {
    if (this.empty) return value;
    return this.#walk(value, new WeakMap()) as T;
  }

  #walk(value: unknown, seen: WeakMap<object, unknown>): unknown {
    if (typeof value === "string") return this.redactText(value);
    if (typeof value !== "object" || value === null) return value;
    if (value instanceof Uint8Array || value instanceof Date) return value;
    if (seen.has(value)) return seen.get(value);
    if (Array.isArray(value)) {
      const copy: unknown[] = [];
      seen.set(value, copy);
      let changed = false;
      for (const item of value) {
        const next = this.#walk(item, seen);
        changed ||= next !== item;
        copy.push(next);
      }
      return changed ? copy : value;
    }
    if (value instanceof Error) {
      const copy = new Error(this.redactText(value.message));
      copy.name = value.name;
      if (value.stack) copy.stack = this.redactText(value.stack);
      return copy;
    }
    const copy: Record<string, unknown> = {};
    seen.set(value, copy);
    let changed = false;
    for (const [key, item] of Object.entries(value)) {
      const nextKey = this.redactText(key);
      const next = this.#walk(item, seen);
      changed ||= next !== item || nextKey !== key;
      copy[nextKey] = next;
    }
    return changed ? copy : value;
  }
}

/** The process's redactor (see SecretRedactor). */
export const secretRedactor = new SecretRedactor();

/** ctx.secrets() over a provider: every value read is registered with the redactor. */
export function createContextSecrets(
  provider: SecretsProvider,
  redactor: SecretRedactor = secretRedactor,
): ContextSecrets {
  const get = async (key: string): Promise<string | undefined> => {
    if (typeof key !== "string" || key.length === 0) {
      throw new TerminalError(`ctx.secrets().get() needs a non-empty string key, got ${JSON.stringify(key)}`, {
        code: "INVALID_ARGUMENT",
      });
    }
    const value = await provider.get(key);
    if (typeof value === "string") redactor.add(value);
    return value;
  };
  return {
    get,
    require: async (key) => {
      const value = await get(key);
      if (value === undefined) throw new SecretNotFoundError(key);
      return value;
    },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
