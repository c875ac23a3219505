import type { Client } from "./client.js";
import type {
  DefinitionArgs,
  DefinitionCallOptions,
  DefinitionOutput,
  StreamingFunctionDefinition,
  ValueFunctionDefinition,
} from "./client-definitions.js";
import type { InvokeOptions, StreamOptions } from "./client-types.js";

type Options<O> = O & DefinitionCallOptions;

/**
 * The calls of one service, typed by its imported definitions (`client.service("hello-service")`):
 * `invoke(greet, "Alice")` checks the input against `greet` and resolves to its output type.
 */
export class ServiceClient {
  readonly #client: Client;
  /** The service's name, as its workers register it. */
  readonly name: string;

  constructor(client: Client, name: string) {
    this.#client = client;
    this.name = name;
  }

  /** Runs the function and waits for its output. */
  invoke<D extends ValueFunctionDefinition>(
    definition: D,
    ...args: DefinitionArgs<D, InvokeOptions>
  ): Promise<DefinitionOutput<D>> {
    const [input, options] = args;
    return this.#client.invoke(
      definition,
      ...([input, this.#with(options)] as DefinitionArgs<D, Options<InvokeOptions>>),
    );
  }

  /** Starts the function without waiting; poll with client.waitForResult(invocationId). */
  submit<D extends ValueFunctionDefinition>(
    definition: D,
    ...args: DefinitionArgs<D, InvokeOptions>
  ): Promise<{ invocationId: string }> {
    const [input, options] = args;
    return this.#client.submit(
      definition,
      ...([input, this.#with(options)] as DefinitionArgs<D, Options<InvokeOptions>>),
    );
  }

  /** Runs a streaming function and yields its chunks as they arrive. */
  stream<D extends StreamingFunctionDefinition>(
    definition: D,
    ...args: DefinitionArgs<D, StreamOptions>
  ): AsyncIterable<DefinitionOutput<D>> {
    const [input, options] = args;
    return this.#client.stream(
      definition,
      ...([input, this.#with(options)] as DefinitionArgs<D, Options<StreamOptions>>),
    );
  }

  #with<O extends InvokeOptions>(options: O | undefined): Options<O> {
    return { ...(options as O), service: this.name };
  }
}
