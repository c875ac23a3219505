import { describe, expect, it } from "vitest";
import { parseRetryAfterMs } from "./retry-after.js";

describe("parseRetryAfterMs", () => {
  const now = Date.parse("2026-03-01T12:00:00Z");

  it("should read retry-after-ms as milliseconds", () => {
    expect(parseRetryAfterMs(new Headers({ "retry-after-ms": "250.5" }), now)).toBe(250.5);
  });

  it("should read retry-after as seconds", () => {
    expect(parseRetryAfterMs(new Headers({ "retry-after": "3" }), now)).toBe(3000);
    expect(parseRetryAfterMs(new Headers({ "retry-after": "0.5" }), now)).toBe(500);
  });

  it("should read retry-after as an HTTP date", () => {
    const headers = new Headers({ "retry-after": "Sun, 01 Mar 2026 12:00:07 GMT" });
    expect(parseRetryAfterMs(headers, now)).toBe(7000);
  });

  it("should clamp a date in the past to 0", () => {
    expect(parseRetryAfterMs(new Headers({ "retry-after": "Sun, 01 Mar 2026 11:00:00 GMT" }), now)).toBe(0);
  });

  it("should fall back to retry-after when retry-after-ms is unusable", () => {
    expect(parseRetryAfterMs(new Headers({ "retry-after-ms": "soon", "retry-after": "1" }), now)).toBe(1000);
  });

  it("should return undefined without usable headers", () => {
    expect(parseRetryAfterMs(new Headers(), now)).toBeUndefined();
    expect(parseRetryAfterMs(new Headers({ "retry-after": "whenever" }), now)).toBeUndefined();
  });
});

describe("parseRetryAfterMs on a plain header record (the AWS SDK's shape)", () => {
  it("should read retry-after case-insensitively", () => {
    expect(parseRetryAfterMs({ "Retry-After": "2" })).toBe(2000);
    expect(parseRetryAfterMs({ "retry-after-ms": "150", "retry-after": "9" })).toBe(150);
    expect(parseRetryAfterMs({})).toBeUndefined();
    expect(parseRetryAfterMs(undefined)).toBeUndefined();
  });
});
