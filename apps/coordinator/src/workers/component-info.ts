import { type ComponentDescriptor, ComponentKind } from "@agnt5/proto";

export type ComponentKindName = "function" | "entity" | "workflow" | "tool" | "agent";

/** What the coordinator knows of a component, from the latest registration of its service. */
export interface ComponentInfo {
  kind: ComponentKindName;
  name: string;
  streaming: boolean;
  description: string;
  inputSchema: unknown;
  outputSchema: unknown;
  metadata: unknown;
  retryPolicy: { maxAttempts: number; initialIntervalMs: number; maxIntervalMs: number; backoffMultiplier: number };
  /** Entities: their methods; `write` methods are exclusive per key, the others shared. */
  methods?: Array<{ name: string; write: boolean; inputSchema: unknown; outputSchema: unknown }>;
}

const kindNames: Record<ComponentKind, ComponentKindName | undefined> = {
  [ComponentKind.UNSPECIFIED]: undefined,
  [ComponentKind.FUNCTION]: "function",
  [ComponentKind.ENTITY]: "entity",
  [ComponentKind.WORKFLOW]: "workflow",
  [ComponentKind.TOOL]: "tool",
  [ComponentKind.AGENT]: "agent",
};

export const kindValues: Record<ComponentKindName, ComponentKind> = {
  function: ComponentKind.FUNCTION,
  entity: ComponentKind.ENTITY,
  workflow: ComponentKind.WORKFLOW,
  tool: ComponentKind.TOOL,
  agent: ComponentKind.AGENT,
};

/** Converts a registration's descriptor, or returns the reason it is unusable. */
export function componentFromDescriptor(descriptor: ComponentDescriptor): ComponentInfo | string {
  const kind = kindNames[descriptor.kind];
  if (!kind) return `component "${descriptor.name}" has no kind`;
  if (!descriptor.name) return "a component has an empty name";
  const parse = (text: string, field: string): unknown => {
    if (!text) return undefined;
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(`component "${descriptor.name}": ${field} is not valid JSON`);
    }
  };
  try {
    const policy = descriptor.retryPolicy;
    return {
      kind,
      name: descriptor.name,
      streaming: descriptor.streaming,
      description: descriptor.description,
      inputSchema: parse(descriptor.inputSchemaJson, "input_schema_json"),
      outputSchema: parse(descriptor.outputSchemaJson, "output_schema_json"),
      metadata: parse(descriptor.metadataJson, "metadata_json"),
      ...(kind === "entity"
        ? {
            methods: descriptor.entityMethods.map((method) => ({
              name: method.name,
              write: method.write,
              inputSchema: parse(method.inputSchemaJson, `method ${method.name} input_schema_json`),
              outputSchema: parse(method.outputSchemaJson, `method ${method.name} output_schema_json`),
            })),
          }
        : {}),
      retryPolicy: {
        maxAttempts: policy?.maxAttempts || 3,
        initialIntervalMs: Number(policy?.initialIntervalMs ?? 100n) || 100,
        maxIntervalMs: Number(policy?.maxIntervalMs ?? 10_000n) || 10_000,
        backoffMultiplier: policy?.backoffMultiplier || 2,
      },
    };
  } catch (error) {
    return (error as Error).message;
  }
}
