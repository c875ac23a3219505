import { TerminalError } from "../errors.js";
import { envName, processEnv } from "./secrets.js";

/**
 * Where `ctx.config()` reads configuration and feature flags from. The SDK's default reads a JSON
 * file (AGNT5_CONFIG_FILE), then `AGNT5_CONFIG_<KEY>` environment variables (JSON, or a plain string).
 */
export interface ConfigProvider {
  /** The value of `key`, or undefined. */
  get(key: string): unknown;
}

/**
 * What a variant key's configuration may be: a fixed variant name, or weights by variant name
 * (`{ "control": 50, "treatment": 50 }`), drawn once per run (see ContextConfig.variant).
 */
export type VariantConfig = string | Readonly<Record<string, number>>;

/** `ctx.config()`. */
export interface ContextConfig {
  /** The value of `key`, or `defaultValue`. Not journaled: read it again on replay (use variant() to branch a durable run). */
  get<T>(key: string, defaultValue: T): T;
  get<T = unknown>(key: string): T | undefined;
  /**
   * The A/B variant of `key` for this run: the configured name, or one drawn by the configured
   * weights (deterministically from the run id, so a run keeps its group). Journaled as the step
   * `config.variant:<key>`: a replay takes the same branch even when the configuration changed.
   */
  variant(key: string, defaultValue: string): Promise<string>;
}

/** Configuration from `AGNT5_CONFIG_<KEY>` environment variables; values are parsed as JSON when they are JSON. */
export function envConfig(
  env: Readonly<Record<string, string | undefined>> | undefined = processEnv(),
): ConfigProvider {
  return {
    get: (key) => {
      const raw = env?.[`AGNT5_CONFIG_${envName(key)}`];
      if (raw === undefined) return undefined;
      try {
        return JSON.parse(raw);
      } catch {
        return raw;
      }
    },
  };
}

/** A fixed map of values (tests, or a Worker's `config: { ... }` option). */
export function staticConfig(values: Readonly<Record<string, unknown>>): ConfigProvider {
  return { get: (key) => (Object.hasOwn(values, key) ? values[key] : undefined) };
}

/** The first provider that has the key wins. */
export function chainConfig(...providers: ConfigProvider[]): ConfigProvider {
  return {
    get: (key) => {
      for (const provider of providers) {
        const value = provider.get(key);
        if (value !== undefined) return value;
      }
      return undefined;
    },
  };
}

export interface ContextConfigInit {
  provider: ConfigProvider;
  runId: string;
  /** The context's ctx.step: variants are journaled as steps. */
  step<T>(name: string, fn: () => T | Promise<T>): Promise<T>;
}

export function createContextConfig({ provider, runId, step }: ContextConfigInit): ContextConfig {
  const checkKey = (operation: string, key: unknown) => {
    if (typeof key === "string" && key.length > 0) return;
    throw new TerminalError(`ctx.config().${operation}() needs a non-empty string key, got ${JSON.stringify(key)}`, {
      code: "INVALID_ARGUMENT",
    });
  };
  return {
    get(key: string, defaultValue?: unknown): any {
      checkKey("get", key);
      const value = provider.get(key);
      return value === undefined ? defaultValue : value;
    },
    variant(key: string, defaultValue: string): Promise<string> {
      try {
        checkKey("variant", key);
      } catch (error) {
        return Promise.reject(error);
      }
      return step(`config.variant:${key}`, () => chooseVariant(provider.get(key), `${runId}:${key}`, defaultValue));
    },
  };
}

/** The variant a configuration names or weighs, drawn from `seed`; `defaultValue` when it names none. */
export function chooseVariant(config: unknown, seed: string, defaultValue: string): string {
  if (typeof config === "string") return config;
  if (typeof config !== "object" || config === null || Array.isArray(config)) return defaultValue;
  const weights = Object.entries(config as Record<string, unknown>).filter(
    (entry): entry is [string, number] => typeof entry[1] === "number" && entry[1] > 0 && Number.isFinite(entry[1]),
  );
  const total = weights.reduce((sum, [, weight]) => sum + weight, 0);
  if (total <= 0) return defaultValue;
  let point = (fnv1a(seed) / 0x1_0000_0000) * total;
  for (const [name, weight] of weights) {
    if (point < weight) return name;
    point -= weight;
  }
  return weights.at(-1)![0];
}

/** 32-bit FNV-1a: a stable, well-spread hash of the run id for sticky assignment. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}
