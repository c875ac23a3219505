import { LlmInvalidArgumentError, type Message } from "@agnt5/llm";
import type {
  ChatCompletionContentPartText,
  ChatCompletionMessageFunctionToolCall,
  ChatCompletionMessageParam,
} from "openai/resources/chat/completions";

/**
 * Contract messages → Chat Completions messages. Assistant tool calls become `tool_calls` (arguments
 * re-serialized as JSON); each tool result becomes its own `role: "tool"` message (non-string output
 * is sent as JSON text; OpenAI has no error flag, so `isError` results are sent like any other).
 */
export function convertToOpenAIChatMessages(messages: Message[]): ChatCompletionMessageParam[] {
  const result: ChatCompletionMessageParam[] = [];
  for (const message of messages) {
    switch (message.role) {
      case "system":
        result.push({ role: "system", content: message.content });
        break;
      case "user": {
        if (typeof message.content === "string") {
          result.push({ role: "user", content: message.content });
        } else if (message.content.length === 1 && message.content[0] !== undefined) {
          result.push({ role: "user", content: message.content[0].text });
        } else {
          const parts: ChatCompletionContentPartText[] = message.content.map((part) => ({
            type: "text",
            text: part.text,
          }));
          result.push({ role: "user", content: parts });
        }
        break;
      }
      case "assistant": {
        if (typeof message.content === "string") {
          result.push({ role: "assistant", content: message.content });
          break;
        }
        let text = "";
        const toolCalls: ChatCompletionMessageFunctionToolCall[] = [];
        for (const part of message.content) {
          if (part.type === "text") {
            text += part.text;
          } else {
            toolCalls.push({
              id: part.toolCallId,
              type: "function",
              function: { name: part.toolName, arguments: JSON.stringify(part.input ?? {}) },
            });
          }
        }
        result.push({
          role: "assistant",
          // OpenAI wants null (not "") next to tool calls.
          content: text === "" && toolCalls.length > 0 ? null : text,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        });
        break;
      }
      case "tool":
        for (const part of message.content) {
          result.push({ role: "tool", tool_call_id: part.toolCallId, content: stringifyOutput(part.output) });
        }
        break;
      default: {
        const unexpected: never = message;
        throw new LlmInvalidArgumentError(`unsupported message role: ${(unexpected as { role?: unknown }).role}`);
      }
    }
  }
  return result;
}

function stringifyOutput(output: unknown): string {
  if (typeof output === "string") return output;
  return JSON.stringify(output === undefined ? null : output);
}
