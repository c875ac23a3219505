import { CoordinatorError } from "../errors.js";

/**
 * Opaque page cursors: base64url of a JSON array of the last row's sort key. A cursor that does
 * not decode (edited, truncated, from another list) is the caller's 400, never a wrong page.
 */
export function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string, length: number): string[] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    key = undefined;
  }
  if (!Array.isArray(key) || key.length !== length || !key.every((part) => typeof part === "string")) {
    throw new CoordinatorError(
      "INVALID_REQUEST",
      'Query parameter "cursor" is not a cursor this list returned (pass nextCursor unchanged)',
      { details: { field: "cursor" } },
    );
  }
  return key as string[];
}
