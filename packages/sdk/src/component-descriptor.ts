import type { ComponentDefinition } from "@agnt5/core";
import { type ComponentDescriptor, ComponentDescriptorSchema, ComponentKind, create } from "@agnt5/proto";

const KINDS: Record<ComponentDefinition["kind"], ComponentKind> = {
  function: ComponentKind.FUNCTION,
  workflow: ComponentKind.WORKFLOW,
};

/**
 * What the coordinator learns about one component at registration: kind (FUNCTION or WORKFLOW),
 * name, JSON schemas, whether it streams (workflows never do), retry policy and metadata.
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
  });
}
