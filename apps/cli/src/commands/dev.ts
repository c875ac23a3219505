import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { DevSession, resolveWorkerFile } from "../dev/dev-session.js";
import { EXIT, usageError } from "../errors.js";
import { positiveInteger, streams } from "./shared.js";

interface DevCommandOptions {
  port: number;
  grpcPort: number;
  dataDir: string;
  coordinatorLogLevel: string;
  watch?: string[];
}

/** `agnt5 dev <worker file>`: the seed's "Hot Reload" story in one command. */
export function registerDevCommand(program: Command): void {
  program
    .command("dev <workerFile>")
    .description("Start a coordinator on the embedded store and your worker; restart the worker when its files change")
    .option("--port <port>", "the coordinator's HTTP port", positiveInteger("--port"), 8080)
    .option(
      "--grpc-port <port>",
      "the coordinator's gRPC port (workers connect to it)",
      positiveInteger("--grpc-port"),
      9091,
    )
    .option("--data-dir <dir>", "where the embedded store (PGlite) keeps its files", ".agnt5")
    .option("--coordinator-log-level <level>", "the coordinator's log level (debug, info, warn, error)", "warn")
    .option(
      "--watch <dir>",
      "a folder to watch instead of the worker file's folder (repeatable)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .action(async (workerFile: string, options: DevCommandOptions) => {
      const file = resolveWorkerFile(workerFile);
      if (!existsSync(file)) throw usageError(`The worker file ${workerFile} does not exist`);
      const watch = (options.watch ?? [dirname(file)]).map((dir) => resolve(dir));
      for (const dir of watch) if (!existsSync(dir)) throw usageError(`--watch ${dir}: no such folder`);
      const session = new DevSession({
        workerFile: file,
        port: options.port,
        grpcPort: options.grpcPort,
        host: process.env.AGNT5_HOST ?? "127.0.0.1",
        dataDir: resolve(options.dataDir),
        coordinatorLogLevel: options.coordinatorLogLevel,
        watch,
        debounceMs: 150,
        write: (line) => streams.out.write(`${line}\n`),
      });
      // Ctrl-C (or a SIGTERM from a supervisor) stops both children cleanly; a second one forces it.
      let signals = 0;
      const onSignal = () => {
        signals += 1;
        if (signals > 1) process.exit(130);
        void session.stop(EXIT.OK);
      };
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
      try {
        await session.start();
      } catch (error) {
        await session.stop(EXIT.FAILED);
        throw error;
      }
      process.exitCode = await session.done;
    });
}
