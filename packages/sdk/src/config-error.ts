import { Agnt5Error } from "@agnt5/core";

/** A worker setting that is missing or cannot be used. Thrown by the Worker constructor, before any I/O. */
export class ConfigError extends Agnt5Error {
  /** The option (or environment variable) at fault, e.g. "serviceName / AGNT5_SERVICE_NAME". */
  readonly setting: string;

  constructor(setting: string, message: string) {
    super({ message, code: "INVALID_CONFIG", details: { setting } });
    this.setting = setting;
  }
}
