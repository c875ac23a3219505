import { type JsonSchema, TerminalError } from "@agnt5/core";
import { Tool } from "../tool.js";
import type { RemoteToolDefinition, ToolSource } from "./tool-source.js";

export interface HostedToolOptions {
  /** The tool's name as the model sees it. */
  name: string;
  description: string;
  /** `agnt5://<service>/<handler>`: a function or workflow another worker serves. */
  endpoint: string;
  /**
   * The arguments' JSON Schema. Without it, the schema the service registered is read from the
   * coordinator's gateway (GET /v1/services at `gatewayUrl`), once, and read again when the service's
   * version changes.
   */
  inputSchema?: JsonSchema;
  /** The coordinator's HTTP gateway (default: AGNT5_GATEWAY_URL). Needed only without inputSchema. */
  gatewayUrl?: string;
  /** Sent to the gateway when reading schemas (auth); never logged. */
  headers?: Record<string, string>;
  /** How long a read schema is trusted before the service's version is checked again (default 60 s). */
  schemaTtlMs?: number;
  fetch?: typeof fetch;
}

/** A tool whose call is a durable child invocation: the agent loop calls ctx.task(service, handler, input) for it. */
export class ChildInvocationTool extends Tool {
  readonly service: string;
  readonly handler: string;

  constructor(definition: RemoteToolDefinition, target: { service: string; handler: string }) {
    super({
      name: definition.name,
      description: definition.description,
      inputSchema: definition.inputSchema,
      handler: () => {
        // Only the agent loop inside a durable context can start a child invocation.
        throw new TerminalError(
          `Tool "${definition.name}" calls agnt5://${target.service}/${target.handler}: it runs only in an agent run with a durable context (agent.run(input, { ctx }) or registerAgent)`,
          { code: "NOT_IN_WORKER" },
        );
      },
    });
    this.service = target.service;
    this.handler = target.handler;
  }
}

const ENDPOINT = /^agnt5:\/\/([^/\s]+)\/([^/\s]+)$/;

/**
 * A tool served by another AGNT5 service (the seed's `HostedTool(name, description, endpoint)`). In an
 * agent run with a durable context, a call is `ctx.task(service, handler, input)`: a child invocation
 * the coordinator routes, retries and journals, so a replay returns its recorded output; a failed
 * child (or an unknown service or handler) reaches the model as a tool error naming it. Its input
 * schema is the one the service registered (read from the gateway and journaled with the run's tools)
 * unless `inputSchema` is given.
 */
export class HostedTool implements ToolSource {
  readonly kind = "tool-source" as const;
  readonly name: string;
  readonly description: string;
  readonly service: string;
  readonly handler: string;
  readonly #options: HostedToolOptions;
  #schema: { version: string | undefined; schema: JsonSchema; readAt: number } | undefined;

  constructor(options: HostedToolOptions) {
    const match = ENDPOINT.exec(options?.endpoint ?? "");
    if (!match) {
      throw definitionError(
        `HostedTool "${options?.name}": endpoint must be "agnt5://<service>/<handler>", got ${JSON.stringify(options?.endpoint)}`,
      );
    }
    this.service = decodeURIComponent(match[1] as string);
    this.handler = decodeURIComponent(match[2] as string);
    this.name = options.name;
    this.description = options.description;
    this.#options = options;
    // Checks name, description and schema now (a definition error at once), as a Tool would.
    if (options.inputSchema !== undefined) this.toolsFrom([this.#definition(options.inputSchema)]);
    else if (this.#gatewayUrl() === undefined) {
      throw definitionError(
        `HostedTool "${options.name}" needs inputSchema, or gatewayUrl (or AGNT5_GATEWAY_URL) to read the schema ${this.service} registered`,
      );
    }
  }

  /**
   * Reads the service's registration now: resolves with the input schema, rejects naming the service
   * or handler the coordinator does not know. Call it at startup to fail early.
   */
  async check(): Promise<JsonSchema> {
    const [definition] = await this.listToolDefinitions({ abortSignal: new AbortController().signal });
    return (definition as RemoteToolDefinition).inputSchema;
  }

  async listToolDefinitions(options: { abortSignal: AbortSignal }): Promise<RemoteToolDefinition[]> {
    if (this.#options.inputSchema !== undefined) return [this.#definition(this.#options.inputSchema)];
    const ttl = this.#options.schemaTtlMs ?? 60_000;
    const cached = this.#schema;
    if (cached && Date.now() - cached.readAt < ttl) return [this.#definition(cached.schema)];
    const registered = await this.#readRegistration(options.abortSignal);
    // The same version keeps the schema read before; a new version brings its own.
    this.#schema =
      cached && cached.version !== undefined && cached.version === registered.version
        ? { ...cached, readAt: Date.now() }
        : { ...registered, readAt: Date.now() };
    return [this.#definition(this.#schema.schema)];
  }

  toolsFrom(definitions: readonly RemoteToolDefinition[]): Tool[] {
    return definitions.map((definition) => new ChildInvocationTool(definition, this));
  }

  #definition(inputSchema: JsonSchema): RemoteToolDefinition {
    return { name: this.name, description: this.description, inputSchema, meta: { endpoint: this.#options.endpoint } };
  }

  #gatewayUrl(): string | undefined {
    return this.#options.gatewayUrl ?? process.env.AGNT5_GATEWAY_URL;
  }

  async #readRegistration(signal: AbortSignal): Promise<{ version: string | undefined; schema: JsonSchema }> {
    const gateway = (this.#gatewayUrl() as string).replace(/\/+$/, "");
    const doFetch = this.#options.fetch ?? globalThis.fetch;
    let body: { services?: Array<{ name: string; version?: string; components?: Array<Record<string, unknown>> }> };
    try {
      const response = await doFetch(`${gateway}/v1/services`, {
        headers: { accept: "application/json", ...this.#options.headers },
        signal,
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      body = (await response.json()) as typeof body;
    } catch (error) {
      // Retryable: the gateway may be restarting.
      throw new Error(
        `HostedTool "${this.name}" could not read the services from ${gateway}: ${(error as Error).message}`,
      );
    }
    const services = body.services ?? [];
    const service = services.find((entry) => entry.name === this.service);
    if (!service) {
      throw definitionError(
        `HostedTool "${this.name}": service "${this.service}" is not registered with the coordinator (services: ${services.map((entry) => entry.name).join(", ") || "none"})`,
      );
    }
    const components = service.components ?? [];
    const component = components.find((entry) => entry.name === this.handler);
    if (!component) {
      throw definitionError(
        `HostedTool "${this.name}": service "${this.service}" has no handler "${this.handler}" (its handlers: ${components.map((entry) => String(entry.name)).join(", ") || "none"})`,
      );
    }
    const schema = (component.inputSchema ?? { type: "object" }) as JsonSchema;
    return { version: service.version, schema };
  }
}

function definitionError(message: string): TerminalError {
  return new TerminalError(message, { code: "INVALID_DEFINITION" });
}
