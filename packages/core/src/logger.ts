/**
 * The logging surface handlers see (`ctx.logger`). pino's Logger satisfies it, which is what the
 * SDK's Worker passes; core itself does no I/O, so its default is silent.
 */
export interface Logger {
  trace(obj: object | string, message?: string): void;
  debug(obj: object | string, message?: string): void;
  info(obj: object | string, message?: string): void;
  warn(obj: object | string, message?: string): void;
  error(obj: object | string, message?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

const noop = () => {};

export const silentLogger: Logger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
};
