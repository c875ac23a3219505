/**
 * A small text table: columns padded to their widest cell, long cells cut with "…" so one row stays
 * one line. No colours, no box drawing: it must read the same in a terminal, a log and a CI job.
 */
export interface Column {
  header: string;
  /** Right-align (numbers). */
  align?: "left" | "right";
  /** Longest a cell may be before it is cut (default 60). */
  max?: number;
}

export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const cells = rows.map((row) => columns.map((column, i) => truncate(oneLine(row[i] ?? ""), column.max ?? 60)));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: readonly string[]) =>
    values
      .map((value, i) => (columns[i]!.align === "right" ? value.padStart(widths[i]!) : value.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(columns.map((column) => column.header)), ...cells.map(line)].join("\n");
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ");
}
