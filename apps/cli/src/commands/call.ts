import type { Command } from "commander";
import { usageError } from "../errors.js";
import { parseJsonArgument, positiveInteger, withContext } from "./shared.js";

interface CallOptions {
  async?: boolean;
  timeout?: number;
  idempotencyKey?: string;
}

/**
 * `agnt5 call <service>/<handler> [json]` and `agnt5 call <service>/<type>/<key>/<method> [json]`:
 * the gateway's POST /v1/services/:service/:handler and POST /v1/entities/:type/:key/:method.
 */
export function registerCallCommand(program: Command): void {
  program
    .command("call <target> [json]")
    .description(
      "Call a handler (<service>/<handler>) or an entity method (<service>/<type>/<key>/<method>) with a JSON input",
    )
    .option("--async", "do not wait: print the invocation id (HTTP 202)")
    .option("--timeout <ms>", "how long the gateway waits for the result", positiveInteger("--timeout"))
    .option("--idempotency-key <key>", "calls with the same key run once")
    .action(
      withContext(async (context, target: string, json: string | undefined, options: CallOptions) => {
        const body = parseJsonArgument(json, "The input") ?? "null";
        const path = callPath(target);
        const query = new URLSearchParams();
        if (options.async) query.set("mode", "async");
        if (options.timeout) query.set("timeoutMs", String(options.timeout));
        const search = query.size ? `?${query}` : "";
        const answer = await context.gateway("POST", path + search, {
          body,
          headers: options.idempotencyKey ? { "idempotency-key": options.idempotencyKey } : {},
        });
        const invocationId = answer.headers.get("agnt5-invocation-id");
        if (context.json) {
          context.out(answer.text);
          return;
        }
        if (answer.status === 202) {
          const { invocationId: id } = JSON.parse(answer.text) as { invocationId: string };
          context.out(`Invocation ${id} accepted. Follow it: npm run agnt5 -- runs wait ${id}`);
          return;
        }
        context.out(pretty(answer.text));
        if (invocationId) context.err(`(invocation ${invocationId})`);
      }),
    );
}

/** The gateway path for a target; keys may hold "/" (everything between the type and the method). */
export function callPath(target: string): string {
  const parts = target.split("/");
  if (parts.some((part) => part === "")) throw usageError(targetHelp(target));
  if (parts.length === 2) {
    const [service, handler] = parts as [string, string];
    return `/v1/services/${encodeURIComponent(service)}/${encodeURIComponent(handler)}`;
  }
  if (parts.length >= 4) {
    // The coordinator routes an entity call by its type; the service names where it lives for the reader.
    const type = parts[1]!;
    const method = parts.at(-1)!;
    const key = parts.slice(2, -1).join("/");
    return `/v1/entities/${encodeURIComponent(type)}/${encodeURIComponent(key)}/${encodeURIComponent(method)}`;
  }
  throw usageError(targetHelp(target));
}

function targetHelp(target: string): string {
  return `"${target}" is not a call target: use <service>/<handler> (e.g. hello-service/greet) or <service>/<entity type>/<key>/<method> (e.g. shop/Cart/alice/add)`;
}

/** Pretty JSON when the answer is one JSON value; streamed answers (NDJSON) as they came. */
function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
