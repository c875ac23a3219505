import { type ComponentDefinition, defaultRegistry, type Registry } from "@agnt5/core";

/** The components a worker hosts, looked up at call time so definitions made after `new Worker()` count. */
export interface ComponentSource {
  get(name: string): ComponentDefinition | undefined;
  list(): ComponentDefinition[];
}

/**
 * `components` alone: exactly those. `registry` alone: everything in it. Both: the registry plus the
 * listed components (which win on a name clash). Neither: the global registry that `fn()` fills.
 */
export function createComponentSource(
  registry?: Registry,
  components?: readonly ComponentDefinition[],
): ComponentSource {
  const explicit = new Map((components ?? []).map((component) => [component.name, component]));
  const base = registry ?? (components ? undefined : defaultRegistry);
  return {
    get: (name) => explicit.get(name) ?? base?.get(name),
    list: () => {
      const merged = new Map((base?.list() ?? []).map((component) => [component.name, component]));
      for (const [name, component] of explicit) merged.set(name, component);
      return [...merged.values()];
    },
  };
}
