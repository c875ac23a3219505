import type { ComponentDefinition } from "@agnt5/core";
import { type ComponentDescriptor, ComponentDescriptorSchema, ComponentKind, create } from "@agnt5/proto";

const KINDS: Record<ComponentDefinition["kind"], ComponentKind> = {
  function: ComponentKind.FUNCTION,
  workflow: ComponentKind.WORKFLOW,
  entity: ComponentKind.ENTITY,
  agent: ComponentKind.AGENT,
};

/**
 * What the coordinator learns about one component at registration: kind (FUNCTION, WORKFLOW or
 * ENTITY), name, JSON schemas, whether it streams (workflows and entities never do), retry policy
 * and metadata. An entity (name = its type) lists its methods in entity_methods, each with its
 * write flag and schemas; it has no schemas of its own.
 */
export function toComponentDescriptor(component: ComponentDefinition): ComponentDescriptor {
  const policy = component.retryPolicy;
  return create(ComponentDescriptorSchema, {
    kind: KINDS[component.kind],
    name: component.name,
    inputSchemaJson: component.inputSchema ? JSON.stringify(component.inputSchema) : "",
    outputSchemaJson: component.outputSchema ? JSON.stringify(component.outputSchema) : "",
    streaming: component.streaming,
    description: component.description ?? "",
    retryPolicy: {
      maxAttempts: policy.maxAttempts,
      // uint64 on the wire is bigint in protobuf-es.
      initialIntervalMs: BigInt(Math.round(policy.initialIntervalMs)),
      maxIntervalMs: BigInt(Math.round(policy.maxIntervalMs)),
      backoffMultiplier: policy.backoffMultiplier,
    },
    metadataJson: JSON.stringify(component.metadata),
    entityMethods:
      component.kind === "entity"
        ? Object.entries(component.methods).map(([name, method]) => ({
            name,
            write: method.write,
            inputSchemaJson: method.inputSchema ? JSON.stringify(method.inputSchema) : "",
            outputSchemaJson: method.outputSchema ? JSON.stringify(method.outputSchema) : "",
          }))
        : [],
  });
}
