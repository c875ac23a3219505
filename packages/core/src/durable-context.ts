import type { ComponentType, ExecutionContext } from "./context.js";
import type { AnyEntityDefinition, EntityProxyOf, UntypedEntityProxy } from "./entity.js";
import type { FunctionDefinition } from "./function.js";
import type { ObservabilityContext } from "./observability/observability-context.js";
import type { RetryPolicy } from "./retry-policy.js";
import type { WorkflowDefinition } from "./workflow.js";

/** Options of ctx.step(). */
export interface StepOptions {
  /** Retry policy for this step; fields left out come from the component's policy. */
  retry?: Partial<RetryPolicy>;
}

/** ctx.timer(): a fixed delay, or the next match of a cron expression. */
export type TimerOptions = { delayMs: number } | { cron: string; timezone?: string };

/** Options of ctx.signal(name, options). */
export interface SignalWaitOptions<T = unknown> {
  /** Give up after this long; the coordinator's timer fires it, so it survives restarts. */
  timeoutMs?: number;
  /** Returned on timeout instead of throwing SignalTimeoutError. */
  default?: T;
}

/** Options of ctx.signal.emit(). */
export interface SignalEmitOptions {
  /** The run to signal; defaults to the run emitting it. */
  runId?: string;
}

/**
 * `ctx.signal`: callable to wait for a signal (`await ctx.signal("approved", { timeoutMs })`), with
 * `emit` to send one (`await ctx.signal.emit("approved", payload, { runId })`).
 */
export interface DurableSignal {
  <T = unknown>(name: string, options?: SignalWaitOptions<T>): Promise<T>;
  emit(name: string, payload?: unknown, options?: SignalEmitOptions): Promise<void>;
}

export type ApprovalVerdict = "approved" | "rejected";

/** What ctx.human.approval() resolves to. */
export interface ApprovalDecision {
  decision: ApprovalVerdict;
  /** `decision === "approved"`. */
  approved: boolean;
  /** Who decided ("timeout" when a default decision was applied). */
  by: string;
  comment?: string;
  /** The roles the approver held, when the approving side reports them. */
  roles?: string[];
  /**
   * What the approver changed, as JSON, when the approving side sends it: for an agent's
   * confirmation tool (@agnt5/adk), the arguments to run the tool with instead of the model's.
   */
  edits?: unknown;
}

/** Options of ctx.human.approval(name, options). */
export interface ApprovalOptions {
  /** What the approver is shown (JSON). */
  payload?: unknown;
  /** Give up after this long. */
  timeoutMs?: number;
  /** Alias of timeoutMs, in milliseconds (the seed's `timeout`). timeoutMs wins when both are given. */
  timeout?: number;
  /** Roles an approver must hold; recorded with the request for the approving side to enforce. */
  requiredRoles?: readonly string[];
  /**
   * Decision to apply when the timeout passes. Without it a timeout throws SignalTimeoutError.
   * A verdict string becomes `{ decision, approved, by: "timeout" }`.
   */
  default?: ApprovalVerdict | ApprovalDecision;
}

/** `ctx.human`: human-in-the-loop operations. */
export interface HumanInTheLoop {
  /**
   * Waits for a human decision. Built on a signal named `approval:<name>`: the approving side
   * emits `{ decision: "approved" | "rejected", by, comment? }` to the run.
   */
  approval(name: string, options?: ApprovalOptions): Promise<ApprovalDecision>;
}

/** A component of another (or this) service, addressed by name. */
export interface CallTarget {
  service: string;
  handler: string;
}

/** A definition ctx.task() / ctx.spawn() can call on this service (streaming functions excluded). */
export type CallableDefinition = FunctionDefinition<any, any, false> | WorkflowDefinition<any, any>;

export type DefinitionInput<D> =
  D extends FunctionDefinition<infer In, any, any> ? In : D extends WorkflowDefinition<infer In, any> ? In : never;
export type DefinitionOutput<D> =
  D extends FunctionDefinition<any, infer Out, any> ? Out : D extends WorkflowDefinition<any, infer Out> ? Out : never;
/** The input argument: optional when the definition accepts undefined. */
export type DefinitionInputArgs<D> =
  undefined extends DefinitionInput<D> ? [input?: DefinitionInput<D>] : [input: DefinitionInput<D>];

export interface SpawnOptions {
  /** Idempotency key of the child invocation. */
  key?: string;
}

/** Options of ctx.entity(). */
export interface EntityCallOptions {
  /**
   * The service hosting the entity. Default: this service for a definition; for a type name, the
   * request leaves it out and the coordinator resolves it (to the calling service).
   */
  service?: string;
}

/** A child invocation started by ctx.spawn(). */
export interface ChildHandle<T = unknown> {
  /**
   * The child's invocation id: `<parent invocation id>.<journal index>`, the id the coordinator
   * gives it (so GET /v1/invocations/:id and /v1/runs/:runId find it).
   */
  readonly invocationId: string;
  /** The journal index of the call entry. */
  readonly index: number;
  /** The child's output; rejects with TaskFailedError when the child failed. */
  result(): Promise<T>;
}

/** What ctx.parallel() / ctx.gather() accept: a promise, or a function that starts one. */
export type ParallelItem = PromiseLike<unknown> | (() => PromiseLike<unknown> | unknown);

type Settled<I> = I extends () => infer R ? Awaited<R> : Awaited<I>;
export type ParallelResults<T extends readonly ParallelItem[]> = { -readonly [K in keyof T]: Settled<T[K]> };
export type GatherResults<T extends Record<string, ParallelItem>> = { -readonly [K in keyof T]: Settled<T[K]> };

/**
 * Members other packages add to every DurableContext by module augmentation. Empty here; e.g.
 * @agnt5/llm declares `llm` (`declare module "@agnt5/core" { interface DurableContextExtensions { llm: LlmContext } }`)
 * and the SDK attaches it to the contexts its worker builds.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by module augmentation in other packages
export interface DurableContextExtensions {}

/**
 * The context of a durable handler (functions and workflows alike). Every operation below is a
 * numbered journal entry: its result is recorded by the coordinator before the handler sees it, and
 * a re-run replays recorded results instead of running the code again.
 *
 * `signal` is the seed's signal API; the invocation's AbortSignal is `abortSignal`.
 */
export interface DurableContext
  extends Omit<ExecutionContext, "signal">,
    ObservabilityContext,
    DurableContextExtensions {
  readonly componentType: ComponentType;
  /** Aborted when the invocation is cancelled or its worker shuts down past the grace period. */
  readonly abortSignal: AbortSignal;
  /** The name of the ctx.step() whose function is running, or undefined outside a step. */
  readonly stepId: string | undefined;
  /** The entity key, for entity methods (undefined for functions and workflows). */
  readonly objectId: string | undefined;
  /** The entity method, for entity methods (undefined for functions and workflows). */
  readonly methodName: string | undefined;

  /**
   * Runs `fn` once and records its result; a replay returns the recorded result (or throws the
   * recorded failure as a StepFailedError) without running `fn`. Retryable failures are retried per
   * the step's policy. Side effects inside `fn` are at-least-once; the recorded result exactly-once.
   */
  step<T>(name: string, fn: () => T | Promise<T>, options?: StepOptions): Promise<T>;
  /** Durable sleep: survives worker and coordinator restarts. */
  sleep(seconds: number): Promise<void>;
  /** Durable timer: a delay, or until the next match of a cron expression (computed on the first run). */
  timer(options: TimerOptions): Promise<void>;
  /** Waits for a signal to this run; `ctx.signal.emit` sends one. */
  readonly signal: DurableSignal;
  readonly human: HumanInTheLoop;

  /** Calls a component and waits for its output: by service and handler name, or by definition (this service). */
  task<T = unknown>(service: string, handler: string, input?: unknown): Promise<T>;
  task<D extends CallableDefinition>(definition: D, ...input: DefinitionInputArgs<D>): Promise<DefinitionOutput<D>>;
  /** Starts a child invocation without waiting for it. */
  spawn<D extends CallableDefinition>(
    definition: D,
    input: DefinitionInput<D>,
    options?: SpawnOptions,
  ): ChildHandle<DefinitionOutput<D>>;
  spawn<T = unknown>(target: CallTarget, input?: unknown, options?: SpawnOptions): ChildHandle<T>;

  /**
   * The entity `key` of a type: each method call is a journaled `call` entry (request
   * `{ service?, handler: <type>, method, key, input }`) that resolves with the method's output.
   * Typed by an imported definition (`ctx.entity(Cart, key).add_item(item)`); untyped by name
   * (`ctx.entity("ShoppingCart", key).add_item(item)`).
   */
  entity<D extends AnyEntityDefinition>(definition: D, key: string, options?: EntityCallOptions): EntityProxyOf<D>;
  entity(type: string, key: string, options?: EntityCallOptions): UntypedEntityProxy;

  /**
   * Runs operations concurrently and resolves to their results in order. Functions are called in
   * argument order, so the journal indexes of the operations they start are deterministic.
   */
  parallel<T extends readonly ParallelItem[]>(...items: T): Promise<ParallelResults<T>>;
  /** Like parallel, with named results; functions are called in key order. */
  gather<T extends Record<string, ParallelItem>>(items: T): Promise<GatherResults<T>>;

  /** The current time, recorded: identical on replay. */
  now(): Promise<Date>;
  /** A random number in [0, 1), recorded: identical on replay. */
  random(): Promise<number>;
  /** A random UUID (v4), recorded: identical on replay. */
  uuid(): Promise<string>;
}

/** The context a function handler receives as its second argument (durable operations included). */
export type FunctionContext = DurableContext;

/** The context a workflow handler receives as its first argument. */
export type WorkflowContext = DurableContext;

/** true for a DurableContext (from this package's local context or @agnt5/durable's engine). */
export function isDurableContext(value: unknown): value is DurableContext {
  return (
    typeof value === "object" &&
    value !== null &&
    "abortSignal" in value &&
    typeof (value as { step?: unknown }).step === "function"
  );
}
