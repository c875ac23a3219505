/**
 * A setting the coordinator cannot start with: the user's configuration mistake (a missing
 * credential, TLS with a certificate but no key, a malformed number), not a crash. main prints
 * `code: message` on one line without a stack; any other start-up failure keeps its stack.
 */
export class ConfigError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = "ConfigError";
    this.code = code;
  }
}
