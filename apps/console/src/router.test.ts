import { describe, expect, it } from "vitest";
import { formatDuration } from "./format.js";
import { href, parseHash } from "./router.js";

describe("hash routes", () => {
  it("parses each page, decoding path segments", () => {
    expect(parseHash("")).toMatchObject({ page: "runs" });
    expect(parseHash("#/runs?status=failed&component=ping")).toMatchObject({ page: "runs" });
    expect((parseHash("#/runs?status=failed") as { query: URLSearchParams }).query.get("status")).toBe("failed");
    expect(parseHash("#/runs/expense-2041")).toEqual({ page: "run", runId: "expense-2041" });
    expect(parseHash("#/entities/Cart/a%2Fb%20c")).toEqual({ page: "entities", type: "Cart", key: "a/b c" });
    expect(parseHash("#/entities")).toEqual({ page: "entities", type: undefined, key: undefined });
    expect(parseHash("#/services")).toEqual({ page: "services" });
  });

  it("builds links that parse back to the same route, without empty query values", () => {
    const link = href(["entities", "Cart", "user@example.com/1"]);
    expect(parseHash(link)).toEqual({ page: "entities", type: "Cart", key: "user@example.com/1" });
    expect(href(["runs"], { status: "failed", service: undefined, component: "" })).toBe("#/runs?status=failed");
  });
});

describe("durations", () => {
  it("reads as people say them", () => {
    expect(formatDuration(null)).toBe("–");
    expect(formatDuration(340)).toBe("340 ms");
    expect(formatDuration(1234)).toBe("1.23 s");
    expect(formatDuration(42_000)).toBe("42.0 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
    expect(formatDuration(3_900_000)).toBe("1 h 5 min");
  });
});
