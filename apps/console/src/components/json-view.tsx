import type { ComponentChildren } from "preact";

/**
 * A JSON value, pretty and collapsible: objects and arrays are <details> (open near the top,
 * folded deeper down) whose members sit under their key, strings keep their line breaks, long
 * ones wrap instead of scrolling.
 */
export function JsonView({ value, openDepth = 2 }: { value: unknown; openDepth?: number }) {
  if (value === undefined) return <span class="json-empty">none</span>;
  return (
    <div class="json">
      <JsonNode value={value} depth={0} openDepth={openDepth} />
    </div>
  );
}

/** A member's name: an object key, or an array index (shown muted). */
type Name = { text: string; index: boolean } | undefined;

function JsonNode({
  value,
  depth,
  openDepth,
  name,
}: {
  value: unknown;
  depth: number;
  openDepth: number;
  name?: Name;
}) {
  if (value === null)
    return (
      <Leaf name={name}>
        <span class="json-null">null</span>
      </Leaf>
    );
  if (typeof value === "string")
    return (
      <Leaf name={name}>
        <span class="json-string">"{value}"</span>
      </Leaf>
    );
  if (typeof value === "number")
    return (
      <Leaf name={name}>
        <span class="json-number">{String(value)}</span>
      </Leaf>
    );
  if (typeof value === "boolean")
    return (
      <Leaf name={name}>
        <span class="json-bool">{String(value)}</span>
      </Leaf>
    );
  if (Array.isArray(value)) {
    if (value.length === 0)
      return (
        <Leaf name={name}>
          <span class="json-punct">[]</span>
        </Leaf>
      );
    return (
      <Fold name={name} open={depth < openDepth} label={`[ ${value.length} item${value.length === 1 ? "" : "s"} ]`}>
        {value.map((item, i) => (
          <JsonNode
            key={i}
            name={{ text: String(i), index: true }}
            value={item}
            depth={depth + 1}
            openDepth={openDepth}
          />
        ))}
      </Fold>
    );
  }
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0)
      return (
        <Leaf name={name}>
          <span class="json-punct">{"{}"}</span>
        </Leaf>
      );
    return (
      <Fold name={name} open={depth < openDepth} label={`{ ${entries.map(([k]) => k).join(", ")} }`}>
        {entries.map(([key, item]) => (
          <JsonNode key={key} name={{ text: key, index: false }} value={item} depth={depth + 1} openDepth={openDepth} />
        ))}
      </Fold>
    );
  }
  return (
    <Leaf name={name}>
      <span>{String(value)}</span>
    </Leaf>
  );
}

function NameLabel({ name }: { name: Name }) {
  if (!name) return null;
  return <span class={name.index ? "json-index" : "json-key"}>{name.text}</span>;
}

function Leaf({ name, children }: { name: Name; children: ComponentChildren }) {
  if (!name) return <>{children}</>;
  return (
    <div class="json-row">
      <NameLabel name={name} />
      {children}
    </div>
  );
}

function Fold({
  name,
  open,
  label,
  children,
}: {
  name: Name;
  open: boolean;
  label: string;
  children: ComponentChildren;
}) {
  return (
    <details class="json-fold" open={open}>
      <summary class="json-summary">
        <NameLabel name={name} />
        <span class="json-shape">{label.length > 80 ? `${label.slice(0, 77)}…}` : label}</span>
      </summary>
      <div class="json-children">{children}</div>
    </details>
  );
}
