import type { AgentResult } from "@agnt5/adk";
import type { Message } from "@agnt5/llm";
import { Agnt5ClientError } from "./client-error.js";
import type { StartedRun, StartWorkflowOptions } from "./client-run-types.js";

/** An agent by name, or anything named like it (an Agent, its registerAgent() component). */
export type AgentRef = string | { readonly name: string };

/** What an agent run takes: the user's message or the conversation so far. */
export type AgentInput = string | Message[];

export interface StartAgentOptions extends StartWorkflowOptions {
  /** The conversation this run belongs to (the worker's registerAgent({ session }) continues it). */
  sessionId?: string;
}

export interface RunAgentOptions extends StartAgentOptions {
  /** How long to wait for the run's result (the gateway answers TIMEOUT, 504, after it). */
  timeoutMs?: number;
}

/** The result of an agent run: the AgentResult the worker's agent ended with (JSON). */
export type AgentRunResult<O = string> = AgentResult<O>;

/** The name, path and body of POST /v1/agents/:name/runs. */
export function agentRunRequest(agent: AgentRef, input: AgentInput, options: StartAgentOptions) {
  const name = typeof agent === "string" ? agent : agent.name;
  return {
    name,
    path: `/v1/agents/${encodeURIComponent(name)}/runs`,
    body: JSON.stringify({
      input,
      ...(options.sessionId === undefined ? {} : { sessionId: options.sessionId }),
      ...(options.runId === undefined ? {} : { runId: options.runId }),
    }),
  };
}

/** `{ runId, created }` from a start's answer, or an INVALID_RESPONSE naming what was started. */
export function startedRunFrom(body: unknown, status: number, what: string): StartedRun {
  const started = body as Partial<StartedRun> | undefined;
  if (typeof started?.runId !== "string") {
    throw new Agnt5ClientError({
      message: `The gateway accepted ${what} but returned no runId`,
      status,
      code: "INVALID_RESPONSE",
    });
  }
  return { runId: started.runId, created: started.created !== false };
}
