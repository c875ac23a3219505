import type { ServiceRegistry } from "../workers/service-registry.js";
import type { GatewayDeps } from "./gateway-deps.js";

/**
 * Step states of a declarative flow run (@agnt5/flows), for GET /v1/runs/:id. The worker registers
 * each flow's graph in its workflow's metadata (`metadata.flow.steps`); the interpreter records a
 * `step` entry named "flow:step" each time a step settles or changes phase, its value
 * `{ step, state, output?, error?, attempt? }`. A step's state is its latest record; a step with no
 * record is running (task) or waiting (signal, timer) once every step it has an edge from has
 * settled, and pending otherwise (and when the run ended without it settling: failed or cancelled
 * elsewhere).
 */
export type FlowStepState = "pending" | "running" | "waiting" | "completed" | "skipped" | "failed" | "timed_out";

export interface FlowStepView {
  name: string;
  stepType: string;
  state: FlowStepState;
  output?: unknown;
  error?: unknown;
  attempt?: number;
}

interface GraphStep {
  name: string;
  stepType: string;
  dependencies?: string[];
  signal?: { onTimeout?: string };
}

interface StepRecord {
  step: string;
  state: string;
  output?: unknown;
  error?: unknown;
  attempt?: number;
}

const FLOW_ENTRY = "flow:step";
const FINAL = new Set(["completed", "skipped", "failed", "timed_out"]);

/** The graph of `workflow` on `service`, when it is a flow. */
export function flowGraph(services: ServiceRegistry, service: string, workflow: string): GraphStep[] | undefined {
  const component = services.get(service)?.components.get(workflow);
  const steps = (component?.metadata as { flow?: { steps?: unknown } } | undefined)?.flow?.steps;
  return Array.isArray(steps) ? (steps as GraphStep[]) : undefined;
}

export function flowStepViews(
  graph: GraphStep[],
  entries: ReadonlyArray<{ kind: string; name: string; result?: { ok: boolean; value?: string } | undefined }>,
  runEnded: boolean,
): FlowStepView[] {
  const latest = new Map<string, StepRecord>();
  for (const entry of entries) {
    if (entry.kind !== "step" || entry.name !== FLOW_ENTRY || !entry.result?.ok || entry.result.value === undefined)
      continue;
    try {
      const record = JSON.parse(entry.result.value) as StepRecord;
      if (record && typeof record.step === "string") latest.set(record.step, record);
    } catch {}
  }
  const sources = new Map<string, string[]>(graph.map((step) => [step.name, [...(step.dependencies ?? [])]]));
  for (const step of graph) {
    const target = step.signal?.onTimeout;
    if (target) sources.get(target)?.push(step.name);
  }
  const settled = (name: string) => FINAL.has(latest.get(name)?.state ?? "");

  return graph.map((step) => {
    const record = latest.get(step.name);
    const waits = step.stepType === "task" ? "running" : "waiting";
    let state: FlowStepState;
    if (record && FINAL.has(record.state)) state = record.state as FlowStepState;
    else if (record?.state === "retrying") state = "waiting";
    else if (record?.state === "running") state = "running";
    else state = !runEnded && (sources.get(step.name) ?? []).every(settled) ? waits : "pending";
    return {
      name: step.name,
      stepType: step.stepType,
      state,
      ...(record?.output === undefined || record.state !== "completed" ? {} : { output: record.output }),
      ...(record?.error === undefined ? {} : { error: record.error }),
      ...(record?.attempt === undefined ? {} : { attempt: record.attempt }),
    };
  });
}

/** `{ steps }` for a run of a flow, `{}` for any other run. */
export async function flowRunSteps(
  deps: Pick<GatewayDeps, "services" | "journal">,
  run: { id: string; service: string; handler: string },
  status: string,
): Promise<{ steps?: FlowStepView[] }> {
  const graph = flowGraph(deps.services, run.service, run.handler);
  if (!graph) return {};
  const ended = status === "completed" || status === "failed" || status === "cancelled";
  return { steps: flowStepViews(graph, await deps.journal.load(run.id), ended) };
}
