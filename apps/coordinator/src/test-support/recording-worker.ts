/**
 * Test-only: a worker connection whose gRPC stream is a recorder of the frames the coordinator
 * sends it, and the component description tests register it with. Shared by the engine over fakes
 * (fake-engine.ts) and the engine over a real store (test-engine.ts).
 */
import type { CoordinatorMessage } from "@agnt5/proto";
import type { ComponentInfo, ComponentKindName } from "../workers/component-info.js";
import { WorkerConnection } from "../workers/worker-connection.js";

export type Frame = CoordinatorMessage["message"];
export type FrameOf<C extends Frame["case"]> = Extract<Frame, { case: C }>["value"];
export type StartFrame = FrameOf<"start">;

/** A worker whose frames are kept; `nth(case, id)` awaits a frame of that kind for `id`. */
export class RecordingWorker {
  /** Every frame sent to this worker, in order. */
  readonly frames: Frame[] = [];
  readonly connection: WorkerConnection;
  readonly #waiting = new Set<() => void>();

  constructor(id: string, service: string, maxConcurrency = 10) {
    const stream = {
      write: (message: CoordinatorMessage) => {
        this.frames.push(message.message);
        for (const wake of this.#waiting) wake();
      },
      emit() {},
    };
    this.connection = new WorkerConnection(
      id,
      service,
      "1",
      maxConcurrency,
      stream as unknown as ConstructorParameters<typeof WorkerConnection>[4],
    );
  }

  /** Frames of one kind for one invocation, in order. */
  of<C extends Frame["case"]>(kind: C, id: string): FrameOf<C>[] {
    return this.frames.flatMap((f) =>
      f.case === kind && (f.value as { invocationId?: string }).invocationId === id ? [f.value as FrameOf<C>] : [],
    );
  }

  /** Resolves with the nth (1-based) frame of that kind for the invocation, once it is sent. */
  nth<C extends Frame["case"]>(kind: C, id: string, n = 1): Promise<FrameOf<C>> {
    // TypeScript cannot relate a generic Extract to itself through Promise's resolve: unknown first.
    return new Promise<unknown>((resolve) => {
      const check = () => {
        const frames = this.of(kind, id);
        if (frames.length < n) return;
        this.#waiting.delete(check);
        resolve(frames[n - 1]);
      };
      this.#waiting.add(check);
      check();
    }) as Promise<FrameOf<C>>;
  }

  /** The nth (1-based) `start` frame for the invocation, once it is sent. */
  started(id: string, n = 1): Promise<StartFrame> {
    return this.nth("start", id, n);
  }
}

/** A component as a worker registers it: no schemas, one attempt (the engine's retries are tested elsewhere). */
export function component(name: string, kind: ComponentKindName = "workflow"): ComponentInfo {
  return {
    kind,
    name,
    streaming: false,
    description: "",
    inputSchema: undefined,
    outputSchema: undefined,
    metadata: undefined,
    retryPolicy: { maxAttempts: 1, initialIntervalMs: 10, maxIntervalMs: 10, backoffMultiplier: 1 },
  };
}
