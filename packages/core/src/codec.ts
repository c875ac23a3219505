/** Payloads travel as UTF-8 JSON bytes between caller, coordinator and worker. */
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export function encodeJson(value: unknown): Uint8Array {
  // undefined (a handler that returns nothing) travels as JSON null.
  return encoder.encode(JSON.stringify(value === undefined ? null : value));
}

/** Decodes JSON bytes; empty input decodes to undefined (a handler called without input). */
export function decodeJson(bytes: Uint8Array): unknown {
  if (bytes.byteLength === 0) return undefined;
  return JSON.parse(decoder.decode(bytes));
}
