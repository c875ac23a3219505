import type { ComponentChildren } from "preact";

/**
 * A JSON value, pretty and collapsible: objects and arrays are <details> (open near the top,
 * folded deeper down), strings keep their line breaks, long ones wrap instead of scrolling.
 */
export function JsonView({ value, openDepth = 2 }: { value: unknown; openDepth?: number }) {
  if (value === undefined) return <span class="json-empty">none</span>;
  return (
    <div class="json">
      <JsonNode value={value} depth={0} openDepth={openDepth} />
    </div>
  );
}

function JsonNode({ value, depth, openDepth }: { value: unknown; depth: number; openDepth: number }) {
  if (value === null) return <span class="json-null">null</span>;
  if (typeof value === "string") return <span class="json-string">"{value}"</span>;
  if (typeof value === "number") return <span class="json-number">{String(value)}</span>;
  if (typeof value === "boolean") return <span class="json-bool">{String(value)}</span>;
  if (Array.isArray(value)) {
    if (value.length === 0) return <span class="json-punct">[]</span>;
    return (
      <Fold open={depth < openDepth} label={`[ ${value.length} item${value.length === 1 ? "" : "s"} ]`}>
        {value.map((item, i) => (
          <div class="json-row" key={i}>
            <span class="json-index">{i}</span>
            <JsonNode value={item} depth={depth + 1} openDepth={openDepth} />
          </div>
        ))}
      </Fold>
    );
  }
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return <span class="json-punct">{"{}"}</span>;
    return (
      <Fold open={depth < openDepth} label={`{ ${entries.map(([k]) => k).join(", ")} }`}>
        {entries.map(([key, item]) => (
          <div class="json-row" key={key}>
            <span class="json-key">{key}</span>
            <JsonNode value={item} depth={depth + 1} openDepth={openDepth} />
          </div>
        ))}
      </Fold>
    );
  }
  return <span>{String(value)}</span>;
}

function Fold({ open, label, children }: { open: boolean; label: string; children: ComponentChildren }) {
  return (
    <details class="json-fold" open={open}>
      <summary class="json-summary">{label.length > 80 ? `${label.slice(0, 77)}…}` : label}</summary>
      <div class="json-children">{children}</div>
    </details>
  );
}
