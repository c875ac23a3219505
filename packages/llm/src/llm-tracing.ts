import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { LanguageModelV1 } from "./language-model-v1/language-model-v1.js";

/**
 * A CLIENT span per model call, with the OpenTelemetry GenAI semantic conventions: operation, system
 * (provider), requested and answering model, tokens in and out, finish reason. A child of the active
 * span (inside ctx.llm, the step's). A no-op when no tracer provider is installed.
 */
export async function traceModelCall<T>(model: LanguageModelV1, call: () => Promise<T>): Promise<T> {
  const span = trace.getTracer("agnt5").startSpan(`chat ${model.modelId}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      "gen_ai.operation.name": "chat",
      "gen_ai.system": model.provider,
      "gen_ai.request.model": model.modelId,
    },
  });
  if (!span.isRecording()) return call();
  try {
    const result = await call();
    const { usage, finishReason, response } = (result ?? {}) as {
      usage?: { inputTokens?: number; outputTokens?: number };
      finishReason?: string;
      response?: { modelId?: string };
    };
    if (typeof usage?.inputTokens === "number") span.setAttribute("gen_ai.usage.input_tokens", usage.inputTokens);
    if (typeof usage?.outputTokens === "number") span.setAttribute("gen_ai.usage.output_tokens", usage.outputTokens);
    if (finishReason) span.setAttribute("gen_ai.response.finish_reasons", [finishReason]);
    if (response?.modelId) span.setAttribute("gen_ai.response.model", response.modelId);
    return result;
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message ?? String(error) });
    span.setAttribute("error.type", (error as { code?: string })?.code ?? (error as Error)?.name ?? "Error");
    throw error;
  } finally {
    span.end();
  }
}
