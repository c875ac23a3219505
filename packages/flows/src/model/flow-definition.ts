import { type FlowProblem, FlowValidationError } from "../validation/flow-validation-error.js";
import { flowProblems } from "../validation/validate-flow.js";
import { FlowDefinitionSchema } from "./flow-schema.js";
import { WorkflowStep, type WorkflowStepDict } from "./step.js";

/** The dictionary form of a flow (the seed's to_dict()): JSON-safe, camelCase. */
export interface FlowDefinitionDictOut {
  steps: WorkflowStepDict[];
}

/**
 * A declarative workflow: steps with dependencies (the seed's FlowDefinition). Constructing one
 * does not validate it (the seed validates at registration); validate() does, and so do
 * workflow(), registerWorkflow(), fromDict() and fromJSON().
 */
export class FlowDefinition {
  readonly steps: readonly WorkflowStep[];

  constructor(steps: readonly WorkflowStep[]) {
    this.steps = [...steps];
  }

  /** The step named `name`, if any. */
  step(name: string): WorkflowStep | undefined {
    return this.steps.find((step) => step.name === name);
  }

  /** Every rule this flow breaks (empty when valid). */
  problems(): FlowProblem[] {
    return flowProblems(this.steps);
  }

  /** Throws FlowValidationError listing every problem; returns the flow when it is valid. */
  validate(name?: string): this {
    const problems = this.problems();
    if (problems.length > 0) throw new FlowValidationError(name, problems);
    return this;
  }

  /** The seed's to_dict(). */
  toDict(): FlowDefinitionDictOut {
    return { steps: this.steps.map((step) => step.toDict()) };
  }

  /** For JSON.stringify (JavaScript's convention: an object, not a string). Same as toDict(). */
  toJSON(): FlowDefinitionDictOut {
    return this.toDict();
  }

  /** The seed's to_json(): the dictionary form as a JSON string. */
  toJsonString(space?: number): string {
    return JSON.stringify(this.toDict(), null, space);
  }

  /** Reads the dictionary form back; throws FlowValidationError (shape problems, then rules). */
  static fromDict(dict: unknown, name?: string): FlowDefinition {
    const parsed = FlowDefinitionSchema.safeParse(dict);
    if (!parsed.success) {
      const steps = (dict as { steps?: Array<{ name?: unknown }> } | null)?.steps;
      throw new FlowValidationError(
        name,
        parsed.error.issues.map((issue) => {
          const [first, index] = issue.path;
          const stepName = first === "steps" && typeof index === "number" ? steps?.[index]?.name : undefined;
          const step =
            first === "steps" && typeof index === "number"
              ? typeof stepName === "string" && stepName
                ? stepName
                : `#${index + 1}`
              : undefined;
          return { step, rule: "schema" as const, message: `${issue.path.join(".") || "(root)"}: ${issue.message}` };
        }),
      );
    }
    return new FlowDefinition(parsed.data.steps.map((step) => new WorkflowStep(step))).validate(name);
  }

  /** Reads the JSON-string form back (the inverse of toJsonString()). */
  static fromJSON(text: string, name?: string): FlowDefinition {
    let dict: unknown;
    try {
      dict = JSON.parse(text);
    } catch (error) {
      throw new FlowValidationError(name, [
        { step: undefined, rule: "schema", message: `not JSON: ${(error as Error).message}` },
      ]);
    }
    return FlowDefinition.fromDict(dict, name);
  }
}
