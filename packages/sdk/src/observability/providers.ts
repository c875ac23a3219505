import { readFileSync } from "node:fs";
import {
  type ConfigProvider,
  chainConfig,
  chainSecrets,
  envConfig,
  envSecrets,
  type ObservabilityInit,
  type SecretsProvider,
  staticConfig,
} from "@agnt5/core";
import { ConfigError } from "../config-error.js";

export interface ProviderOptions {
  /** ctx.secrets(): your provider (a vault). Default: AGNT5_SECRETS_FILE (a JSON object), then the environment. */
  secrets?: SecretsProvider;
  /** ctx.config(): a provider or fixed values. Default: AGNT5_CONFIG_FILE (a JSON object), then AGNT5_CONFIG_<KEY> variables. */
  configuration?: ConfigProvider | Readonly<Record<string, unknown>>;
}

/** The secrets and configuration providers a worker gives every invocation. */
export function resolveProviders(options: ProviderOptions, env: NodeJS.ProcessEnv = process.env): ObservabilityInit {
  const secretsFile = env.AGNT5_SECRETS_FILE;
  const configFile = env.AGNT5_CONFIG_FILE;
  const secrets =
    options.secrets ??
    (secretsFile
      ? chainSecrets(secretsOf(fileValues(secretsFile, "AGNT5_SECRETS_FILE")), envSecrets(env))
      : envSecrets(env));
  const configuration = options.configuration;
  const config =
    configuration === undefined
      ? configFile
        ? chainConfig(fileValues(configFile, "AGNT5_CONFIG_FILE"), envConfig(env))
        : envConfig(env)
      : isProvider(configuration)
        ? configuration
        : staticConfig(configuration);
  return { secrets, config };
}

/** A JSON object file, read once when the worker starts (a missing or malformed file is a ConfigError at startup). */
function fileValues(path: string, variable: string): ConfigProvider {
  let values: Record<string, unknown>;
  try {
    values = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ConfigError(variable, `Cannot read ${path} as JSON: ${(error as Error).message}`);
  }
  if (typeof values !== "object" || values === null || Array.isArray(values)) {
    throw new ConfigError(variable, `${path} must hold a JSON object of values by key`);
  }
  return staticConfig(values);
}

/** Secrets are strings: other JSON values of a secrets file are passed as their JSON text. */
function secretsOf(values: ConfigProvider): SecretsProvider {
  return {
    get: (key) => {
      const value = values.get(key);
      return value === undefined || typeof value === "string" ? value : JSON.stringify(value);
    },
  };
}

function isProvider(value: object): value is ConfigProvider {
  return typeof (value as { get?: unknown }).get === "function";
}
