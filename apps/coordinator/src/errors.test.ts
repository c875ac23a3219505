// The gateway's code table (src/errors.ts) is the single source: every code it can answer with has
// a status and a meaning, and README's error table lists each with that status (and no code the
// gateway does not know). Adding a code without documenting it fails here.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { gatewayErrorCodes, httpStatusFor } from "./errors.js";

const README = fileURLToPath(new URL("../../../README.md", import.meta.url));

/** README's error table: the Markdown table right after the line that introduces the error shape. */
function readmeErrorTable(): Array<{ codes: string[]; status: string; line: string }> {
  const lines = readFileSync(README, "utf8").split("\n");
  const intro = lines.findIndex((line) => line.startsWith('Every error is `{"error"'));
  expect(intro, "README introduces its error table with 'Every error is {\"error\": ...}'").toBeGreaterThan(-1);
  const start = lines.findIndex((line, index) => index > intro && line.startsWith("|"));
  const rows: Array<{ codes: string[]; status: string; line: string }> = [];
  for (let index = start + 2; index < lines.length && lines[index]!.startsWith("|"); index++) {
    const line = lines[index]!;
    const [codeCell = "", statusCell = ""] = line.split("|").slice(1);
    rows.push({
      codes: [...codeCell.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((match) => match[1]!),
      status: statusCell,
      line,
    });
  }
  return rows;
}

describe("the gateway's error codes", () => {
  it("each has a status and a one-line meaning", () => {
    for (const { code, status, meaning } of gatewayErrorCodes()) {
      expect(meaning, `meaning of ${code} (add it to meaningByCode in src/errors.ts)`).not.toBe("");
      expect(meaning, `meaning of ${code} is one line`).not.toContain("\n");
      expect(httpStatusFor(code), code).toBe(status);
    }
  });

  it("README's error table lists every one with its status", () => {
    const rows = readmeErrorTable();
    const missing: string[] = [];
    for (const { code, status } of gatewayErrorCodes()) {
      const row = rows.find((candidate) => candidate.codes.includes(code));
      if (!row) missing.push(`${code} (${status})`);
      else expect(row.status, `README's status for ${code}`).toContain(String(status));
    }
    expect(missing, "codes missing from README's error table (README.md, 'Every error is ...')").toEqual([]);
  });

  it("README's error table lists no code the gateway does not know", () => {
    const known = new Set(gatewayErrorCodes().map((entry) => entry.code));
    const unknown = readmeErrorTable()
      .flatMap((row) => row.codes)
      .filter((code) => !known.has(code));
    expect(unknown).toEqual([]);
  });
});
