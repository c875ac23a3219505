import { NoSuchModelError } from "./language-model-v1/llm-errors.js";
import type { ProviderFactory } from "./language-model-v1/provider-factory.js";

/**
 * The providers adapter packages registered when they were imported (`import "@agnt5/openai"`
 * registers openai, groq, openrouter, azure and openai-compatible). This package names no adapter:
 * adapters depend on it, never the other way round.
 *
 * The table lives on globalThis under a Symbol.for key, so an adapter that resolved its own copy of
 * @agnt5/llm (a version mismatch in node_modules) still registers where the application's copy looks.
 */
const TABLE_KEY = Symbol.for("agnt5.llm.adapterProviders");

type AdapterTable = Map<string, ProviderFactory>;

function adapterTable(): AdapterTable {
  const holder = globalThis as { [TABLE_KEY]?: AdapterTable };
  holder[TABLE_KEY] ??= new Map();
  return holder[TABLE_KEY];
}

/**
 * What an adapter package calls when it is imported: serves each of `providers` for the model strings
 * starting with its name ("openai/..."). Providers registered with registerProvider() take precedence,
 * whatever the order of imports and calls.
 */
export function registerAdapterProviders(providers: Readonly<Record<string, ProviderFactory>>): void {
  const table = adapterTable();
  for (const [name, factory] of Object.entries(providers)) {
    if (!name || name.includes("/")) throw new NoSuchModelError(`Invalid provider name "${name}"`);
    table.set(name, factory);
  }
}

/** The factory an imported adapter registered for `name`, if any. */
export function adapterProvider(name: string): ProviderFactory | undefined {
  return adapterTable().get(name);
}

/** The names imported adapters serve. */
export function adapterProviderNames(): string[] {
  return [...adapterTable().keys()];
}

/** How to enable the built-in providers, for the message of a model string nothing serves. */
export const ADAPTER_HINT =
  'import its adapter package once, e.g. import "@agnt5/openai" (openai, groq, openrouter, azure, ' +
  'openai-compatible), "@agnt5/anthropic" or "@agnt5/bedrock"';
