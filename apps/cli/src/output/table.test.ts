import { describe, expect, it } from "vitest";
import { age, duration, jsonCell } from "./format.js";
import { renderTable } from "./table.js";

describe("renderTable", () => {
  it("pads columns to their widest cell, right-aligns numbers and trims trailing spaces", () => {
    const table = renderTable(
      [{ header: "NAME" }, { header: "N", align: "right" }, { header: "NOTE" }],
      [
        ["alpha", "1", ""],
        ["b", "120", "x"],
      ],
    );
    expect(table).toBe(["NAME     N  NOTE", "alpha    1", "b      120  x"].join("\n"));
  });

  it("keeps one row on one line: newlines become spaces and long cells are cut with …", () => {
    const table = renderTable([{ header: "V", max: 8 }], [["line one\nline two"]]);
    expect(table).toBe("V\nline on…");
  });
});

describe("formatting", () => {
  it("writes JSON on one line, cut to a width; nothing recorded is -", () => {
    expect(jsonCell({ a: [1, 2] })).toBe('{"a":[1,2]}');
    expect(jsonCell("x".repeat(100), 10)).toBe(`"${"x".repeat(8)}…`);
    expect(jsonCell(undefined)).toBe("-");
  });

  it("writes durations and ages a person reads at a glance", () => {
    expect(duration(850)).toBe("850ms");
    expect(duration(1_250)).toBe("1.3s");
    expect(duration(185_000)).toBe("3m 05s");
    expect(duration(7_800_000)).toBe("2h 10m");
    expect(duration(null)).toBe("-");
    expect(age("2026-12-02T10:00:00.000Z", Date.parse("2026-12-02T10:00:42.000Z"))).toBe("42s ago");
  });
});
