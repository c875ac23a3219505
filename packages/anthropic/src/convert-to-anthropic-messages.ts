import type { Message, TextPart } from "@agnt5/llm";
import type {
  ContentBlockParam,
  MessageParam,
  TextBlockParam,
  ToolResultBlockParam,
  ToolUseBlockParam,
} from "@anthropic-ai/sdk/resources/messages";

export interface AnthropicPrompt {
  /** All system messages, joined with a blank line (Anthropic takes one top-level `system`). */
  system: string | undefined;
  messages: MessageParam[];
  warnings: string[];
}

type Role = "user" | "assistant";

/**
 * Converts contract messages into Anthropic's Messages API shape:
 * - system messages become the top-level `system` (a system message after the conversation has
 *   started is hoisted there too, with a warning);
 * - assistant tool calls become `tool_use` blocks;
 * - tool results become `tool_result` blocks in a user turn. Consecutive tool and user messages are
 *   merged into one user turn (and consecutive assistant messages into one assistant turn), since
 *   Anthropic wants every tool result of an assistant turn in the single user turn that follows it.
 */
export function convertToAnthropicMessages(input: readonly Message[]): AnthropicPrompt {
  const system: string[] = [];
  const messages: MessageParam[] = [];
  const warnings: string[] = [];
  let current: { role: Role; content: ContentBlockParam[] } | undefined;
  let systemHoisted = false;

  const turn = (role: Role): ContentBlockParam[] => {
    if (current?.role !== role) {
      current = { role, content: [] };
      messages.push(current as MessageParam);
    }
    return current.content;
  };

  for (const message of input) {
    switch (message.role) {
      case "system":
        if (messages.length > 0 && !systemHoisted) {
          systemHoisted = true;
          warnings.push(
            "system messages after the first user or assistant message were moved into Anthropic's top-level system prompt",
          );
        }
        if (message.content !== "") system.push(message.content);
        break;
      case "user":
        turn("user").push(...textBlocks(message.content));
        break;
      case "assistant": {
        const content = turn("assistant");
        if (typeof message.content === "string") {
          content.push(...textBlocks(message.content));
          break;
        }
        for (const part of message.content) {
          if (part.type === "text") content.push(...textBlocks([part]));
          else content.push(toolUseBlock(part.toolCallId, part.toolName, part.input));
        }
        break;
      }
      case "tool": {
        const content = turn("user");
        for (const part of message.content) {
          const block: ToolResultBlockParam = {
            type: "tool_result",
            tool_use_id: part.toolCallId,
            content: toolResultContent(part.output),
          };
          if (part.isError) block.is_error = true;
          content.push(block);
        }
        break;
      }
    }
  }

  return { system: system.length > 0 ? system.join("\n\n") : undefined, messages: dropEmptyTurns(messages), warnings };
}

/**
 * Anthropic rejects turns with no content (an assistant message that was only ""): drop them, and
 * join the same-role turns that dropping one brings together.
 */
function dropEmptyTurns(messages: MessageParam[]): MessageParam[] {
  const result: MessageParam[] = [];
  for (const message of messages) {
    if (message.content.length === 0) continue;
    const previous = result.at(-1);
    if (previous && previous.role === message.role) {
      (previous.content as ContentBlockParam[]).push(...(message.content as ContentBlockParam[]));
    } else {
      result.push(message);
    }
  }
  return result;
}

/** Anthropic rejects empty text blocks, so empty strings are dropped. */
function textBlocks(content: string | readonly TextPart[]): TextBlockParam[] {
  const parts = typeof content === "string" ? [{ text: content }] : content;
  return parts.filter((part) => part.text !== "").map((part) => ({ type: "text", text: part.text }));
}

function toolUseBlock(id: string, name: string, input: unknown): ToolUseBlockParam {
  // `input` must be a JSON object; a tool called with no arguments is `{}`.
  const value = typeof input === "object" && input !== null && !Array.isArray(input) ? input : {};
  return { type: "tool_use", id, name, input: value };
}

/** Text goes as-is; any other JSON value is serialized. */
function toolResultContent(output: unknown): string {
  if (typeof output === "string") return output;
  if (output === undefined) return "";
  return JSON.stringify(output);
}
