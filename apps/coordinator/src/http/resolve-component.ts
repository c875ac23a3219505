import { CoordinatorError } from "../errors.js";
import type { ComponentInfo } from "../workers/component-info.js";
import type { ServiceRegistry } from "../workers/service-registry.js";

/** Finds a service's handler or throws a 404 that says what does exist. */
export function resolveComponent(services: ServiceRegistry, serviceName: string, handlerName: string): ComponentInfo {
  const service = services.get(serviceName);
  if (!service) {
    const known = services.list().map((s) => s.name);
    throw new CoordinatorError(
      "SERVICE_NOT_FOUND",
      `Service "${serviceName}" is not registered${known.length ? ` (known services: ${known.join(", ")})` : " (no service has registered yet)"}`,
    );
  }
  const component = service.components.get(handlerName);
  if (!component) {
    throw new CoordinatorError(
      "HANDLER_NOT_FOUND",
      `Service "${serviceName}" has no handler "${handlerName}" (handlers: ${[...service.components.keys()].join(", ") || "none"})`,
    );
  }
  // An entity call needs a key and a method: without them the worker could only fail it.
  if (component.kind === "entity") {
    throw new CoordinatorError(
      "INVALID_REQUEST",
      `"${handlerName}" of service "${serviceName}" is an entity: call its methods with POST /v1/entities/${handlerName}/:key/:method`,
    );
  }
  return component;
}
