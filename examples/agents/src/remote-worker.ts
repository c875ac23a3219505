import { Worker } from "@agnt5/sdk";
import "./remote/remote-agents.js";

// Agents on remote tools (an MCP server, an OpenAPI spec), in a service of their own: this worker
// starts the MCP server (stdio) and the todo API it calls, so it too runs offline.
// Configured by the environment like worker.ts (AGNT5_COORDINATOR_ENDPOINT, ...).
const worker = new Worker({ serviceName: process.env.AGNT5_SERVICE_NAME ?? "remote-tools-service" });
await worker.run();
