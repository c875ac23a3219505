export type EntityStoreErrorCode =
  /** A type, key, field, value, version, option or cursor that no backend could store faithfully. */
  | "INVALID_ARGUMENT"
  /** The store was closed. */
  | "CLOSED"
  /** The backing service could not be reached or prepared when the store was opened. */
  | "UNAVAILABLE";

export class EntityStoreError extends Error {
  override readonly name = "EntityStoreError";
  readonly code: EntityStoreErrorCode;

  constructor(code: EntityStoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export const invalid = (message: string): EntityStoreError => new EntityStoreError("INVALID_ARGUMENT", message);

/** A URL safe to print: the password is replaced by `***`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "<unparseable url>";
  }
}
