/** What a provider hands its models: its name and the (lazily created, shared) SDK client. */
import type { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import type { MiddlewareStack } from "@smithy/types";

export interface BedrockConfig {
  /** "bedrock" unless createBedrock was given another name. */
  readonly provider: string;
  /** The provider's client, created on first use (the environment is read then, not at import). */
  readonly client: () => BedrockRuntimeClient;
}

/** Adds headers to every request sent through `target` (a client or one command), before signing. */
export function addRequestHeaders<Input extends object, Output extends object>(
  target: { middlewareStack: MiddlewareStack<Input, Output> },
  headers: Record<string, string> | undefined,
  name: string,
): void {
  if (headers === undefined || Object.keys(headers).length === 0) return;
  target.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string> } | undefined;
      if (request?.headers !== undefined) {
        for (const [key, value] of Object.entries(headers)) request.headers[key.toLowerCase()] = value;
      }
      return next(args);
    },
    { step: "build", name, override: true },
  );
}
