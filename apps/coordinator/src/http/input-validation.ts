import { CoordinatorError } from "../errors.js";
import type { ServiceRegistry } from "../workers/service-registry.js";

/**
 * Refuses input that fails the component's registered input schema with 400 INVALID_INPUT, in the
 * shape a worker's InputValidationError takes (`details.issues` with dotted field paths), before
 * anything is recorded or dispatched. `component` is the handler, or `<type>.<method>` for an entity.
 */
export function checkInputText(services: ServiceRegistry, service: string, component: string, json: string): void {
  const validate = services.inputValidator(service, component);
  // Only a component with a schema pays for parsing the (already checked) JSON text once more.
  if (validate) refuse(validate(JSON.parse(json)));
}

/** As checkInputText, for input already parsed (a workflow start's `input` field). */
export function checkInputValue(services: ServiceRegistry, service: string, component: string, input: unknown): void {
  const validate = services.inputValidator(service, component);
  if (validate) refuse(validate(input));
}

function refuse(invalid: { code: string; message: string; details: unknown } | undefined): void {
  if (invalid) throw new CoordinatorError("INVALID_INPUT", invalid.message, { details: invalid.details });
}
