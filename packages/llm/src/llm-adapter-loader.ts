import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { NoSuchModelError } from "./language-model-v1/llm-errors.js";
import type { ProviderFactory } from "./language-model-v1/provider-factory.js";

/** The adapter package of each provider name a model string may start with. */
export const ADAPTER_PACKAGES: Readonly<Record<string, string>> = Object.freeze({
  openai: "@agnt5/openai",
  groq: "@agnt5/openai",
  openrouter: "@agnt5/openai",
  azure: "@agnt5/openai",
  "openai-compatible": "@agnt5/openai",
  anthropic: "@agnt5/anthropic",
  bedrock: "@agnt5/bedrock",
});

/** Imports a package by name; injectable so tests need no installed adapter. */
export type ModuleImporter = (specifier: string) => Promise<unknown>;

/**
 * Imports an adapter package: from where @agnt5/llm is installed (an optional peer dependency), or
 * else from the application's own node_modules (its entry script's and the working directory's
 * ancestors), which is where a workspace or a hoisting-free install puts it.
 */
export const importAdapterPackage: ModuleImporter = async (specifier) => {
  try {
    return await import(specifier);
  } catch (error) {
    if (!isModuleNotFound(error, specifier)) throw error;
    const entry = findPackageEntry(specifier, [
      process.argv[1] ? dirname(resolve(process.argv[1])) : undefined,
      process.cwd(),
    ]);
    if (entry === undefined) throw error;
    return await import(pathToFileURL(entry).href);
  }
};

/** The factory for `provider` from its adapter package's `agnt5Providers`. */
export async function loadAdapterFactory(
  provider: string,
  model: string,
  importModule: ModuleImporter,
): Promise<ProviderFactory | undefined> {
  const specifier = ADAPTER_PACKAGES[provider];
  if (specifier === undefined) return undefined;
  let module: unknown;
  try {
    module = await importModule(specifier);
  } catch (error) {
    if (!isModuleNotFound(error, specifier)) throw error;
    throw new NoSuchModelError(`Provider "${provider}" is not available: install ${specifier} to use "${model}"`);
  }
  const providers = (module as { agnt5Providers?: Record<string, ProviderFactory> }).agnt5Providers;
  const factory = providers?.[provider];
  if (typeof factory !== "function") {
    throw new NoSuchModelError(
      `${specifier} does not export agnt5Providers["${provider}"], needed for "${model}" (is it an older version?)`,
    );
  }
  return factory;
}

/** Node's "package not found" for this specifier itself (not for a package it imports). */
export function isModuleNotFound(error: unknown, specifier: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") return false;
  return typeof message === "string" && (message.includes(`'${specifier}'`) || message.includes(`"${specifier}"`));
}

/** The ESM entry file of `specifier` in the nearest node_modules above any of `fromDirs`. */
function findPackageEntry(specifier: string, fromDirs: Array<string | undefined>): string | undefined {
  for (const start of fromDirs) {
    if (start === undefined) continue;
    for (let dir = start; ; dir = dirname(dir)) {
      const packageDir = join(dir, "node_modules", specifier);
      const manifestPath = join(packageDir, "package.json");
      if (existsSync(manifestPath)) {
        const entry = entryOf(JSON.parse(readFileSync(manifestPath, "utf8")));
        return entry === undefined ? undefined : join(packageDir, entry);
      }
      if (dirname(dir) === dir) break;
    }
  }
  return undefined;
}

function entryOf(manifest: { exports?: unknown; module?: unknown; main?: unknown }): string | undefined {
  const root =
    typeof manifest.exports === "object" && manifest.exports !== null && "." in manifest.exports
      ? (manifest.exports as Record<string, unknown>)["."]
      : manifest.exports;
  if (typeof root === "string") return root;
  if (typeof root === "object" && root !== null) {
    const conditions = root as Record<string, unknown>;
    for (const condition of ["import", "node", "default"]) {
      if (typeof conditions[condition] === "string") return conditions[condition] as string;
    }
  }
  if (typeof manifest.module === "string") return manifest.module;
  return typeof manifest.main === "string" ? manifest.main : "index.js";
}
