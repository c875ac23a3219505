import { DefinitionError } from "@agnt5/core";

/** The validation rules, as named in FlowValidationError.problems[].rule. */
export type FlowRule =
  /** At least one step must be defined. */
  | "at_least_one_step"
  /** Step names are unique within the flow. */
  | "unique_names"
  /** Every dependency (and onTimeout) names a step of the flow. */
  | "dependency_exists"
  /** Dependencies appear earlier in the definition (and an onTimeout step later than its wait). */
  | "causal_order"
  /** The fields a step's type requires are set, and no field of another type is. */
  | "required_fields"
  /** Values are well-formed: names, durations, counts, cron expressions. */
  | "valid_value"
  /** The dictionary / JSON form has the expected shape. */
  | "schema";

export interface FlowProblem {
  /** The step at fault (its name, or `#<position>` when it has none); undefined for the flow itself. */
  step: string | undefined;
  rule: FlowRule;
  message: string;
}

/**
 * A flow that breaks validation rules: every problem found, at once (code INVALID_FLOW). Thrown by
 * registration (workflow(), registerWorkflow()), FlowDefinition.validate() and fromDict/fromJSON.
 * A DefinitionError (terminal, HTTP 400 where it reaches a client): the seed raises ValueError.
 */
export class FlowValidationError extends DefinitionError {
  readonly flow: string | undefined;
  readonly problems: readonly FlowProblem[];

  constructor(flow: string | undefined, problems: readonly FlowProblem[]) {
    const lines = problems.map(
      (p) => `  - ${p.step === undefined ? "" : `step "${p.step}": `}${p.message} [${p.rule}]`,
    );
    super(
      `Invalid flow${flow ? ` "${flow}"` : ""}: ${problems.length} problem${problems.length === 1 ? "" : "s"}\n${lines.join("\n")}`,
      "INVALID_FLOW",
    );
    this.flow = flow;
    this.problems = problems;
  }
}
