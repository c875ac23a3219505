import { AsyncLocalStorage } from "node:async_hooks";

/** Which step's function is running, and for which execution (ctx.stepId, nested-operation guard). */
export interface StepScope {
  owner: object;
  name: string;
}

export const stepScope = new AsyncLocalStorage<StepScope>();

/** The name of the step of `owner` whose function is running in the current async context. */
export function currentStep(owner: object): string | undefined {
  const scope = stepScope.getStore();
  return scope?.owner === owner ? scope.name : undefined;
}
