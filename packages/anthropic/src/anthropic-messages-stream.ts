import { LlmResponseError, type StreamPart } from "@agnt5/llm";
import { APIError } from "@anthropic-ai/sdk";
import type { RawMessageStreamEvent } from "@anthropic-ai/sdk/resources/messages";
import { type AnthropicErrorContext, abortError, streamBrokenError, toLlmError } from "./anthropic-error.js";
import { type JsonResponseTool, unwrapJsonResponse } from "./anthropic-prepare-tools.js";
import { type AnthropicUsage, convertAnthropicUsage, mergeAnthropicUsage } from "./convert-anthropic-usage.js";
import { mapAnthropicStopReason } from "./map-anthropic-stop-reason.js";

type Block =
  | { kind: "text" }
  | { kind: "tool-call"; toolCallId: string; toolName: string; initialInput: unknown; json: string }
  | { kind: "json-response"; json: string }
  | { kind: "ignored" };

/**
 * Turns Anthropic's SSE events (already parsed by the SDK, which also drops `ping`s) into the
 * contract's stream parts:
 * - `text_delta` → `text-delta`;
 * - a `tool_use` block → `tool-call-start`, one `tool-call-delta` per `input_json_delta`, and
 *   `tool-call-end` with the input parsed at `content_block_stop`. Parallel tool calls are separate
 *   blocks told apart by `index`, so each keeps its own buffer;
 * - the structured-output tool's input streams as `text-delta`s (the JSON text);
 * - `message_delta` → `usage`; `message_stop` → `finish`.
 * An SSE `error` event (e.g. `overloaded_error` mid-stream) and a broken connection are thrown from
 * the iterator as `LlmApiError`s; an aborted call throws the signal's reason.
 */
export async function* convertAnthropicStream(
  events: AsyncIterable<RawMessageStreamEvent>,
  options: { jsonResponseTool: JsonResponseTool | undefined; errorContext: AnthropicErrorContext },
): AsyncGenerator<StreamPart, void, undefined> {
  const { jsonResponseTool, errorContext } = options;
  const blocks = new Map<number, Block>();
  let usage: AnthropicUsage = {};
  let stopReason: string | null = null;
  let toolCalls = 0;
  let jsonResponses = 0;
  let stopped = false;

  try {
    for await (const event of events) {
      if (stopped) continue; // nothing follows message_stop; read to the end so the connection closes cleanly
      switch (event.type) {
        case "message_start":
          usage = mergeAnthropicUsage(usage, event.message.usage);
          break;

        case "content_block_start": {
          const block = event.content_block;
          if (block.type === "text") {
            blocks.set(event.index, { kind: "text" });
            if (block.text !== "") yield { type: "text-delta", delta: block.text };
          } else if (block.type === "tool_use" && block.name === jsonResponseTool?.name) {
            jsonResponses += 1;
            blocks.set(event.index, { kind: "json-response", json: "" });
          } else if (block.type === "tool_use") {
            toolCalls += 1;
            blocks.set(event.index, {
              kind: "tool-call",
              toolCallId: block.id,
              toolName: block.name,
              initialInput: block.input,
              json: "",
            });
            yield { type: "tool-call-start", toolCallId: block.id, toolName: block.name };
          } else {
            // thinking, server tools and their results are not part of the v1 contract
            blocks.set(event.index, { kind: "ignored" });
          }
          break;
        }

        case "content_block_delta": {
          const block = blocks.get(event.index);
          const delta = event.delta;
          if (block?.kind === "text" && delta.type === "text_delta") {
            if (delta.text !== "") yield { type: "text-delta", delta: delta.text };
          } else if (block?.kind === "tool-call" && delta.type === "input_json_delta") {
            block.json += delta.partial_json;
            if (delta.partial_json !== "") {
              yield { type: "tool-call-delta", toolCallId: block.toolCallId, argumentsDelta: delta.partial_json };
            }
          } else if (block?.kind === "json-response" && delta.type === "input_json_delta") {
            block.json += delta.partial_json;
            // A wrapped (non-object) schema's text is only known once `value` is unwrapped.
            if (!jsonResponseTool?.wrapped && delta.partial_json !== "") {
              yield { type: "text-delta", delta: delta.partial_json };
            }
          }
          break;
        }

        case "content_block_stop": {
          const block = blocks.get(event.index);
          blocks.delete(event.index);
          if (block?.kind === "tool-call") {
            const input =
              block.json === "" ? (block.initialInput ?? {}) : parseToolInput(block.json, block, errorContext);
            yield { type: "tool-call-end", toolCallId: block.toolCallId, toolName: block.toolName, input };
          } else if (block?.kind === "json-response" && jsonResponseTool?.wrapped) {
            const input = parseToolInput(block.json || "{}", { toolName: jsonResponseTool.name }, errorContext);
            yield { type: "text-delta", delta: JSON.stringify(unwrapJsonResponse(jsonResponseTool, input)) ?? "" };
          }
          break;
        }

        case "message_delta":
          stopReason = event.delta.stop_reason ?? stopReason;
          usage = mergeAnthropicUsage(usage, event.usage);
          yield { type: "usage", usage: convertAnthropicUsage(usage) };
          break;

        case "message_stop": {
          stopped = true;
          const finishReason = mapAnthropicStopReason(stopReason, {
            isJsonResponse: jsonResponses > 0 && toolCalls === 0,
          });
          yield {
            type: "finish",
            finishReason,
            ...(stopReason === null ? {} : { rawFinishReason: stopReason }),
            usage: convertAnthropicUsage(usage),
          };
          break;
        }
      }
    }
  } catch (error) {
    if (errorContext.abortSignal?.aborted) throw abortError(errorContext.abortSignal);
    if (error instanceof APIError || error instanceof SyntaxError || error instanceof LlmResponseError) {
      throw toLlmError(error, errorContext);
    }
    throw streamBrokenError(error, errorContext);
  }

  // The SDK ends its iterator quietly when the request is aborted, so check before calling it broken.
  if (!stopped) {
    if (errorContext.abortSignal?.aborted) throw abortError(errorContext.abortSignal);
    throw streamBrokenError(undefined, errorContext);
  }
}

function parseToolInput(json: string, block: { toolName: string }, errorContext: AnthropicErrorContext): unknown {
  try {
    return JSON.parse(json);
  } catch (error) {
    throw new LlmResponseError(`Anthropic streamed invalid JSON arguments for tool "${block.toolName}"`, {
      cause: error,
      provider: errorContext.provider,
    });
  }
}
