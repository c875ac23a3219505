/**
 * ConverseStream events → normalized StreamParts.
 *
 * messageStart → nothing; contentBlockStart (toolUse) → tool-call-start; contentBlockDelta → text-delta
 * or tool-call-delta (keyed by contentBlockIndex, so parallel tool uses stay apart);
 * contentBlockStop → tool-call-end with the parsed input; messageStop → the finish reason;
 * metadata → usage; the end of the stream → finish. With structured output on the forced tool, that
 * tool's input deltas are text-deltas and it produces no tool-call parts.
 *
 * Failures after the first byte arrive as one `error` part, and the stream ends: an exception event
 * (throttlingException, serviceUnavailableException, modelStreamErrorException,
 * internalServerException, validationException), a connection cut (retryable LlmApiError), a stream
 * that ends without messageStop (retryable LlmApiError), tool input that is not JSON
 * (LlmResponseError). An abort by the caller is thrown from the iterator (its reason, like fetch).
 */
import { LlmApiError, LlmResponseError, type StreamPart, type Usage } from "@agnt5/llm";
import type { ConverseStreamOutput } from "@aws-sdk/client-bedrock-runtime";
import { EMPTY_USAGE, toFinishReason, toUsage } from "./bedrock-converse-response.js";
import { toLlmError } from "./bedrock-error.js";

export interface StreamContext {
  provider: string;
  url: string;
  jsonToolName: string | undefined;
  /** The caller's signal: when it fired, its reason is thrown instead of an error part. */
  abortSignal: AbortSignal | undefined;
  /** Cancels the HTTP request when the consumer stops reading early. */
  cancel: () => void;
}

interface OpenToolBlock {
  toolCallId: string;
  toolName: string;
  argumentsText: string;
  /** The forced structured-output tool: its input is streamed as text. */
  isJsonAnswer: boolean;
}

const EXCEPTION_MEMBERS = [
  "internalServerException",
  "modelStreamErrorException",
  "serviceUnavailableException",
  "throttlingException",
  "validationException",
] as const;

export async function* toStreamParts(
  events: AsyncIterable<ConverseStreamOutput>,
  context: StreamContext,
): AsyncGenerator<StreamPart, void, undefined> {
  const openTools = new Map<number, OpenToolBlock>();
  let rawFinishReason: string | undefined;
  let usage: Usage = { ...EMPTY_USAGE };
  let toolCallCount = 0;
  let jsonAnswered = false;
  let settled = false;

  const closeToolBlock = (index: number): StreamPart | undefined => {
    const block = openTools.get(index);
    if (block === undefined) return undefined;
    openTools.delete(index);
    if (block.isJsonAnswer) return undefined;
    let input: unknown;
    try {
      input = block.argumentsText.trim() === "" ? {} : JSON.parse(block.argumentsText);
    } catch (cause) {
      throw new LlmResponseError(
        `Bedrock: the input of tool call ${block.toolCallId} (${block.toolName}) is not JSON`,
        {
          cause,
          provider: context.provider,
        },
      );
    }
    return { type: "tool-call-end", toolCallId: block.toolCallId, toolName: block.toolName, input };
  };

  try {
    for await (const event of events) {
      if (event.contentBlockStart !== undefined) {
        const toolUse = event.contentBlockStart.start?.toolUse;
        const index = event.contentBlockStart.contentBlockIndex ?? 0;
        if (toolUse !== undefined) {
          const isJsonAnswer = context.jsonToolName !== undefined && toolUse.name === context.jsonToolName;
          const block: OpenToolBlock = {
            toolCallId: toolUse.toolUseId ?? `tool-${index}`,
            toolName: toolUse.name ?? "",
            argumentsText: "",
            isJsonAnswer,
          };
          openTools.set(index, block);
          if (isJsonAnswer) jsonAnswered = true;
          else {
            toolCallCount += 1;
            yield { type: "tool-call-start", toolCallId: block.toolCallId, toolName: block.toolName };
          }
        }
      } else if (event.contentBlockDelta !== undefined) {
        const { delta, contentBlockIndex } = event.contentBlockDelta;
        if (delta?.text !== undefined) {
          if (delta.text !== "") yield { type: "text-delta", delta: delta.text };
        } else if (delta?.toolUse !== undefined) {
          const block = openTools.get(contentBlockIndex ?? 0);
          const piece = delta.toolUse.input ?? "";
          if (block === undefined) {
            throw new LlmResponseError(
              `Bedrock: a toolUse delta for content block ${contentBlockIndex} that never started`,
              {
                provider: context.provider,
              },
            );
          }
          block.argumentsText += piece;
          if (piece === "") continue;
          if (block.isJsonAnswer) yield { type: "text-delta", delta: piece };
          else yield { type: "tool-call-delta", toolCallId: block.toolCallId, argumentsDelta: piece };
        }
        // reasoningContent, citations, ...: not part of the v1 contract.
      } else if (event.contentBlockStop !== undefined) {
        const part = closeToolBlock(event.contentBlockStop.contentBlockIndex ?? 0);
        if (part !== undefined) yield part;
      } else if (event.messageStop !== undefined) {
        rawFinishReason = event.messageStop.stopReason ?? "unknown";
        // A block the model never closed is complete now.
        for (const index of [...openTools.keys()]) {
          const part = closeToolBlock(index);
          if (part !== undefined) yield part;
        }
      } else if (event.metadata !== undefined) {
        if (event.metadata.usage !== undefined) {
          usage = toUsage(event.metadata.usage);
          yield { type: "usage", usage };
        }
      } else {
        // The SDK throws modeled exception events; should one arrive as a union member instead, it is the same failure.
        for (const member of EXCEPTION_MEMBERS) {
          const exception = (event as Partial<Record<(typeof EXCEPTION_MEMBERS)[number], unknown>>)[member];
          if (exception !== undefined) throw exception;
        }
      }
    }
    settled = true;
  } catch (error) {
    if (context.abortSignal?.aborted) throw context.abortSignal.reason ?? error;
    settled = true;
    yield { type: "error", error: toLlmError(error, { provider: context.provider, url: context.url, inStream: true }) };
    return;
  } finally {
    // The consumer stopped early (break / return) or the stream failed: release the HTTP/2 stream.
    if (!settled) context.cancel();
  }
  if (context.abortSignal?.aborted) throw context.abortSignal.reason ?? new Error("aborted");
  if (rawFinishReason === undefined) {
    // The SDK ends the iterator quietly when the connection closes between two frames.
    yield {
      type: "error",
      error: new LlmApiError({
        message: "Bedrock: the ConverseStream response ended before messageStop (connection closed)",
        provider: context.provider,
        url: context.url,
        isRetryable: true,
      }),
    };
    return;
  }
  const finishReason =
    jsonAnswered && toolCallCount === 0 && rawFinishReason === "tool_use" ? "stop" : toFinishReason(rawFinishReason);
  yield { type: "finish", finishReason, rawFinishReason, usage };
}
