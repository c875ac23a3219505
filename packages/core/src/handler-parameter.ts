/**
 * What a handler's input parameter looks like in its source, for handlers without an input schema:
 * the seed's get_function_metadata() names parameters, and JSON input such as {"name": "Alice"}
 * binds to a parameter by name. Read from Function.prototype.toString(), which for JavaScript
 * (and compiled TypeScript) functions is their source text.
 */
export type HandlerParameter =
  /** No parameter, or a source we cannot read (native, bound): the input passes as it is. */
  | { kind: "unknown" }
  /** `(name) => ...`, `(name = "x") => ...`. */
  | { kind: "named"; name: string; hasDefault: boolean }
  /** `({ a, b }) => ...`: the input must be an object; `names` are its top-level keys. */
  | { kind: "object"; names: string[]; hasDefault: boolean }
  /** `([first, second]) => ...`: the input must be an array. */
  | { kind: "array"; hasDefault: boolean };

import { InputValidationError } from "./errors.js";
import type { ParameterMetadata } from "./schema.js";

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** The handler's parameter at `index` (0 for functions, 1 for workflows: `(ctx, input)`). */
export function handlerParameter(handler: (...args: never[]) => unknown, index = 0): HandlerParameter {
  let source: string;
  try {
    source = Function.prototype.toString.call(handler);
  } catch {
    return { kind: "unknown" };
  }
  const parameters = parameterList(source);
  const text = parameters?.[index]?.trim();
  if (!text || text.startsWith("...")) return { kind: "unknown" };
  return describe(text);
}

/** The seed's parameter metadata for a handler without an input schema. */
export function parameterMetadata(parameter: HandlerParameter): ParameterMetadata[] {
  switch (parameter.kind) {
    case "named":
      return [{ name: parameter.name, type: "any", required: !parameter.hasDefault }];
    case "object":
      return parameter.names.map((name) => ({ name, type: "any", required: false }));
    case "array":
      return [{ name: "input", type: "array", required: !parameter.hasDefault }];
    default:
      return [{ name: "input", type: "any", required: false }];
  }
}

/**
 * The value a schema-less handler receives for JSON `input`, the same for executeComponent and the
 * worker (both go through the definition's invoke):
 * - a single named parameter takes {"<name>": value} as `value` (the seed's keyword form), and any
 *   other input as it is; an object naming the parameter next to other keys is refused, since it
 *   cannot be meant for one parameter;
 * - a destructured object parameter takes only an object, a destructured array only an array.
 * Anything refused is an INVALID_INPUT naming the handler, its parameter and what came instead,
 * never a silently wrong call ("Hello, [object Object]!").
 */
export function bindInput(component: string, parameter: HandlerParameter | undefined, input: unknown): unknown {
  switch (parameter?.kind) {
    case "named": {
      if (!isPlainObject(input) || !Object.hasOwn(input, parameter.name)) return input;
      const keys = Object.keys(input);
      if (keys.length === 1) return input[parameter.name];
      const listed = keys.map((key) => `"${key}"`).join(", ");
      throw invalidInput(
        component,
        `it takes one parameter, "${parameter.name}": send its value, or {"${parameter.name}": <value>} ` +
          `alone (the input has ${listed}; give the function an input schema to take an object)`,
      );
    }
    case "object": {
      if (isPlainObject(input) || (input === undefined && parameter.hasDefault)) return input;
      const fields = parameter.names.length ? ` with ${parameter.names.map((name) => `"${name}"`).join(", ")}` : "";
      throw invalidInput(component, `it takes an object${fields}, got ${kindOf(input)}`);
    }
    case "array":
      if (Array.isArray(input) || (input === undefined && parameter.hasDefault)) return input;
      throw invalidInput(component, `it takes an array, got ${kindOf(input)}`);
    default:
      return input;
  }
}

function invalidInput(component: string, message: string): InputValidationError {
  return new InputValidationError(component, [{ path: "", message }]);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === undefined) return "no input";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function describe(text: string): HandlerParameter {
  const [pattern = "", defaultValue] = splitTopLevel(text, "=", 2);
  const hasDefault = defaultValue !== undefined;
  const target = pattern.trim();
  if (IDENTIFIER.test(target)) return { kind: "named", name: target, hasDefault };
  if (target.startsWith("[")) return { kind: "array", hasDefault };
  if (target.startsWith("{") && target.endsWith("}")) {
    const names: string[] = [];
    for (const entry of splitTopLevel(target.slice(1, -1), ",")) {
      const key = (splitTopLevel(entry, ":", 2)[0] ?? "").split("=")[0]?.trim() ?? "";
      const unquoted = key.replace(/^(["'])(.*)\1$/, "$2");
      if (unquoted && !unquoted.startsWith("...") && !unquoted.startsWith("[")) names.push(unquoted);
    }
    return { kind: "object", names, hasDefault };
  }
  return { kind: "unknown" };
}

/** The parameter texts of a function's source, or undefined when it cannot be read. */
function parameterList(source: string): string[] | undefined {
  const head = skipSpaceAndComments(source.replace(/^\s*async(?=[\s(*])/, ""), 0);
  const rest = source.replace(/^\s*async(?=[\s(*])/, "").slice(head);
  // `x => ...` (one parameter, no parentheses)
  const bare = /^([A-Za-z_$][\w$]*)\s*=>/.exec(rest);
  if (bare?.[1] !== undefined) return [bare[1]];
  const open = rest.indexOf("(");
  if (open < 0) return undefined;
  const close = matchingParen(rest, open);
  if (close === undefined) return undefined;
  const inner = rest.slice(open + 1, close);
  return inner.trim() === "" ? [] : splitTopLevel(inner, ",");
}

function skipSpaceAndComments(text: string, from: number): number {
  let i = from;
  for (;;) {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
    if (text.startsWith("//", i)) i = text.indexOf("\n", i) < 0 ? text.length : text.indexOf("\n", i);
    else if (text.startsWith("/*", i)) i = text.indexOf("*/", i) < 0 ? text.length : text.indexOf("*/", i) + 2;
    else return i;
  }
}

/** Walks `text` from `start`, calling `visit` on each character outside strings and comments with its nesting depth. */
function scan(text: string, start: number, visit: (char: string, index: number, depth: number) => boolean): void {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const char = text[i] as string;
    if (char === '"' || char === "'" || char === "`") {
      for (i++; i < text.length && text[i] !== char; i++) if (text[i] === "\\") i++;
      continue;
    }
    if (text.startsWith("//", i)) {
      const end = text.indexOf("\n", i);
      i = end < 0 ? text.length : end;
      continue;
    }
    if (text.startsWith("/*", i)) {
      const end = text.indexOf("*/", i);
      i = end < 0 ? text.length : end + 1;
      continue;
    }
    if (char === "(" || char === "[" || char === "{") depth++;
    if (visit(char, i, depth)) return;
    if (char === ")" || char === "]" || char === "}") depth--;
  }
}

function matchingParen(text: string, open: number): number | undefined {
  let found: number | undefined;
  scan(text, open, (char, index, depth) => {
    if (char === ")" && depth === 1) {
      found = index;
      return true;
    }
    return false;
  });
  return found;
}

/** `text` split at `separator` where it is not nested in brackets, strings or comments. */
function splitTopLevel(text: string, separator: string, limit = Number.POSITIVE_INFINITY): string[] {
  const parts: string[] = [];
  let from = 0;
  scan(text, 0, (char, index, depth) => {
    // "=>" inside a default value is not an assignment, nor "==" / "<=" / ">=" / "!=".
    const isAssignment =
      separator !== "=" ||
      (text[index + 1] !== ">" && text[index + 1] !== "=" && !"=<>!".includes(text[index - 1] ?? ""));
    if (char === separator && depth === 0 && isAssignment && parts.length < limit - 1) {
      parts.push(text.slice(from, index));
      from = index + 1;
    }
    return false;
  });
  parts.push(text.slice(from));
  return parts;
}
