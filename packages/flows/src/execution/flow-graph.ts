import type { FlowDefinition } from "../model/flow-definition.js";
import { StepType, type WorkflowStep } from "../model/step.js";
import type { FinalStepState } from "./step-record.js";

/** An edge into a step: a dependency (taken when it completed), or a wait's timeout path. */
export interface Edge {
  from: string;
  kind: "dependency" | "timeout";
}

/** The flow as edges: each step's incoming edges, in definition order. */
export class FlowGraph {
  readonly incoming = new Map<string, Edge[]>();

  constructor(readonly flow: FlowDefinition) {
    for (const step of flow.steps) {
      this.incoming.set(
        step.name,
        step.dependencies.map((from) => ({ from, kind: "dependency" as const })),
      );
    }
    for (const step of flow.steps) {
      const target = step.stepType === StepType.WAIT_SIGNAL ? step.signal?.onTimeout : undefined;
      if (target) this.incoming.get(target)!.push({ from: step.name, kind: "timeout" });
    }
  }

  /**
   * Whether `step` runs, is skipped, or must wait, given the final states so far:
   * - it waits while any step it has an edge from is not final;
   * - then it runs when it has no edges, or when at least one edge was taken (a dependency that
   *   completed, or the wait whose onTimeout it is timed out), and is skipped otherwise.
   * So a skipped or timed-out dependency counts as settled, and a join over alternative branches
   * (the seed's publish_document) runs after whichever branch was taken.
   */
  decide(step: WorkflowStep, states: ReadonlyMap<string, FinalStepState>): "run" | "skip" | "wait" {
    const edges = this.incoming.get(step.name) ?? [];
    if (edges.some((edge) => !states.has(edge.from))) return "wait";
    if (edges.length === 0) return "run";
    const taken = edges.some((edge) =>
      edge.kind === "timeout" ? states.get(edge.from) === "timed_out" : states.get(edge.from) === "completed",
    );
    return taken ? "run" : "skip";
  }

  /** Every step `name` has a path from (through dependency and timeout edges), in definition order. */
  ancestors(name: string): string[] {
    const found = new Set<string>();
    const visit = (step: string) => {
      for (const edge of this.incoming.get(step) ?? []) {
        if (found.has(edge.from)) continue;
        found.add(edge.from);
        visit(edge.from);
      }
    };
    visit(name);
    return this.flow.steps.map((step) => step.name).filter((step) => found.has(step));
  }

  /** The timer step a failed task retries through: its first timer dependency with maxRetries > 0. */
  retryTimer(step: WorkflowStep): WorkflowStep | undefined {
    for (const name of step.dependencies) {
      const dependency = this.flow.step(name);
      if (dependency?.stepType === StepType.WAIT_TIMER && (dependency.timer?.maxRetries ?? 0) > 0) return dependency;
    }
    return undefined;
  }
}
