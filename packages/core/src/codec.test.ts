import { describe, expect, it } from "vitest";
import { decodeJson, encodeJson } from "./codec.js";

describe("JSON codec", () => {
  it("round-trips values as UTF-8 JSON bytes", () => {
    const bytes = encodeJson({ name: "Zoë", n: [1, 2] });
    expect(new TextDecoder().decode(bytes)).toBe('{"name":"Zoë","n":[1,2]}');
    expect(decodeJson(bytes)).toEqual({ name: "Zoë", n: [1, 2] });
  });

  it("encodes undefined as JSON null", () => {
    expect(new TextDecoder().decode(encodeJson(undefined))).toBe("null");
  });

  it("decodes empty input to undefined", () => {
    expect(decodeJson(new Uint8Array())).toBeUndefined();
  });

  it("rejects malformed JSON and invalid UTF-8", () => {
    expect(() => decodeJson(new TextEncoder().encode("{nope"))).toThrow(SyntaxError);
    expect(() => decodeJson(new Uint8Array([0x22, 0xff, 0x22]))).toThrow(TypeError);
  });
});
