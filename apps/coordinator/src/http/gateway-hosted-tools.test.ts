// Hosted tools through the coordinator: an agent on one worker service calls a function another
// worker service serves (HostedTool, agnt5://<service>/<handler>). Each call is a child invocation;
// with suspendAfterMs 0 the agent's worker forgets the run while a child runs, so every later step
// of the run is a replay of its journal: the hosted calls are counted at the serving service.
import { randomUUID } from "node:crypto";
import { ScriptedModel } from "@agnt5/llm/test";
import { Agent, fn, HostedTool, Registry, registerAgent, TerminalError } from "@agnt5/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { postJson, send } from "../test-support/http.js";
import { startTestCoordinator, type TestCoordinator } from "../test-support/test-coordinator.js";
import { startTestWorker, type TestWorker } from "../test-support/test-worker.js";

describe("hosted tools through the coordinator (postgres)", () => {
  let coordinator: TestCoordinator;
  const workers: TestWorker[] = [];
  const analyzed: number[][] = [];

  beforeAll(async () => {
    coordinator = await startTestCoordinator("postgres");
    const analysis = new Registry();
    fn(
      {
        name: "analyze_data",
        registry: analysis,
        input: z.object({ values: z.array(z.number()).describe("The series to analyze") }),
      },
      ({ values }) => {
        analyzed.push(values);
        if (values.length === 0) throw new TerminalError("values is empty", { code: "INVALID_ARGUMENT" });
        return { mean: values.reduce((a, b) => a + b, 0) / values.length };
      },
    );
    workers.push(
      await startTestWorker({
        serviceName: "data-analysis-service",
        endpoint: coordinator.endpoint,
        registry: analysis,
      }),
    );
  });

  afterAll(async () => {
    for (const worker of workers) await worker.stop();
    await coordinator?.close();
  });

  it("reads the input schema the service registered; an unknown service or handler is an error naming it", async () => {
    const hosted = (endpoint: string) =>
      new HostedTool({ name: "analyze_data", description: "Analyze", endpoint, gatewayUrl: coordinator.url });
    await expect(hosted("agnt5://data-analysis-service/analyze_data").check()).resolves.toMatchObject({
      type: "object",
      properties: { values: { type: "array", items: { type: "number" }, description: "The series to analyze" } },
      required: ["values"],
    });
    await expect(hosted("agnt5://data-analysis-service/summarize").check()).rejects.toThrow(
      'HostedTool "analyze_data": service "data-analysis-service" has no handler "summarize" (its handlers: analyze_data)',
    );
    await expect(hosted("agnt5://nowhere/analyze_data").check()).rejects.toThrow(
      'HostedTool "analyze_data": service "nowhere" is not registered with the coordinator',
    );
  });

  it("an agent's hosted calls are child invocations, each run once across the run's replays; a failed child reaches the model", async () => {
    const model = new ScriptedModel([
      { toolCalls: [{ toolCallId: "h1", toolName: "analyze_data", input: { values: [1, 2, 3] } }] },
      { toolCalls: [{ toolCallId: "h2", toolName: "analyze_data", input: { values: [10, 20] } }] },
      { toolCalls: [{ toolCallId: "h3", toolName: "analyze_data", input: { values: [] } }] },
      { text: "Means 2 and 15; the empty series could not be analyzed." },
    ]);
    const registry = new Registry();
    const analyst = new Agent({
      name: "analyst",
      model,
      instructions: "Analyze data.",
      tools: [
        new HostedTool({
          name: "analyze_data",
          description: "Perform complex data analysis",
          endpoint: "agnt5://data-analysis-service/analyze_data",
          gatewayUrl: coordinator.url,
        }),
      ],
    });
    registerAgent(analyst, { registry });
    workers.push(
      await startTestWorker({ serviceName: "agents", endpoint: coordinator.endpoint, registry, suspendAfterMs: 0 }),
    );

    const runId = randomUUID();
    const started = await postJson(`${coordinator.url}/v1/agents/analyst/runs`, { input: "Analyze my series", runId });
    expect(started.status).toBeLessThan(300);
    const result = (await send(`${coordinator.url}/v1/runs/${runId}/result?timeoutMs=20000`)).body as any;
    expect(result.status).toBe("completed");
    const output = result.output ?? result.result;
    expect(output).toMatchObject({
      status: "completed",
      output: "Means 2 and 15; the empty series could not be analyzed.",
      toolCalls: [
        { name: "analyze_data", result: { mean: 2 } },
        { name: "analyze_data", result: { mean: 15 } },
        { name: "analyze_data", error: 'Tool "analyze_data" failed: values is empty' },
      ],
    });
    // Each hosted call ran once at the serving service, though the run was replayed after each child.
    expect(analyzed).toEqual([[1, 2, 3], [10, 20], []]);
    expect(model.calls).toHaveLength(4);
    const journal = (await send(`${coordinator.url}/v1/runs/${runId}/journal`)).body as any;
    const entries: Array<{ kind: string; name: string }> = journal.entries ?? journal;
    expect(entries.filter((entry) => entry.kind === "call")).toHaveLength(3);
    expect(entries[0]?.name).toBe("agent:analyst:tools:analyze_data");
  });
});
