import { createServer } from "node:net";
import { CliError, EXIT } from "../errors.js";

/** undefined when `port` can be listened on, else the error code (EADDRINUSE, EACCES, ...). */
export function cannotListen(port: number, host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/**
 * Refuses to start when a port is taken: another coordinator there would answer our calls while
 * ours fails to bind, and the user would debug the wrong process.
 */
export async function requireFreePorts(host: string, ports: { port: number; what: string; option: string }[]) {
  for (const { port, what, option } of ports) {
    const problem = await cannotListen(port, host);
    if (!problem) continue;
    const reason =
      problem === "EADDRINUSE"
        ? "already in use, probably by another coordinator (an earlier `agnt5 dev` or quickstart)"
        : `not available (${problem})`;
    throw new CliError(
      `Port ${port} (${what}) is ${reason}. Stop that process, or choose another port: ${option} ${port + 1}`,
      { exitCode: EXIT.CONFLICT, code: "PORT_IN_USE" },
    );
  }
}
