import { Worker } from "@agnt5/sdk";
import "./workflows.js";

// Configured by the environment: AGNT5_COORDINATOR_ENDPOINT (default http://localhost:9091), ...
const worker = new Worker({ serviceName: process.env.AGNT5_SERVICE_NAME ?? "workflow-service" });
await worker.run();
