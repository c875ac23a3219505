import type { EmbeddingModelV1, LanguageModelV1, ProviderV1 } from "./language-model-v1/language-model-v1.js";
import { NoSuchModelError } from "./language-model-v1/llm-errors.js";
import type { ProviderFactory, ProviderOptions } from "./language-model-v1/provider-factory.js";
import { ADAPTER_HINT, adapterProvider, adapterProviderNames } from "./llm-adapter-providers.js";
import { parseModelString } from "./llm-model-string.js";

/** Resolves "provider/model" strings to models. */
export interface ProviderRegistry {
  /** Serves `name` with `factory` from now on (replacing a registered or adapter-provided one). */
  registerProvider(name: string, factory: ProviderFactory): void;
  /** The provider `name`: registered here, or registered by an imported adapter package. */
  provider(name: string, options?: ProviderOptions): Promise<ProviderV1>;
  languageModel(model: string, options?: ProviderOptions): Promise<LanguageModelV1>;
  embeddingModel(model: string, options?: ProviderOptions): Promise<EmbeddingModelV1>;
}

export interface ProviderRegistryOptions {
  providers?: Record<string, ProviderFactory>;
  /**
   * Also serve the providers that imported adapter packages registered (`import "@agnt5/openai"`),
   * after this registry's own (default true).
   */
  useAdapters?: boolean;
}

/**
 * A registry of providers. A provider created without options is cached (one client per provider);
 * explicit options (apiKey, baseURL, ...) create a new one each time.
 */
export function createProviderRegistry(options: ProviderRegistryOptions = {}): ProviderRegistry {
  const factories = new Map<string, ProviderFactory>(Object.entries(options.providers ?? {}));
  const defaults = new Map<string, { factory: ProviderFactory; provider: ProviderV1 }>();
  const useAdapters = options.useAdapters ?? true;

  const factoryFor = (name: string, model: string): ProviderFactory => {
    const factory = factories.get(name) ?? (useAdapters ? adapterProvider(name) : undefined);
    if (factory) return factory;
    const available = [...new Set([...factories.keys(), ...(useAdapters ? adapterProviderNames() : [])])];
    throw new NoSuchModelError(
      `No provider "${name}" for "${model}": ${useAdapters ? `${ADAPTER_HINT}, or ` : ""}` +
        `register one with registerProvider("${name}", factory)` +
        (available.length ? ` (available: ${available.join(", ")})` : ""),
    );
  };

  const provider = (name: string, model: string, providerOptions?: ProviderOptions): ProviderV1 => {
    const factory = factoryFor(name, model);
    if (providerOptions !== undefined && Object.keys(providerOptions).length > 0) return factory(providerOptions);
    // One default instance per factory: a provider registered (or an adapter imported) later is used from then on.
    const cached = defaults.get(name);
    if (cached?.factory === factory) return cached.provider;
    const created = { factory, provider: factory() };
    defaults.set(name, created);
    return created.provider;
  };

  return {
    registerProvider(name, factory) {
      if (!name || name.includes("/")) throw new NoSuchModelError(`Invalid provider name "${name}"`);
      factories.set(name, factory);
      defaults.delete(name);
    },
    provider: async (name, providerOptions) => provider(name, `${name}/...`, providerOptions),
    async languageModel(model, providerOptions) {
      const { provider: name, modelId } = parseModelString(model);
      return provider(name, model, providerOptions).languageModel(modelId);
    },
    async embeddingModel(model, providerOptions) {
      const { provider: name, modelId } = parseModelString(model);
      const resolved = provider(name, model, providerOptions);
      if (typeof resolved.embeddingModel !== "function") {
        throw new NoSuchModelError(`Provider "${name}" has no embedding models (asked for "${model}")`);
      }
      return resolved.embeddingModel(modelId);
    },
  };
}

/** The registry model strings resolve with unless a call names another one. */
export const defaultProviderRegistry: ProviderRegistry = createProviderRegistry();

/** Registers a provider in the default registry: `registerProvider("acme", (options) => createAcme(options))`. */
export function registerProvider(name: string, factory: ProviderFactory): void {
  defaultProviderRegistry.registerProvider(name, factory);
}
