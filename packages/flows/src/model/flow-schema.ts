import { z } from "zod";
import { StepType } from "./step.js";

/**
 * The dictionary / JSON form of a flow, checked for shape only (types of fields, no unknown keys).
 * What each step type requires is checked afterwards by the same rules as a flow built in code, so
 * a definition read back validates exactly as the original did.
 */
export const SignalConfigSchema = z
  .object({ name: z.string(), timeoutMs: z.number().optional(), onTimeout: z.string().optional() })
  .strict();

export const TimerConfigSchema = z
  .object({
    key: z.string(),
    delayMs: z.number().optional(),
    cronExpr: z.string().optional(),
    timezone: z.string().optional(),
    maxRetries: z.number().optional(),
  })
  .strict();

export const WorkflowStepSchema = z
  .object({
    name: z.string(),
    stepType: z.enum([StepType.TASK, StepType.WAIT_SIGNAL, StepType.WAIT_TIMER]),
    serviceName: z.string().optional(),
    handlerName: z.string().optional(),
    dependencies: z.array(z.string()).default([]),
    inputData: z.unknown().optional(),
    objectKeys: z.array(z.string()).optional(),
    signal: SignalConfigSchema.optional(),
    timer: TimerConfigSchema.optional(),
  })
  .strict();

export const FlowDefinitionSchema = z.object({ steps: z.array(WorkflowStepSchema) }).strict();

export type FlowDefinitionDict = z.input<typeof FlowDefinitionSchema>;
