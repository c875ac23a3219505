import { describe, expect, it } from "vitest";
import { compareCodePoints, decodeCursor, encodeCursor, prefixUpperBound } from "./validate.js";

const ALPHABET = [
  "",
  "a",
  "b",
  "z",
  "é",
  "\u07FF",
  "\uD7FF",
  "\uE000",
  "\uFFFD",
  "\uFFFF",
  "😀",
  "😁",
  "\u{10FFFF}",
  " ",
];
const randomString = () =>
  Array.from(
    { length: Math.floor(Math.random() * 4) },
    () => ALPHABET[Math.floor(Math.random() * ALPHABET.length)],
  ).join("");

describe("compareCodePoints", () => {
  it("orders strings like their UTF-8 bytes (PostgreSQL's C collation, Redis ZRANGEBYLEX)", () => {
    for (let i = 0; i < 5000; i++) {
      const a = randomString();
      const b = randomString();
      expect(Math.sign(compareCodePoints(a, b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(
        Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))),
      );
    }
  });

  it("differs from UTF-16 order where it must", () => {
    expect("😀" < "\uFFFD").toBe(true); // UTF-16 code units
    expect(compareCodePoints("😀", "\uFFFD")).toBeGreaterThan(0);
  });
});

describe("prefixUpperBound", () => {
  it("is the first string after every string with the prefix", () => {
    expect(prefixUpperBound("")).toBeUndefined();
    expect(prefixUpperBound("abc")).toBe("abd");
    expect(prefixUpperBound("a\u{10FFFF}")).toBe("b");
    expect(prefixUpperBound("\u{10FFFF}")).toBeUndefined();
    expect(prefixUpperBound("\uD7FF")).toBe("\uE000"); // skips the surrogate range
    expect(prefixUpperBound("😀")).toBe("😁");
    for (let i = 0; i < 2000; i++) {
      const prefix = randomString();
      const s = randomString();
      const bound = prefixUpperBound(prefix);
      const inRange = compareCodePoints(s, prefix) >= 0 && (bound === undefined || compareCodePoints(s, bound) < 0);
      expect(inRange, `${JSON.stringify(s)} in range of ${JSON.stringify(prefix)}`).toBe(s.startsWith(prefix));
    }
  });
});

describe("cursors", () => {
  it("round-trip any key, including the empty one, and refuse anything else", () => {
    for (const key of ["", "a", "item-10", "ż🎉/{}:%", " "]) {
      const cursor = encodeCursor(key);
      expect(cursor.length).toBeGreaterThan(0);
      expect(decodeCursor(cursor)).toBe(key);
    }
    for (const bad of ["", "x", "k!!", "kA", 42]) {
      expect(() => decodeCursor(bad)).toThrow(/invalid listKeys cursor/);
    }
  });
});
