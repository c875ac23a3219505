import type { EmbeddingModelV1, LanguageModelV1, ProviderV1 } from "./language-model-v1/language-model-v1.js";
import { NoSuchModelError } from "./language-model-v1/llm-errors.js";
import type { ProviderFactory, ProviderOptions } from "./language-model-v1/provider-factory.js";
import {
  ADAPTER_PACKAGES,
  importAdapterPackage,
  loadAdapterFactory,
  type ModuleImporter,
} from "./llm-adapter-loader.js";
import { parseModelString } from "./llm-model-string.js";

/** Resolves "provider/model" strings to models. */
export interface ProviderRegistry {
  /** Serves `name` with `factory` from now on (replacing a registered or adapter-provided one). */
  registerProvider(name: string, factory: ProviderFactory): void;
  /** The provider `name`: registered, or loaded from its adapter package. */
  provider(name: string, options?: ProviderOptions): Promise<ProviderV1>;
  languageModel(model: string, options?: ProviderOptions): Promise<LanguageModelV1>;
  embeddingModel(model: string, options?: ProviderOptions): Promise<EmbeddingModelV1>;
}

export interface ProviderRegistryOptions {
  providers?: Record<string, ProviderFactory>;
  /**
   * Load unregistered known providers (openai, groq, openrouter, azure, openai-compatible, anthropic,
   * bedrock) from their adapter packages with import() (default true).
   */
  loadAdapters?: boolean;
  /** How adapter packages are imported; for tests. */
  importModule?: ModuleImporter;
}

/**
 * A registry of providers. A provider created without options is cached (one client per provider);
 * explicit options (apiKey, baseURL, ...) create a new one each time.
 */
export function createProviderRegistry(options: ProviderRegistryOptions = {}): ProviderRegistry {
  const factories = new Map<string, ProviderFactory>(Object.entries(options.providers ?? {}));
  const defaults = new Map<string, Promise<ProviderV1>>();
  const loadAdapters = options.loadAdapters ?? true;
  const importModule = options.importModule ?? importAdapterPackage;

  const factoryFor = async (name: string, model: string): Promise<ProviderFactory> => {
    const registered = factories.get(name);
    if (registered) return registered;
    const loaded = loadAdapters ? await loadAdapterFactory(name, model, importModule) : undefined;
    if (loaded) return loaded;
    const known = [...new Set([...factories.keys(), ...(loadAdapters ? Object.keys(ADAPTER_PACKAGES) : [])])];
    throw new NoSuchModelError(
      `No provider "${name}" for "${model}": register one with registerProvider("${name}", factory)` +
        (known.length ? ` (available: ${known.join(", ")})` : ""),
    );
  };

  const provider = (name: string, model: string, providerOptions?: ProviderOptions): Promise<ProviderV1> => {
    if (providerOptions !== undefined && Object.keys(providerOptions).length > 0) {
      return factoryFor(name, model).then((factory) => factory(providerOptions));
    }
    let cached = defaults.get(name);
    if (!cached) {
      cached = factoryFor(name, model).then((factory) => factory());
      defaults.set(name, cached);
      // A failed load is not cached: installing the adapter (or registering the provider) fixes it.
      cached.catch(() => defaults.delete(name));
    }
    return cached;
  };

  return {
    registerProvider(name, factory) {
      if (!name || name.includes("/")) throw new NoSuchModelError(`Invalid provider name "${name}"`);
      factories.set(name, factory);
      defaults.delete(name);
    },
    provider: (name, providerOptions) => provider(name, `${name}/...`, providerOptions),
    async languageModel(model, providerOptions) {
      const { provider: name, modelId } = parseModelString(model);
      return (await provider(name, model, providerOptions)).languageModel(modelId);
    },
    async embeddingModel(model, providerOptions) {
      const { provider: name, modelId } = parseModelString(model);
      const resolved = await provider(name, model, providerOptions);
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
