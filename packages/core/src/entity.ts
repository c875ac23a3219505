import type { z } from "zod";
import type { EntityContext } from "./entity-context.js";
import { DefinitionError } from "./errors.js";
import { toInputJsonSchema } from "./input-schema.js";
import { localEntityStore } from "./local-entity-store.js";
import { defaultRegistry, type Registry } from "./registry.js";
import { type RetryPolicy, resolveRetryPolicy } from "./retry-policy.js";
import {
  type JsonSchema,
  type ParameterMetadata,
  parametersFromSchema,
  parseWithSchema,
  toJsonSchema,
  typeName,
} from "./schema.js";

/** An entity method's handler: the context first (as in the seed's `async def m(ctx, ...)`), then the input. */
type AnyEntityHandler = (ctx: EntityContext, input: any) => unknown;

/** The handler's input type: its second parameter, undefined when it takes none. */
export type EntityHandlerInput<H> = H extends (ctx: any, ...rest: infer Rest) => any
  ? Rest extends []
    ? undefined
    : Rest[0]
  : never;
export type EntityHandlerOutput<H extends AnyEntityHandler> = Awaited<ReturnType<H>>;

/** What a Worker registers for one method (ComponentDescriptor.entity_methods, plus the seed's metadata). */
export interface EntityMethodMetadata {
  name: string;
  /** true: exclusive per key, in arrival order. false: shared (concurrent, read-only). */
  write: boolean;
  description?: string;
  parameters: ParameterMetadata[];
  returnType: string;
  inputSchema?: JsonSchema;
  outputSchema?: JsonSchema;
}

/** Metadata a Worker registers for an entity (type "entity"; the seed's get_function_metadata() shape). */
export interface EntityMetadata {
  name: string;
  type: "entity";
  description?: string;
  methods: EntityMethodMetadata[];
}

export interface EntityMethodOptions<
  Input extends z.ZodType | undefined = undefined,
  Output extends z.ZodType | undefined = undefined,
> {
  /** The method's name; defaults to the handler's own name (the object form uses the property name). */
  name?: string;
  description?: string;
  /** Validates (and transforms) the input before the handler sees it; drives the inferred input type. */
  input?: Input;
  /** Validates the handler's result. */
  output?: Output;
}

/**
 * An entity method, made by `entity.write(...)` / `entity.shared(...)` (or an entity's own
 * `write` / `shared`). `In` is what a caller passes, `Out` what it gets back.
 */
export interface EntityMethod<In = any, Out = any> {
  readonly kind: "entity_method";
  /** The explicit name, or the handler's; undefined when it has neither (the object form names it by its property). */
  readonly name: string | undefined;
  /** true: exclusive per key, in arrival order. false: shared (concurrent, read-only). */
  readonly write: boolean;
  readonly description: string | undefined;
  readonly inputSchema: JsonSchema | undefined;
  readonly outputSchema: JsonSchema | undefined;
  /** Runs the handler for the runtime: validates input, calls `handler(ctx, input)`, validates output. */
  invoke(input: unknown, ctx: EntityContext): Promise<unknown>;
  /** Type-level only (never set): the input and output types. */
  readonly "~types"?: { readonly input: In; readonly output: Out };
}

export type AnyEntityMethod = EntityMethod<any, any>;
/** Methods by name. */
export type EntityMethods = Record<string, AnyEntityMethod>;

export type EntityMethodInput<M> = M extends EntityMethod<infer In, any> ? In : never;
export type EntityMethodOutput<M> = M extends EntityMethod<any, infer Out> ? Out : never;

/**
 * The methods of entity `M` as a caller sees them: `(input) => Promise<output>`, the input optional
 * when the method accepts undefined.
 */
export type EntityProxy<M extends EntityMethods> = {
  readonly [K in keyof M]: (
    ...input: undefined extends EntityMethodInput<M[K]>
      ? [input?: EntityMethodInput<M[K]>]
      : [input: EntityMethodInput<M[K]>]
  ) => Promise<EntityMethodOutput<M[K]>>;
};

/**
 * An entity addressed by type name (or defined without a methods object): its methods are not known
 * to the type system, so any method may be called with any input and resolves to `any`.
 * (Typed as `any` rather than an index signature so that `proxy.method(...)` compiles under
 * noUncheckedIndexedAccess.)
 */
export type UntypedEntityProxy = any;

/** What `ctx.entity(definition, key)` returns: typed for an object-form definition, untyped otherwise. */
export type EntityProxyOf<D> =
  D extends EntityDefinition<infer M> ? (string extends keyof M ? UntypedEntityProxy : EntityProxy<M>) : never;

/** Makes an entity method; the overloads mirror fn() and workflow(). */
export interface EntityMethodBuilder {
  <H extends AnyEntityHandler>(handler: H): EntityMethod<EntityHandlerInput<H>, EntityHandlerOutput<H>>;
  <H extends AnyEntityHandler>(name: string, handler: H): EntityMethod<EntityHandlerInput<H>, EntityHandlerOutput<H>>;
  <
    I extends z.ZodType,
    O extends z.ZodType | undefined = undefined,
    H extends (ctx: EntityContext, input: z.output<I>) => unknown = (ctx: EntityContext, input: z.output<I>) => unknown,
  >(
    options: EntityMethodOptions<I, O> & { input: I },
    handler: H,
  ): EntityMethod<z.input<I>, O extends z.ZodType ? z.output<O> : EntityHandlerOutput<H>>;
  <O extends z.ZodType | undefined = undefined, H extends AnyEntityHandler = AnyEntityHandler>(
    options: EntityMethodOptions<undefined, O>,
    handler: H,
  ): EntityMethod<EntityHandlerInput<H>, O extends z.ZodType ? z.output<O> : EntityHandlerOutput<H>>;
}

export interface EntityOptions {
  /** The entity type (when the options come first: `entity({ name: "Cart", registry }, methods)`). */
  name?: string;
  description?: string;
  /** How a failed method call is retried (and the default policy of its steps). */
  retry?: Partial<RetryPolicy>;
  /** Registry to add the entity to; `false` keeps it out of every registry. Default: the global one. */
  registry?: Registry | false;
}

/**
 * A defined entity type: keyed state with methods. Registered under its type name; a Worker
 * registers it with kind ENTITY and one entry per method.
 */
export interface EntityDefinition<M extends EntityMethods = EntityMethods> {
  readonly kind: "entity";
  /** The entity type, e.g. "ShoppingCart" (the registered name). */
  readonly name: string;
  /** Same as `name`. */
  readonly entityType: string;
  /** Entity methods never stream. */
  readonly streaming: false;
  readonly description: string | undefined;
  readonly retryPolicy: RetryPolicy;
  /** Entities have no input or output of their own: their methods do. */
  readonly inputSchema: undefined;
  readonly outputSchema: undefined;
  /** Computed when read, so methods added with `write` / `shared` appear. */
  readonly metadata: EntityMetadata;
  /** The methods by name. */
  readonly methods: Readonly<M>;
  /** The method called `name`, if any. */
  method(name: string): AnyEntityMethod | undefined;
  /** Adds a write method (the seed's `@agent.write`) and returns it. The name: explicit, or the handler's. */
  readonly write: EntityMethodBuilder;
  /** Adds a shared method (the seed's `@agent.shared`) and returns it. */
  readonly shared: EntityMethodBuilder;
  /**
   * The instance `key` in this process, without a coordinator: its methods run at once on in-memory
   * state (writes one at a time per key), for tests and scripts. Durable state needs a Worker.
   */
  local(key: string): EntityProxyOf<EntityDefinition<M>>;
}

export type AnyEntityDefinition = EntityDefinition<any>;

/** entity(type, methods?, options?) / entity(options, methods?), with entity.write and entity.shared. */
export interface EntityFactory {
  <M extends EntityMethods = EntityMethods>(type: string, methods?: M, options?: EntityOptions): EntityDefinition<M>;
  <M extends EntityMethods = EntityMethods>(
    options: EntityOptions & { name: string },
    methods?: M,
  ): EntityDefinition<M>;
  /** A write method: exclusive per key, in arrival order; its sets and deletes commit with its result. */
  readonly write: EntityMethodBuilder;
  /** A shared method: concurrent, on the last committed state; set and delete throw READ_ONLY. */
  readonly shared: EntityMethodBuilder;
}

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

type MethodArgs = [
  AnyEntityHandler | string | EntityMethodOptions<z.ZodType | undefined, z.ZodType | undefined>,
  AnyEntityHandler?,
];

function defineMethod(write: boolean, [first, second]: MethodArgs): AnyEntityMethod {
  const builder = write ? "entity.write()" : "entity.shared()";
  const handler = typeof first === "function" ? first : second;
  if (typeof handler !== "function") throw new DefinitionError(`${builder} needs a handler function`);
  const options: EntityMethodOptions<z.ZodType | undefined, z.ZodType | undefined> =
    typeof first === "string" ? { name: first } : typeof first === "function" ? {} : first;
  const name = options.name ?? (handler.name || undefined);
  if (name !== undefined) checkName(name, "entity method");
  if (Object.prototype.toString.call(handler) === "[object AsyncGeneratorFunction]") {
    throw new DefinitionError(
      `Entity method ${name ?? "(anonymous)"} cannot be an async generator: entity methods do not stream`,
    );
  }
  const invoke = async (rawInput: unknown, ctx: EntityContext): Promise<unknown> => {
    const label = `${ctx.entityType}.${ctx.methodName}`;
    const input = options.input ? parseWithSchema(options.input, rawInput, label) : rawInput;
    const output = await handler(ctx, input);
    return options.output ? parseWithSchema(options.output, output, label, "INVALID_OUTPUT") : output;
  };
  return Object.freeze({
    kind: "entity_method" as const,
    name,
    write,
    description: options.description,
    inputSchema: options.input ? toInputJsonSchema(options.input) : undefined,
    outputSchema: options.output ? toJsonSchema(options.output) : undefined,
    invoke,
  });
}

const writeMethod = ((...args: MethodArgs) => defineMethod(true, args)) as EntityMethodBuilder;
const sharedMethod = ((...args: MethodArgs) => defineMethod(false, args)) as EntityMethodBuilder;

function defineEntity(
  first: string | (EntityOptions & { name: string }),
  methods: EntityMethods | undefined,
  more: EntityOptions | undefined,
): AnyEntityDefinition {
  const options: EntityOptions = typeof first === "string" ? { ...more, name: first } : first;
  const type = options.name;
  if (typeof type !== "string" || !type) {
    throw new DefinitionError('An entity needs a type name: entity("ShoppingCart", { ... })');
  }
  checkName(type, "entity type");
  const table = new Map<string, AnyEntityMethod>();
  const add = (name: string | undefined, method: AnyEntityMethod): AnyEntityMethod => {
    if (!name) {
      throw new DefinitionError(
        `A method of entity ${type} needs a name: pass one (write("name", handler)) or use a named handler`,
      );
    }
    checkName(name, "entity method");
    if (!isEntityMethod(method)) {
      throw new DefinitionError(
        `${type}.${name} is not an entity method: make it with entity.write() or entity.shared()`,
      );
    }
    // A later method with the same name replaces the earlier one (re-evaluated modules in watch mode).
    table.set(name, method);
    return method;
  };
  for (const [name, method] of Object.entries(methods ?? {})) add(name, method);

  const retryPolicy = resolveRetryPolicy(options.retry);
  const metadata = (): EntityMetadata => ({
    name: type,
    type: "entity",
    ...(options.description ? { description: options.description } : {}),
    methods: [...table].map(([name, method]) => ({
      name,
      write: method.write,
      ...(method.description ? { description: method.description } : {}),
      parameters: parametersFromSchema(method.inputSchema),
      returnType: typeName(method.outputSchema),
      ...(method.inputSchema ? { inputSchema: method.inputSchema } : {}),
      ...(method.outputSchema ? { outputSchema: method.outputSchema } : {}),
    })),
  });

  const definition: AnyEntityDefinition = Object.defineProperties({} as AnyEntityDefinition, {
    kind: { value: "entity", enumerable: true },
    name: { value: type, enumerable: true },
    entityType: { value: type, enumerable: true },
    streaming: { value: false, enumerable: true },
    description: { value: options.description, enumerable: true },
    retryPolicy: { value: retryPolicy, enumerable: true },
    inputSchema: { value: undefined, enumerable: true },
    outputSchema: { value: undefined, enumerable: true },
    metadata: { get: metadata, enumerable: true },
    methods: { get: () => Object.freeze(Object.fromEntries(table)), enumerable: true },
    method: { value: (name: string) => table.get(name) },
    write: { value: (...args: MethodArgs) => add(methodName(args), defineMethod(true, args)) },
    shared: { value: (...args: MethodArgs) => add(methodName(args), defineMethod(false, args)) },
    local: { value: (key: string) => localEntityStore.proxy(definition, key) },
  });

  const registry = options.registry ?? defaultRegistry;
  if (registry) registry.register(definition);
  return definition;
}

/** The name a decorator-style method gets: explicit, or the handler's. */
function methodName([first, second]: MethodArgs): string | undefined {
  if (typeof first === "string") return first;
  if (typeof first === "function") return first.name || undefined;
  return first.name ?? (second?.name || undefined);
}

function checkName(name: string, what: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new DefinitionError(
      `Invalid ${what} name "${name}": use letters, digits, "_", "-" and ".", not starting with a digit`,
    );
  }
}

function isEntityMethod(value: unknown): value is AnyEntityMethod {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "entity_method";
}

/** true for an entity definition (from any copy of this package). */
export function isEntityDefinition(value: unknown): value is AnyEntityDefinition {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { kind?: unknown }).kind === "entity" &&
    typeof (value as { method?: unknown }).method === "function"
  );
}

/**
 * Defines an entity type: keyed state with write methods (exclusive per key, in arrival order) and
 * shared methods (concurrent, read-only). See docs/entities.md.
 *
 * @example
 * export const Cart = entity("ShoppingCart", {
 *   add_item: entity.write(async (ctx, item: { sku: string; qty: number }) => {
 *     const items = await ctx.get<Item[]>("items", []);
 *     ctx.set("items", [...items, item]);
 *     return { count: items.length + 1 };
 *   }),
 *   get_items: entity.shared(async (ctx) => ctx.get<Item[]>("items", [])),
 * });
 * // elsewhere, in a function or workflow: typed by the definition
 * const { count } = await ctx.entity(Cart, "cart-1").add_item({ sku: "a", qty: 1 });
 *
 * // The seed's decorator style:
 * const agent = entity("ChatAgent");
 * agent.write(async function send_message(ctx, message: string) { ... });
 * agent.shared(async function get_history(ctx) { return ctx.get("history", []); });
 */
export const entity: EntityFactory = Object.assign(
  (
    first: string | (EntityOptions & { name: string }),
    methods?: EntityMethods,
    options?: EntityOptions,
  ): AnyEntityDefinition => defineEntity(first, methods, options),
  { write: writeMethod, shared: sharedMethod },
) as EntityFactory;
